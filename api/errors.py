"""One place that maps domain error types to HTTP statuses."""
from engine.domain.errors import CaseError, Conflict, DeployError, Forbidden, LianbanError, NotFound, ValidationError

_STATUS = [(NotFound, 404), (Forbidden, 403), (Conflict, 409), (DeployError, 422), (ValidationError, 422),
           (CaseError, 422)]


def status_for(exc: LianbanError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 400
