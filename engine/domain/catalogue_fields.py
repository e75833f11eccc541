"""Reading one catalogue row (a JSON object or a CSV record) into typed values. Pure.

A CSV cell is text, so every reader accepts both the JSON value and its text form: integers as
digits, booleans as true/false, 1/0, yes/no, 是/否, lists as JSON text or `a|b|c`, objects as
JSON text. An empty cell is an absent value. Each reader returns (value, problem message)."""
from __future__ import annotations

import json
from typing import Any, Optional

from engine.domain import input_limits

TRUE = {"true", "1", "yes", "y", "是", "t"}
MAX_INT = 1_000_000          # no limit, count or depth comes near this; the columns are 32-bit
FALSE = {"false", "0", "no", "n", "否", "f"}


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def text(value: Any, max_len: int) -> tuple[Optional[str], Optional[str]]:
    if blank(value):
        return None, None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None, "must be text"
    value = str(value).strip()
    if "\x00" in value:
        return None, "contains a NUL character"
    if len(value) > max_len:
        return None, f"is longer than {max_len} characters"
    return value, None


def integer(value: Any) -> tuple[Optional[int], Optional[str]]:
    value, problem = _integer(value)
    if value is not None and abs(value) > MAX_INT:
        return None, f"is out of range (at most {MAX_INT})"
    return value, problem


def _integer(value: Any) -> tuple[Optional[int], Optional[str]]:
    if blank(value):
        return None, None
    if isinstance(value, bool):
        return None, "must be a whole number"
    if isinstance(value, int):
        return value, None
    if isinstance(value, float) and value.is_integer():
        return int(value), None
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip()), None
    return None, "must be a whole number"


def boolean(value: Any) -> tuple[Optional[bool], Optional[str]]:
    if blank(value):
        return None, None
    if isinstance(value, bool):
        return value, None
    if isinstance(value, int) and value in (0, 1):
        return bool(value), None
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE, None
    return None, "must be true or false"


def string_list(value: Any) -> tuple[Optional[list], Optional[str]]:
    """A list of short strings: a JSON list, JSON text of one, or `a|b|c`."""
    if blank(value):
        return None, None
    if isinstance(value, str):
        raw = value.strip()
        if raw.startswith("["):
            try:
                value = input_limits.loads(raw)
            except ValueError as exc:
                return None, f"is not valid JSON ({exc.msg})"
        else:
            value = [part.strip() for part in raw.split("|") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) and "\x00" not in v for v in value):
        return None, "must be a list of text values (JSON list or a|b|c)"
    return [v.strip() for v in value], None


def structured(value: Any, kind: type) -> tuple[Any, Optional[str]]:
    """A JSON list or object, given as such or as JSON text in a cell."""
    if blank(value):
        return None, None
    if isinstance(value, str):
        try:
            value = input_limits.loads(value)
        except ValueError as exc:
            return None, f"is not valid JSON ({exc.msg})"
    if not isinstance(value, kind):
        return None, f"must be a JSON {'list' if kind is list else 'object'}"
    if "\\u0000" in json.dumps(value):
        return None, "contains a NUL character"
    return value, None
