"""The state JSON (engine/bpmn/state_json.py) writes each task's text field by field and keeps it
under a fingerprint; whatever a task holds, the whole state must be byte for byte what the stock
SpiffWorkflow serializer writes, before and after the task changes."""
from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.runtime import Runtime
from engine.domain.clock import FrozenClock
from tests.unit.test_parser import CAMUNDA7, linear
from tests.unit.test_runtime import T0, runtime_for

keys = st.one_of(st.text(max_size=6), st.integers(), st.booleans())
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
                    st.text(max_size=10))          # Chinese and control characters included
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(keys, inner, max_size=3)),
                      max_leaves=8)

RT = runtime_for(linear(CAMUNDA7))
STOCK = RT._make_state_serializer(caching=False)


def _case():
    wf = RT.start(1, {"applicant": {"name": "张三"}, "form": {"n": 1}}, FrozenClock(T0))
    RT.dumps(wf)                                  # every task's text is cached from here on
    ready = next(t for t in wf.tasks.values() if t.task_spec.manual and t.state == TaskState.READY)
    return wf, ready


def _same(wf) -> None:
    assert RT.dumps(wf) == STOCK.serialize_json(wf)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(keys, values, max_size=4), st.dictionaries(st.text(max_size=6), values, max_size=2),
       st.booleans())
def test_any_task_data_gives_the_stock_serializers_text(data, internal, drop_inherited):
    wf, task = _case()
    task.data.update(data)                        # updates against the parent: ints, NaN, nesting, keys
    if drop_inherited:
        task.data.pop("form", None)               # a deletion against the parent
    task.internal_data.update(internal)
    _same(wf)
    task.parent.data[7] = "a script's int key"   # a non-string deletion for the child
    task.parent.last_state_change += 1.0
    _same(wf)


def test_unusual_task_fields_fall_back_to_the_encoder():
    wf, task = _case()
    task.last_state_change = math.nan             # the encoder's spelling: NaN
    _same(wf)
    task.last_state_change = 1_795_824_271        # an int, not a float
    task.triggered = True
    _same(wf)


def test_a_predicted_task_follows_its_parents_keys_even_when_their_number_stays():
    wf, task = _case()
    task.data.pop("form")                         # same number of keys, another key set: the
    task.data[""] = None                          # predicted child's deletions change with it
    _same(wf)


def test_the_stock_writer_for_measurements_writes_the_same_text():
    """bench/bench_engine.py compares the state writer with the stock serializer through
    Runtime(incremental_state=False): both must write the very same state."""
    stock_rt = Runtime(incremental_state=False)
    stock_rt.specs = RT.specs
    wf, ready = _case()
    ready.data["x"] = {"y": [1, "二"]}
    assert stock_rt.dumps(wf) == RT.dumps(wf) == STOCK.serialize_json(wf)
