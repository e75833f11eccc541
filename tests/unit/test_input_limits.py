"""The depth and NUL checks every entry point shares (engine/domain/input_limits.py)."""
import time

import pytest

from engine.domain.input_limits import MAX_JSON_DEPTH, JsonTooDeep, json_too_deep, loads, nul_path


@pytest.mark.parametrize("text, deep", [
    ("[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH, False),
    ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1), True),
    ('{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1), True),
    ("[" * 10 + "]" * 10 + "[" * 60 + "]" * 60, False),                 # siblings do not add up
    ('["' + "[" * 500 + '"]', False),                                    # brackets in a string are text
    ('["\\"' + "[" * 500 + '"]', False),                                 # ... after an escaped quote too
    ('["\\\\"' + ", " + "[" * 500 + "]" * 500 + "]", True),              # an escaped backslash ends the string
    (b"[" * 100 + b"]" * 100, True),                                     # bytes as well as text
])
def test_depth(text, deep):
    assert json_too_deep(text) is deep


def test_loads_refuses_what_would_exhaust_the_recursion_limit_as_a_value_error():
    with pytest.raises(JsonTooDeep) as caught:
        loads("[" * 100_000 + "]" * 100_000)
    assert isinstance(caught.value, ValueError)
    assert loads('{"a": [1, {"b": "[[["}]}') == {"a": [1, {"b": "[[["}]}


def test_unterminated_strings_do_not_make_the_scan_quadratic():
    text = b'"\\"' * 200_000 + b"x" + b"[" * 100           # 600 kB of quotes that never close
    started = time.perf_counter()
    assert json_too_deep(text) is False
    assert time.perf_counter() - started < 1.0               # quadratic would take minutes


def test_nul_path_names_the_key_or_value():
    assert nul_path({"a": [1, {"b": "x\x00"}]}) == "a[1].b"
    assert nul_path([{"k\x00": 1}]) == "[0].k\x00"
    assert nul_path("\x00") == "(body)"
    assert nul_path({"a": ["ok", 1, None, 2.5, {"b": True}]}) is None
