"""Limits on untrusted input that hold at every entry point (HTTP bodies, uploaded files). Pure.

- JSON nests at most MAX_JSON_DEPTH arrays/objects. Python's json parser recurses once per level,
  so ~1,000 brackets raise RecursionError before any schema looks at the document; and a value
  nested a few hundred deep that does parse would still reach code that recurses over it
  (jsonschema, the sandbox's deepcopy, the workflow serializer). No form or file of ours comes
  near 64 levels.
- Text carries no NUL (U+0000). PostgreSQL's text and jsonb cannot hold it, so it failed there
  inside a query while SQLite stored it; refusing it up front keeps both databases alike.
- Ids are 1 to MAX_ID (32 bits). Most id columns are PostgreSQL `integer`: a larger number
  compared with one is an error of the database, not a row that is not there. The few `bigint`
  id columns (cases, documents) take the same bound, so that every id means the same to a client."""
from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any, Optional

MAX_JSON_DEPTH = 64
MAX_ID = 2 ** 31 - 1

# a JSON string, removed before the brackets are counted; the closing quote is optional so that an
# unterminated string ends the scan instead of being retried from every later quote (quadratic)
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"?', re.S)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STEP = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


class JsonTooDeep(ValueError):
    """A ValueError, so that a parser's `except ValueError` reports it as the invalid JSON it is."""

    def __init__(self, limit: int = MAX_JSON_DEPTH):
        self.msg = f"nested deeper than {limit} levels"      # the attribute json.JSONDecodeError has
        super().__init__(self.msg)


def json_too_deep(text: str | bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """Does this JSON text nest deeper than `limit`? Linear and without recursion; the exact count
    runs only when the text holds more opening brackets than the limit at all."""
    data = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    if data.count(b"[") + data.count(b"{") <= limit:
        return False
    brackets = _STRING.sub(b"", data).translate(None, _NOT_BRACKETS)
    return max(accumulate(_STEP[b] for b in brackets), default=0) > limit


def loads(text: str | bytes) -> Any:
    """json.loads for untrusted text: JsonTooDeep (a ValueError) instead of a RecursionError."""
    if json_too_deep(text):
        raise JsonTooDeep()
    return json.loads(text)


def nul_path(value: Any, path: str = "") -> Optional[str]:
    """Where a parsed JSON value holds a NUL character (in a key or a string), e.g. `form.items[2]`;
    None when it holds none. Call it on depth-checked values only (it recurses per level)."""
    if isinstance(value, str):
        return (path or "(body)") if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            if "\x00" in str(key):
                return where
            found = nul_path(item, where)
            if found:
                return found
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found = nul_path(item, f"{path}[{i}]")
            if found:
                return found
    return None
