"""What an assignee or candidate-users expression may give (docs/camunda-bpmn.md#assignees-given-by-an-expression).

Camunda reads `camunda:assignee="${initiator}"` as one username and `candidateUsers="${approvers}"`
as a list of usernames or a comma-separated text. The value comes from case data, which an earlier
step, a worker or an applicant wrote, so it is checked here before anyone is offered the task:
anything else — nothing, an empty text, a number, a map, a list holding something other than
names — is refused with the reason, and the caller raises an incident instead of guessing."""
from __future__ import annotations

MAX_NAME = 64            # staff.username's length
MAX_CANDIDATES = 50      # people one task is offered to by an expression (each is a row and an inbox entry)


class AssignmentInvalid(Exception):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def shown(value: object) -> str:
    """The value as an incident's message shows it (bounded: case data can be large)."""
    text = repr(value)
    return text if len(text) <= 200 else text[:200] + "…"


def _name(part: object, value: object) -> str:
    if not isinstance(part, str):
        raise AssignmentInvalid(f"{shown(value)} holds {shown(part)}, which is not a username")
    name = part.strip()
    if not name:
        raise AssignmentInvalid(f"{shown(value)} holds an empty username")
    if len(name) > MAX_NAME:
        raise AssignmentInvalid(f"{shown(name)} is longer than a username ({MAX_NAME} characters)")
    return name


def assignee_name(value: object) -> str:
    """One username (a text); a list or a comma-separated text names several people, which an
    assignee cannot be."""
    if not isinstance(value, str):
        raise AssignmentInvalid(f"gave {shown(value)}; an assignee is one username (a text)")
    name = _name(value, value)
    if "," in name:
        raise AssignmentInvalid(f"gave {shown(value)}, several names; an assignee is one username "
                                "(use candidate users to offer the task to several people)")
    return name


def candidate_names(value: object) -> list[str]:
    """The usernames a candidate-users value gives, in order and without repeats: a text (one name,
    or several separated by commas) or a list of texts."""
    if isinstance(value, str):
        parts: list = [p for p in value.split(",") if p.strip()]
        if not parts:
            raise AssignmentInvalid("gave an empty text; candidate users are one or more usernames")
    elif isinstance(value, (list, tuple)):
        parts = list(value)
        if not parts:
            raise AssignmentInvalid("gave an empty list; candidate users are one or more usernames")
    else:
        raise AssignmentInvalid(f"gave {shown(value)}; candidate users are a username, a list of usernames "
                                "or a comma-separated text")
    names = list(dict.fromkeys(_name(p, value) for p in parts))
    if len(names) > MAX_CANDIDATES:
        raise AssignmentInvalid(f"gave {len(names)} names; a task is offered to at most {MAX_CANDIDATES} people")
    return names


def unknown_names(names: list[str], known: set | dict) -> list[str]:
    """The names that are not active staff accounts (`known`: those that are)."""
    return [n for n in names if n not in known]
