"""Camunda 7 REST conventions Lianban speaks at /engine-rest (docs/camunda-modeler.md): process
definition ids, dates, typed variables and the text of a rejected deployment. Pure: the API layer
shapes the answers, the services act.

Typed variables are Camunda's `{"name": {"value": v, "type": "Integer", "valueInfo": {}}}`. A case
keeps plain JSON, so each is converted to the JSON value it stands for and checked against its
type the way Camunda's REST API checks it (a value that does not fit is refused, never coerced
silently into something else)."""
from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Optional

from engine.domain.errors import ValidationError
from engine.domain.input_limits import JsonTooDeep, json_too_deep, nul_path

# Lianban declares the Camunda 7 REST API release whose subset it implements (GET /version);
# Camunda Modeler reads it to decide which deployment features the engine has.
DECLARED_VERSION = "7.20.0"

MAX_VARIABLE_NAME = 255
MAX_BUSINESS_KEY = 255

_INT_RANGES = {"short": (-2 ** 15, 2 ** 15 - 1), "integer": (-2 ** 31, 2 ** 31 - 1), "long": (-2 ** 63, 2 ** 63 - 1)}
# Camunda's types that mean a Java object, a file or raw bytes: a case has no place for them
_UNSUPPORTED = {"object", "xml", "file", "bytes"}
_CANONICAL = {"string": "String", "integer": "Integer", "short": "Short", "long": "Long", "double": "Double",
              "boolean": "Boolean", "date": "Date", "json": "Json", "null": "Null"}


def definition_id(key: str, version: int, row_id: int) -> str:
    """Camunda's process definition id is `key:version:unique`; Lianban's unique part is its row id."""
    return f"{key}:{version}:{row_id}"


def parse_definition_id(text: str) -> Optional[tuple[Optional[str], Optional[int], int]]:
    """(key, version, row id) of a Camunda-style id, or (None, None, row id) of a bare row id; None
    when the text is neither (no such definition)."""
    key, version, row = None, None, text
    if text.count(":") >= 2:
        key, version_text, row = text.rsplit(":", 2)
        if not (version_text.isascii() and version_text.isdigit()):
            return None
        version = int(version_text)
    if not (row.isascii() and row.isdigit()) or not 0 < int(row) < 2 ** 31:
        return None
    return key, version, int(row)


def format_date(moment: Optional[datetime]) -> Optional[str]:
    """Camunda's date format, yyyy-MM-dd'T'HH:mm:ss.SSSZ (e.g. 2026-11-27T09:00:00.000+0000)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}" + moment.strftime("%z")


def parse_date(text: str) -> Optional[datetime]:
    """A Date variable's value: Camunda's format, or ISO 8601; None when it is neither."""
    for fmt in ("%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            pass
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=timezone.utc)


def _refuse(name: str, message: str, *, code: str) -> ValidationError:
    return ValidationError(f"variable {name!r}: {message}", code=code, field=f"variables.{name}")


def _untyped(value) -> str:
    """The type Camunda infers for a variable sent without one."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if _INT_RANGES["integer"][0] <= value <= _INT_RANGES["integer"][1] else "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, (dict, list)):
        return "json"
    return "string"


def _string(name: str, kind: str, value):
    if not isinstance(value, str):
        raise _refuse(name, f"a String needs a text value, not {json.dumps(value)[:40]}", code="variable_invalid")
    return value


def _whole(name: str, kind: str, value):
    number = value
    if isinstance(value, str) and value.isascii() and value.strip().lstrip("+-").isdigit():
        number = int(value)
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    low, high = _INT_RANGES[kind]
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        raise _refuse(name, f"cannot convert {json.dumps(value)[:40]} to {_CANONICAL[kind]} "
                            f"(a whole number from {low} to {high})", code="variable_invalid")
    return number


def _double(name: str, kind: str, value):
    number = value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
        raise _refuse(name, f"cannot convert {json.dumps(value)[:40]} to Double", code="variable_invalid")
    return float(number)


def _boolean(name: str, kind: str, value):
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise _refuse(name, f"cannot convert {json.dumps(value)[:40]} to Boolean (true or false)", code="variable_invalid")


def _date(name: str, kind: str, value):
    moment = parse_date(value) if isinstance(value, str) else None
    if moment is None:
        raise _refuse(name, "a Date is written yyyy-MM-dd'T'HH:mm:ss.SSSZ "
                            "(e.g. 2026-11-27T09:00:00.000+0800) or in ISO 8601", code="variable_invalid")
    return moment.isoformat()            # the case keeps JSON: the moment as ISO 8601 text


def _json(name: str, kind: str, value):
    if isinstance(value, (dict, list)):
        return value
    if isinstance(value, str):
        try:
            if json_too_deep(value):
                raise JsonTooDeep()
            parsed = json.loads(value, parse_constant=_no_constant)
        except ValueError as exc:
            raise _refuse(name, f"the Json value is not JSON: {exc}", code="variable_invalid") from None
        if nul_path(parsed) is not None:       # no text of a case holds one (engine/domain/input_limits.py)
            raise _refuse(name, "the Json value holds a NUL character (U+0000)", code="nul_character")
        return parsed
    raise _refuse(name, "a Json variable's value is JSON text (or an object or array)", code="variable_invalid")


def _no_constant(text: str):
    raise ValueError(f"{text} is not a JSON number")


_CONVERT = {"string": _string, "short": _whole, "integer": _whole, "long": _whole, "double": _double,
            "boolean": _boolean, "date": _date, "json": _json, "null": lambda name, kind, value: None}


def variable_values(variables) -> dict:
    """The plain JSON value of each typed variable, refusing (400) a variable that is not an
    object, a type Lianban does not know or cannot keep, and a value that does not fit its type."""
    if variables is None:
        return {}
    if not isinstance(variables, dict):
        raise ValidationError("variables is an object: {name: {value, type, valueInfo}}", code="variables_invalid",
                              field="variables")
    out = {}
    for name, typed in variables.items():
        if not name or len(name) > MAX_VARIABLE_NAME:
            raise ValidationError(f"a variable name has 1 to {MAX_VARIABLE_NAME} characters",
                                  code="variable_invalid", field="variables")
        if not isinstance(typed, dict):
            raise _refuse(name, 'a variable is an object {"value": ..., "type": ...}', code="variable_invalid")
        value, kind = typed.get("value"), typed.get("type")
        if kind is None:
            kind = _untyped(value)
        elif not isinstance(kind, str):
            raise _refuse(name, "its type is a name such as String, Integer or Json", code="variable_type_unknown")
        kind = kind.lower()
        if kind in _UNSUPPORTED:
            raise _refuse(name, f"type {typed['type']} is not supported: a case keeps JSON values "
                                f"(String, Boolean, Short, Integer, Long, Double, Date, Json, Null)",
                          code="variable_type_unsupported")
        if kind not in _CANONICAL:
            raise _refuse(name, f"unsupported value type {str(typed.get('type'))[:40]!r} (String, Boolean, Short, "
                                f"Integer, Long, Double, Date, Json or Null)", code="variable_type_unknown")
        out[name] = None if value is None else _CONVERT[kind](name, kind, value)   # a null fits any type
    return out


def typed(variables: dict) -> dict:
    """The variables as Camunda answers them (withVariablesInReturn): each with its type name and
    an empty valueInfo."""
    out = {}
    for name, typed_in in (variables or {}).items():
        kind = typed_in.get("type") or _CANONICAL[_untyped(typed_in.get("value"))]
        out[name] = {"value": typed_in.get("value"), "type": _CANONICAL.get(str(kind).lower(), kind),
                     "valueInfo": {}}
    return out


def parse_error_message(problems: list[dict]) -> str:
    """The message of Camunda's ParseException, one line per problem with its resource and
    element, behind the prefix Camunda Modeler recognises as a diagram the engine could not parse
    (it then shows the lines in its log)."""
    lines = []
    for p in problems:
        where = [f"resource {p['file']}"] if p.get("file") else []
        if p.get("line"):
            where.append(f"line {p['line']}")
        if p.get("element"):
            where.append(f"element {p['element']}")
        lines.append("* " + " | ".join([f"{p['message']} [{p['code']}]", *where]))
    return "ENGINE-09005 Could not parse BPMN process. Errors: \n" + "\n".join(lines)


def typed_plain(values: dict, names=None) -> dict:
    """Plain JSON values (a case's data) as Camunda's typed variables, as fetchAndLock answers
    them: objects and arrays as Json (their JSON text, which Camunda clients parse); `names`
    limits the answer to those variables (None: all)."""
    out = {}
    for name, value in (values or {}).items():
        if names is not None and name not in names:
            continue
        kind = _untyped(value)
        if kind == "json":
            value = json.dumps(value, ensure_ascii=False)
        out[name] = {"value": value, "type": _CANONICAL[kind], "valueInfo": {}}
    return out
