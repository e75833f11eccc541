"""The lawful life of a case (docs/lifecycle.md#states-and-events, 行政许可法 Arts. 32, 42-45): states, the events
that move between them, and the stages a BPMN user task may declare. Pure data and functions.

The transition table is data: `TRANSITIONS[(state, event)] = new state`. Anything not in it is
forbidden and raises `lifecycle_transition_invalid` naming both ends, so a clock command, a task
completion or a delivery can never put a case somewhere the law does not allow.

A suspended case keeps its kind (special_procedure | supplement | hold) in the pause record; a
decided case its decision (granted | refused) on the case row. The state names here are the
values of `case.lifecycle`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping, Optional

from engine.domain.errors import Conflict, ValidationError

# --- states ------------------------------------------------------------------------------------
RECEIVED = "received"                    # 收件 / 已接件
CORRECTION_REQUESTED = "correction_requested"   # 补正告知 (before acceptance; no clock)
FORWARDED = "forwarded"                  # 转报: a lower tier hands the case up (Art. 43)
NOT_ACCEPTED = "not_accepted"            # 不予受理 (Art. 32 (1)(2))
ACCEPTED = "accepted"                    # 受理: the clock starts
IN_PROGRESS = "in_progress"              # 承办 → 审核
SUSPENDED = "suspended"                  # 特别程序 / 补齐补正 / 挂起 (clock paused, Art. 45)
DECIDED = "decided"                      # 准予 / 不予许可
COMPLETED = "completed"                  # 办结 (the procedure ended; grant or refusal)
DELIVERED = "delivered"                  # 送达 / 领取登记
WITHDRAWN = "withdrawn"                  # 撤件 (the applicant)
RETURNED = "returned"                    # 退件 (the agency, with a 退件通知书)

STATES = (RECEIVED, CORRECTION_REQUESTED, FORWARDED, NOT_ACCEPTED, ACCEPTED, IN_PROGRESS, SUSPENDED,
          DECIDED, COMPLETED, DELIVERED, WITHDRAWN, RETURNED)
TERMINAL = frozenset({NOT_ACCEPTED, DELIVERED, WITHDRAWN, RETURNED})
# before a decision the applicant may withdraw and the agency may return the case
PRE_DECISION = frozenset({RECEIVED, CORRECTION_REQUESTED, FORWARDED, ACCEPTED, IN_PROGRESS, SUSPENDED})
# before acceptance: the correction notice, acceptance and non-acceptance are still open
PRE_ACCEPTANCE = frozenset({RECEIVED, CORRECTION_REQUESTED, FORWARDED})
# a decision is delivered once no task of the case is still open (制证 first)
DELIVERABLE = frozenset({DECIDED, COMPLETED})

SUSPENSION_KINDS = ("special_procedure", "supplement", "hold")
DECISIONS = ("granted", "refused")

# --- events and the table ----------------------------------------------------------------------
_PRE_DECISION_EXITS = {(s, e): to for s in sorted(PRE_DECISION) for e, to in (("withdraw", WITHDRAWN),
                                                                              ("return", RETURNED))}
TRANSITIONS: Mapping[tuple[str, str], str] = {
    (RECEIVED, "request_correction"): CORRECTION_REQUESTED,
    (FORWARDED, "request_correction"): CORRECTION_REQUESTED,
    (CORRECTION_REQUESTED, "resubmit"): RECEIVED,           # the complete supplements arrived
    (RECEIVED, "forward"): FORWARDED,
    (FORWARDED, "receive"): RECEIVED,                        # the upper tier's window receives it
    (RECEIVED, "accept"): ACCEPTED,
    (FORWARDED, "accept"): ACCEPTED,
    (CORRECTION_REQUESTED, "accept"): ACCEPTED,              # accepted on the day the supplements arrive
    (RECEIVED, "not_accept"): NOT_ACCEPTED,
    (FORWARDED, "not_accept"): NOT_ACCEPTED,
    (CORRECTION_REQUESTED, "not_accept"): NOT_ACCEPTED,
    (ACCEPTED, "start"): IN_PROGRESS,
    (ACCEPTED, "suspend"): SUSPENDED,
    (IN_PROGRESS, "suspend"): SUSPENDED,
    (SUSPENDED, "resume"): IN_PROGRESS,
    (IN_PROGRESS, "decide"): DECIDED,
    (DECIDED, "complete"): COMPLETED,
    (COMPLETED, "deliver"): DELIVERED,
    **_PRE_DECISION_EXITS,
}
EVENTS = tuple(sorted({e for _, e in TRANSITIONS}))


def transition(state: str, event: str) -> str:
    """The state after `event`, or a 409 naming from and to (to is None when the event leads
    nowhere from this state)."""
    if state not in STATES:
        raise ValidationError(f"unknown lifecycle state {state!r}", code="lifecycle_state_unknown")
    new = TRANSITIONS.get((state, event))
    if new is None:
        target = next((to for (_s, e), to in TRANSITIONS.items() if e == event), None)
        raise Conflict(f"a case that is {state} cannot {event.replace('_', ' ')}"
                       + (f" (→ {target})" if target else ""),
                       code="lifecycle_transition_invalid",
                       detail={"from": state, "to": target, "event": event})
    return new


def allowed_events(state: str) -> list[str]:
    return sorted(e for (s, e) in TRANSITIONS if s == state)


def is_terminal(state: str) -> bool:
    return state in TERMINAL


def walk(state: str, events) -> list[tuple[str, str, str]]:
    """Apply events in order; returns (from, event, to) for each, or raises on the first bad one."""
    steps = []
    for event in events:
        new = transition(state, event)
        steps.append((state, event, new))
        state = new
    return steps


# --- stages a BPMN user task may declare -------------------------------------------------------
# A task's stage names what COMPLETING it does to the case (the case's `stage` column shows the
# stage of the tasks it waits on). Vocabulary from docs/lifecycle.md#stage-vocabularies (provincial exchange, Jinan
# work-order codes, archive link types).
STAGES = {
    "received": "收件",           # supplements or a forwarded case received: back to `received`
    "pre_review": "预审",         # review before acceptance; {"complete": false} → 补正告知
    "forwarded": "转报",          # a lower tier reviews and forwards up; {"complete": false} → 补正告知
    "correction": "补正告知",     # the one-time correction notice
    "accepted": "受理",           # {"accept": false, "reason": …} → 不予受理; otherwise 受理
    "in_progress": "承办",
    "review": "审核",
    "decided": "决定",            # {"decision": "granted" | "refused"}
    "completed": "办结",          # e.g. 制证 after a grant
    "delivered": "送达",          # the result handed over (送达回执)
}


def check_stage(stage: Optional[str]) -> Optional[str]:
    """The problem with a declared stage, or None (deploy-time check)."""
    if stage is None or stage in STAGES:
        return None
    return f"unknown stage {stage!r}; a stage is one of {', '.join(STAGES)}"


def decision_of(data: dict) -> str:
    value = (data or {}).get("decision")
    if value not in DECISIONS:
        raise ValidationError("a decision is granted or refused", code="decision_invalid", field="decision")
    return value


# how far along the main line a state is: a stage the case is already past is a no-op (parallel
# branches of a joint item review and decide in any order; a clerk may record a step late)
_RANK = {RECEIVED: 0, CORRECTION_REQUESTED: 0, FORWARDED: 1, ACCEPTED: 2, IN_PROGRESS: 3, SUSPENDED: 3,
         DECIDED: 4, COMPLETED: 5, DELIVERED: 6}


def stage_events(state: str, stage: Optional[str], data: dict) -> list[str]:
    """The events that completing a task of `stage` with form `data` fires from `state`. One the
    law does not allow from here fails in `walk` with lifecycle_transition_invalid."""
    events_of = _STAGE_EVENTS.get(stage)             # no stage, or one deploy refused: nothing
    if events_of is None:
        return []
    rank = _RANK.get(state, 99)          # terminal states other than delivered: nothing is past them
    return events_of(state, rank, data or {})


# one function per stage: (state, rank of the state, form data) -> the events its completion fires

def _received(state: str, _rank: int, _data: dict) -> list[str]:
    return {CORRECTION_REQUESTED: ["resubmit"], FORWARDED: ["receive"]}.get(state, [])


def _correction(state: str, _rank: int, _data: dict) -> list[str]:
    return [] if state == CORRECTION_REQUESTED else ["request_correction"]


def _pre_review(state: str, rank: int, data: dict) -> list[str]:
    if data.get("complete") is False:
        return _correction(state, rank, data)
    return []


def _forwarded(state: str, rank: int, data: dict) -> list[str]:
    if data.get("complete") is False:
        return _correction(state, rank, data)
    return ["forward"] if state == RECEIVED else []


def _accepted(_state: str, rank: int, data: dict) -> list[str]:
    if data.get("accept") is False:
        return ["not_accept"]
    return ["accept"] if rank < _RANK[ACCEPTED] else []


def _in_progress(_state: str, rank: int, _data: dict) -> list[str]:
    return ["start"] if rank < _RANK[IN_PROGRESS] else []


def _decided(state: str, rank: int, data: dict) -> list[str]:
    decision_of(data)
    if state == ACCEPTED:
        return ["start", "decide"]
    return ["decide"] if rank <= _RANK[SUSPENDED] else []


def _completed(_state: str, rank: int, _data: dict) -> list[str]:
    return ["complete"] if rank < _RANK[COMPLETED] else []


def _delivered(state: str, rank: int, _data: dict) -> list[str]:
    return {DECIDED: ["complete", "deliver"]}.get(state, ["deliver"] if rank < _RANK[DELIVERED] else [])


_STAGE_EVENTS = {
    "received": _received,
    "pre_review": _pre_review,
    "forwarded": _forwarded,
    "correction": _correction,
    "accepted": _accepted,
    "in_progress": _in_progress,
    "review": _in_progress,
    "decided": _decided,
    "completed": _completed,
    "delivered": _delivered,
}


# --- what a caller may do now (the console's buttons) -----------------------------------------
# docs/lifecycle.md#allowed-actions. Each command checks the same rules itself (the lifecycle
# table, the clock, who is asking); tests/integration/test_allowed_actions.py walks every state
# and holds each command to this list.
ACTIONS = ("withdraw", "return", "not_accept", "accept", "correction_notice", "pause", "resume", "extend",
           "deliver", "upload_material", "verify_material", "tolerate_material")
POST_ACCEPTANCE = PRE_DECISION - PRE_ACCEPTANCE          # accepted, in progress, suspended


@dataclass(frozen=True)
class Standing:
    """Who asks, about one case she may read: its `applicant` (her own account's case), the
    `agency` (staff with the case in scope, or an administrator), a `worker` (staff at a unit
    the case was received at or routed to: she delivers), a department `head` above the case
    (she extends)."""
    applicant: bool = False
    agency: bool = False
    worker: bool = False
    head: bool = False


@dataclass(frozen=True)
class CaseFacts:
    """What the rules read of the case besides its lifecycle state."""
    status: str                     # running | completed | withdrawn | returned | not_accepted
    clock_status: str               # pre_acceptance | running | paused | stopped
    open_tasks: int = 0
    extended: bool = False
    tolerant_item: bool = False     # the item is on the 容缺受理 list


def _case_actions(state: str, case: CaseFacts) -> set[str]:
    """The actions the case's state allows, whoever asks."""
    running = case.status == "running"
    found = set()
    if running and state in PRE_DECISION:
        found |= {"withdraw", "return"}
    if running and state in PRE_ACCEPTANCE:
        found.add("not_accept")
        if case.clock_status == "pre_acceptance":
            found |= {"accept"} | ({"correction_notice"} if (state, "request_correction") in TRANSITIONS else set())
    if running and state in (ACCEPTED, IN_PROGRESS) and case.clock_status == "running":
        found.add("pause")
    if running and state == SUSPENDED and case.clock_status == "paused":
        found.add("resume")
    if state in POST_ACCEPTANCE and case.clock_status in ("running", "paused") and not case.extended:
        found.add("extend")
    if case.status in ("running", "completed") and state in DELIVERABLE and not case.open_tasks:
        found.add("deliver")
    if running:
        found |= {"upload_material", "verify_material"} | ({"tolerate_material"} if case.tolerant_item else set())
    return found


_APPLICANT_ACTIONS = frozenset({"withdraw", "upload_material"})


def permitted(action: str, who: Standing) -> bool:
    """Who may take an action at all: the applicant withdraws and uploads; a department head
    extends; a worker delivers; the agency does the rest."""
    if who.applicant:
        return action in _APPLICANT_ACTIONS
    if action == "extend":
        return who.head
    if action == "deliver":
        return who.worker
    return who.agency


def allowed_actions(state: str, case: CaseFacts, who: Standing) -> list[str]:
    """What `who` may do to a case in lifecycle `state` now, in ACTIONS order."""
    found = _case_actions(state, case)
    return [a for a in ACTIONS if a in found and permitted(a, who)]
