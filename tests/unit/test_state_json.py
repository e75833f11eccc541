"""task_json writes a task's state JSON field by field; it must give the stock encoder's text
byte for byte for every dict, falling back to the encoder for anything it does not expect."""
from __future__ import annotations

import json
import math

from hypothesis import given, settings, strategies as st

from engine.bpmn.state_json import task_json

encode = json.JSONEncoder().encode     # what SpiffWorkflow's serializer uses (default options)

keys = st.one_of(st.text(max_size=8), st.integers(), st.booleans())
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=12))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(st.text(max_size=6), inner, max_size=3)),
                      max_leaves=8)
ids = st.uuids().map(str)


@st.composite
def task_dicts(draw):
    delta = draw(st.one_of(
        st.just({}),
        st.fixed_dictionaries({"updates": st.dictionaries(st.text(max_size=6), values, max_size=3),
                               "deletions": st.lists(st.one_of(st.text(max_size=6), st.integers()), max_size=3)})))
    return {
        "id": draw(ids),
        "parent": draw(st.one_of(st.none(), ids)),
        "children": draw(st.lists(ids, max_size=3)),
        "last_state_change": draw(st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers())),
        "state": draw(st.one_of(st.sampled_from([1, 2, 4, 8, 16, 32, 64, 128]), st.booleans())),
        "task_spec": draw(st.text(max_size=12)),          # element ids and names, Chinese included
        "triggered": draw(st.booleans()),
        "internal_data": draw(st.dictionaries(st.text(max_size=6), values, max_size=2)),
        "data": draw(st.dictionaries(keys, values, max_size=3)),
        "delta": delta,
        "typename": "Task",
    }


@settings(max_examples=400, deadline=None)
@given(task_dicts())
def test_task_json_is_the_encoders_text(d):
    assert task_json(d, encode) == encode(d)


def test_typical_tasks_and_the_fallbacks():
    base = {"id": "64e654c7-bc11-4f09-b21d-b37d3146e66e", "parent": None, "children": [],
            "last_state_change": 1795824271.0323422, "state": 64, "task_spec": "受理", "triggered": False,
            "internal_data": {"event_fired": True}, "data": {"申请人": {"name": "张三"}, "n": 1.5},
            "delta": {"updates": {"ok": True}, "deletions": ["form"]}, "typename": "Task"}
    cases = [base,
             {**base, "last_state_change": math.nan},                  # NaN: the encoder's spelling
             {**base, "data": {1: "int key"}},                          # a script's int key
             {**base, "delta": {"updates": {}, "deletions": [7]}},     # a non-string deletion
             {**base, "delta": {"updates": {}, "deletions": [], "extra": 1}},
             {**base, "extra": "an unexpected field"}]
    for d in cases:
        assert task_json(d, encode) == encode(d)
    assert json.loads(task_json(base, encode)) == base
