"""Errors as application/problem+json (RFC 9457) with a stable `code`, and the offending
`field` or BPMN `element` when there is one. One place maps domain error types to statuses."""
from __future__ import annotations

import logging

from flask import json
from werkzeug.exceptions import HTTPException

from api.security import SecureResponse
from engine import metrics
from engine.domain.errors import (
    CaseError,
    Conflict,
    DeployError,
    Forbidden,
    LianbanError,
    NotFound,
    TooLarge,
    Unavailable,
    UnsupportedType,
    ValidationError,
)
from engine.services.accounts.auth import Unauthenticated
from engine.services.accounts.throttle import LoginThrottled

log = logging.getLogger(__name__)

_STATUS = [(LoginThrottled, 429), (Unauthenticated, 401), (NotFound, 404), (Forbidden, 403), (Conflict, 409),
           (TooLarge, 413), (UnsupportedType, 415), (Unavailable, 503), (DeployError, 422),
           (ValidationError, 422), (CaseError, 422)]
_TITLES = {400: "Bad request", 401: "Unauthenticated", 403: "Forbidden", 404: "Not found", 405: "Method not allowed",
           409: "Conflict", 413: "Payload too large", 415: "Unsupported media type", 422: "Unprocessable content",
           429: "Too many requests", 500: "Internal error",
           503: "Service unavailable"}
_HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
               405: "method_not_allowed", 409: "conflict", 413: "payload_too_large", 415: "unsupported_media_type",
               422: "request_invalid", 429: "too_many_requests", 500: "internal_error"}


def status_for(exc: LianbanError) -> int:
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def problem(status: int, code: str, detail: str, **extra) -> SecureResponse:
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status, "code": code,
            "detail": detail}
    body.update({k: v for k, v in extra.items() if v is not None})
    response = SecureResponse(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="lianban"'
    return response


def from_domain(exc: LianbanError) -> SecureResponse:
    body = exc.to_dict()
    code, message = body.pop("code"), body.pop("message")
    response = problem(status_for(exc), code, message, **body)
    if isinstance(exc, Unavailable):
        response.headers["Retry-After"] = str(exc.retry_after)
        metrics.database_unavailable()
        log.warning("answered 503: %s", exc.message)
    if isinstance(exc, LoginThrottled):
        response.headers["Retry-After"] = str(exc.retry_after)
    return response


def _first_field(messages, prefix: str = "") -> str | None:
    """webargs nests messages by location then field: {'json': {'applicant': {'name': [...]}}}."""
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "form", "files", "headers", "view_args") and not prefix:
                return _first_field(value)
            path = f"{prefix}.{key}" if prefix else str(key)
            return path if isinstance(value, list) else _first_field(value, path)
    return prefix or None


def _text_keys(messages):
    """marshmallow keys messages by field name or list index, and a multipart part without a name
    by None; JSON with sorted keys cannot order None or numbers among text."""
    if isinstance(messages, dict):
        return {"" if key is None else str(key): _text_keys(value) for key, value in messages.items()}
    if isinstance(messages, list):
        return [_text_keys(value) for value in messages]
    return messages


def from_http(exc: HTTPException) -> SecureResponse:
    status = exc.code or 500
    data = getattr(exc, "data", None) or {}
    messages = _text_keys(data.get("messages"))
    if messages:
        return problem(status, "request_invalid", "the request does not match the API's schema",
                       field=_first_field(messages), errors=messages)
    return problem(status, _HTTP_CODES.get(status, f"http_{status}"), exc.description or _TITLES.get(status, "Error"))
