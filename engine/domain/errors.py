"""Domain errors. Each failure the API can report is one exception type with a stable code;
api/ maps the type to an HTTP status, never the other way round."""
from __future__ import annotations

from dataclasses import dataclass, field


class LianbanError(Exception):
    code = "error"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None,
                 detail: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.detail = detail or {}

    def to_dict(self) -> dict:
        out = {"code": self.code, "message": self.message}
        if self.field:
            out["field"] = self.field
        if self.detail:
            out.update(self.detail)
        return out


class ValidationError(LianbanError):
    """Input is well-formed but not acceptable (HTTP 422)."""
    code = "validation_error"


class NotFound(LianbanError):
    code = "not_found"


class Conflict(LianbanError):
    """Lost race or stale version (HTTP 409); nothing was written."""
    code = "conflict"


class RowsChanged(Conflict):
    """The rows a command started from without reading them (remembered by an earlier command in
    this process) changed meanwhile, by another command in any process: the command is decided
    again on the rows as they are now (engine/services/caches.py). Never leaves the service."""

    def __init__(self):
        super().__init__("the case changed meanwhile", code="case_version_conflict")


class Forbidden(LianbanError):
    code = "forbidden"


class TooLarge(LianbanError):
    """An upload is over the configured size limit (HTTP 413); nothing was stored."""
    code = "too_large"


class UnsupportedType(LianbanError):
    """An upload's content (sniffed from its bytes) is not an allowed type (HTTP 415)."""
    code = "unsupported_type"


class CaseError(LianbanError):
    """The engine could not advance a case (a script failed, a condition could not be
    evaluated); the command is rolled back and the case stays as it was."""
    code = "case_error"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a deployment, pointing at the file and BPMN element."""
    code: str
    message: str
    file: str | None = None
    element: str | None = None
    line: int | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


class DeployError(LianbanError):
    """A deployment was rejected as a whole; `problems` lists every reason found."""
    code = "deploy_rejected"

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        first = self.problems[0]
        where = ":".join(p for p in (first.file, first.element) if p)
        more = f" (+{len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
        super().__init__(f"{where + ': ' if where else ''}{first.message}{more}",
                         code=first.code)

    def to_dict(self) -> dict:
        out = super().to_dict()
        out["problems"] = [p.to_dict() for p in self.problems]
        first = self.problems[0]
        if first.file:
            out["file"] = first.file
        if first.element:
            out["element"] = first.element
        return out


@dataclass
class ProblemList:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)    # deployable, but the designer should know

    def add(self, code: str, message: str, **where) -> None:
        self.problems.append(Problem(code, message, **where))

    def raise_if_any(self) -> None:
        if self.problems:
            raise DeployError(self.problems)


class Unavailable(LianbanError):
    """The database cannot be reached right now (refused, restarting, connection lost, pool
    exhausted, SQLite locked past its busy timeout): HTTP 503 with Retry-After. The command's
    transaction never committed, so nothing was written; the same request may be sent again."""
    code = "database_unavailable"

    def __init__(self, message: str, *, retry_after: int = 5):
        super().__init__(message)
        self.retry_after = retry_after
