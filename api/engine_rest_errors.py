"""Errors on /engine-rest in Camunda 7's shape, so Camunda Modeler (and any Camunda REST client)
reads them: `{"type": "<exception class>", "message": "...", "code": 0}` with Camunda's statuses
(400 for anything wrong with the request, including a diagram that does not deploy). Camunda
Modeler shows `message` in its log, and recognises a diagram the engine could not parse by the
message's ENGINE-09005 prefix. Lianban's own machine-readable code and the offending field or BPMN
element ride along (`lianbanCode`, `field`, `element`, `problems`). Everywhere else the API keeps
problem+json (api/errors.py)."""
from __future__ import annotations

from flask import g, json
from werkzeug.exceptions import HTTPException

from api.errors import _first_field, _text_keys
from api.security import SecureResponse
from engine.domain import camunda
from engine.domain.errors import (
    Conflict,
    DeployError,
    Forbidden,
    LianbanError,
    NotFound,
    TooLarge,
    Unavailable,
    UnsupportedType,
)
from engine.services.accounts.auth import Unauthenticated
from engine.services.accounts.throttle import LoginThrottled

# Camunda's built-in exception code "no specific code" (Camunda 7.20 added `code` to every error)
FALLBACK_CODE = 0
CHALLENGE = 'Basic realm="lianban", Bearer realm="lianban"'

_KINDS = [(LoginThrottled, 429, "AuthenticationException"), (Unauthenticated, 401, "AuthenticationException"),
          (Forbidden, 403, "AuthorizationException"),
          (NotFound, 404, "InvalidRequestException"), (DeployError, 400, "ParseException"),
          (Conflict, 409, "RestException"), (TooLarge, 413, "RestException"),
          (UnsupportedType, 415, "RestException"), (Unavailable, 503, "ProcessEngineException")]

_CORRELATION_FAILURES = frozenset({"message_not_correlated", "message_ambiguous"})


def answer(status: int, kind: str, message: str, **extra) -> SecureResponse:
    body = {"type": kind, "message": message, "code": FALLBACK_CODE}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = SecureResponse(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json")
    if status == 401:
        response.headers["WWW-Authenticate"] = CHALLENGE
    return response


def from_domain(exc: LianbanError) -> SecureResponse:
    status, kind = 400, "InvalidRequestException"          # ValidationError, CaseError and the rest
    for cls, cls_status, cls_kind in _KINDS:
        if isinstance(exc, cls):
            status, kind = cls_status, cls_kind
            break
    if exc.code in _CORRELATION_FAILURES:          # Camunda's MismatchingMessageCorrelationException
        status, kind = 400, "RestException"
    body = exc.to_dict()
    extra = {"lianbanCode": body.pop("code"), **{k: v for k, v in body.items() if k != "message"}}
    if isinstance(exc, DeployError):
        problems = [p.to_dict() for p in exc.problems]
        return answer(status, kind, camunda.parse_error_message(problems), details=_details(problems), **extra)
    if exc.code == "token_missing":      # the general text speaks of bearer tokens only
        exc.message = "/engine-rest needs Basic credentials of a Lianban account or a bearer token"
    if status == 403:
        actor = g.get("actor")
        extra["userId"] = actor.username if actor is not None else None
    response = answer(status, kind, exc.message, **extra)
    if isinstance(exc, (Unavailable, LoginThrottled)):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _details(problems: list[dict]) -> dict:
    """Camunda's ParseException details: per resource, its errors with line and element ids."""
    out: dict = {}
    for p in problems:
        report = out.setdefault(p.get("file") or "deployment", {"errors": [], "warnings": []})
        report["errors"].append({"message": p["message"], "line": p.get("line") or 0, "column": 0,
                                 "mainElementId": p.get("element"),
                                 "elementIds": [p["element"]] if p.get("element") else []})
    return out


_LOCATIONS = ("json", "query", "form", "files", "headers", "view_args")


def _flat(messages, path: str = ""):
    """(field path, messages) pairs of webargs' nested messages, without the location."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if not path and key in _LOCATIONS:
                yield from _flat(value)
            else:
                yield from _flat(value, f"{path}.{key}" if path else str(key))
    else:
        yield path or "body", messages if isinstance(messages, list) else [messages]


def from_http(exc: HTTPException) -> SecureResponse:
    status = exc.code or 500
    messages = _text_keys((getattr(exc, "data", None) or {}).get("messages"))
    if messages:                   # the request does not match the route's schema
        text = "; ".join(f"{where}: {' '.join(map(str, said))}" for where, said in _flat(messages))
        return answer(400, "InvalidRequestException", f"invalid request: {text}", lianbanCode="request_invalid",
                      field=_first_field(messages), errors=messages)
    if status == 422:
        status = 400
    kind = "InvalidRequestException" if status in (400, 404) else "RestException"
    return answer(status, kind, exc.description or "error", lianbanCode=f"http_{status}")
