"""JSON text as `json.JSONEncoder(**options).encode` writes it, without its cost per call.

`JSONEncoder.encode` sets up a new C encoder on every call: half the time of a small value's text,
and the audit chain and the JSON columns write a dozen small values per case. `encoder` sets that
C encoder up once, from the same JSONEncoder's own settings, so the text is the same
(tests/unit/test_domain.py, tests/unit/test_fast_sql.py)."""
from __future__ import annotations

import json
from json.encoder import c_make_encoder, encode_basestring, encode_basestring_ascii
from typing import Callable


def encoder(**options) -> Callable[[object], str]:
    """`json.JSONEncoder(**options).encode`, set up once. Without the circular-reference check:
    the values written are JSON data built here, and a cyclic one fails with RecursionError
    instead of ValueError. Python's own encoder where the C one is missing, or for indented text."""
    reference = json.JSONEncoder(**options)
    if c_make_encoder is None or reference.indent is not None:
        return reference.encode
    return _Encoder(c_make_encoder(None, reference.default,
                                   encode_basestring_ascii if reference.ensure_ascii else encode_basestring, None,
                                   reference.key_separator, reference.item_separator, reference.sort_keys,
                                   reference.skipkeys, reference.allow_nan))


class _Encoder:
    """A callable object, not a closure: psycopg keys its JSON dumpers by the dumps function, and
    warns about (and declines to cache) a closure, whose code alone does not tell what it does."""
    __slots__ = ("chunks",)

    def __init__(self, chunks):
        self.chunks = chunks

    def __call__(self, value) -> str:
        return "".join(self.chunks(value, 0))
