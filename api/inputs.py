"""What every request must satisfy before a route sees it (engine/domain/input_limits.py says why):
ids in paths are ASCII digits within 32 bits, no text carries a NUL character, and a JSON body
nests at most MAX_JSON_DEPTH levels. Checked once here for every route instead of in each."""
from __future__ import annotations

import json

from flask import request
from werkzeug.routing import BaseConverter
from werkzeug.routing import ValidationError as NoMatch

from engine.domain.errors import NotFound, ValidationError
from engine.domain.input_limits import MAX_ID, MAX_JSON_DEPTH, json_too_deep, nul_path

_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


class IdConverter(BaseConverter):
    """`<id:case_id>`: 1 to 2147483647 written in ASCII digits. werkzeug's `int` matches any
    Unicode digit (`/cases/１` was case 1); a number beyond 32 bits matches no route (404)."""
    regex = r"[1-9][0-9]{0,9}"
    part_isolating = True

    def to_python(self, value: str) -> int:
        number = int(value)
        if number > MAX_ID:
            raise NoMatch()
        return number

    def to_url(self, value) -> str:
        return str(int(value))


def id_parameter_schema(_converter: IdConverter) -> dict:
    """The OpenAPI schema of an `id` path parameter (flask-smorest asks for it per route)."""
    return {"type": "integer", "format": "int32", "minimum": 1, "maximum": MAX_ID}


def _has_nul(*texts) -> bool:
    return any("\x00" in text for text in texts if text)      # a multipart part may have no name


def _nul(what: str, field: str) -> ValidationError:
    return ValidationError(f"the {what} contains a NUL character (U+0000)", code="nul_character", field=field)


def check_request() -> None:
    """before_request: path arguments, query, headers, form fields, file names and JSON body.
    The checks every request pays for stay inline; the helpers run only for a query string that
    may hold a NUL, or a body."""
    req = request._get_current_object()
    if req.routing_exception is not None:
        return                                  # routing answers 404/405 itself
    for name, value in (req.view_args or {}).items():
        if isinstance(value, str) and "\x00" in value:
            raise NotFound(f"no {name} contains a NUL character", code="not_found", field=name)
    # cheap tests first: this runs on every request, and almost none carries a NUL
    if b"%00" in req.query_string or b"\x00" in req.query_string:
        _check_query(req.args)
    for key, value in req.environ.items():
        if key.startswith("HTTP_") and "\x00" in value:
            raise _nul("header", key[5:].replace("_", "-").title())
    if req.is_json:
        _check_json(req.get_data(cache=True))
    elif req.mimetype in _FORM_TYPES:
        _check_form(req)


def _check_query(args) -> None:
    for name, value in args.items(multi=True):
        if _has_nul(name, value):
            raise _nul("query parameter", name)


def _check_form(req) -> None:
    for name, value in req.form.items(multi=True):
        if _has_nul(name, value):
            raise _nul("form field", name)
    for name, upload in req.files.items(multi=True):
        if _has_nul(name, upload.filename):
            raise _nul("file name", name)


def _check_json(body: bytes) -> None:
    if json_too_deep(body):
        raise ValidationError(f"the JSON body nests deeper than {MAX_JSON_DEPTH} arrays/objects",
                              code="json_too_deep")
    # JSON text can hold a NUL only as this escape (a raw control character is invalid JSON)
    if b"\\u0000" not in body:
        return
    try:
        data = json.loads(body)
    except ValueError:
        return                                  # the route's parser reports invalid JSON
    where = nul_path(data)
    if where:
        raise _nul("JSON value", where)
