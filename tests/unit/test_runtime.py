"""The runtime wraps SpiffWorkflow 3.2.0's traps: specs stay out of case state, the sandbox is
always the engine (also after deserialization), user data that breaks the serializer is refused,
lists are not merged, ISO timer literals work, and time comes from the injected clock."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from engine.bpmn.parser import SourceFile, parse_bundle
from engine.bpmn.runtime import Runtime
from engine.bpmn.timers import is_literal, literal_due, quote_literal
from engine.bpmn.user_data import check_user_data
from engine.domain.clock import FrozenClock
from engine.domain.errors import CaseError, ValidationError
from tests.unit.test_parser import CAMUNDA7, linear, process

T0 = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)


def runtime_for(xml: bytes, pid="p"):
    bundle = parse_bundle([SourceFile("t.bpmn", xml)])
    rt = Runtime()
    proc = bundle.processes[pid]
    rt.specs.add(1, proc.spec, proc.subprocess_specs)
    return rt


def test_state_is_serialized_without_the_spec_and_restores_with_the_sandbox():
    rt = runtime_for(linear(CAMUNDA7))
    wf = rt.start(1, {"applicant": {"name": "张三"}}, FrozenClock(T0))
    state = rt.dumps(wf)
    dct = json.loads(state)
    assert dct["spec_ref"] == 1 and "spec" not in dct
    restored = rt.loads(state)
    assert restored.script_engine is rt.script_engine
    assert [t.spec_id for t in rt.ready_user_tasks(restored)] == ["t"]
    assert rt.dumps(restored) == state


def test_typename_and_non_json_data_are_refused():
    for bad, field in [({"typename": 1}, "typename"), ({"a": [{"b": {"typename": 2}}]}, "a[0].b.typename"),
                       ({"x": {1, 2}}, "x"), ({"1abc": 1}, "1abc")]:
        with pytest.raises(ValidationError) as err:
            check_user_data(bad)
        assert err.value.field == field
    check_user_data({"ok": [1, "二", {"nested": None}], "flag": True})


def test_completing_replaces_lists_instead_of_merging_them():
    rt = runtime_for(process('<bpmn:startEvent id="start"/>'
                             '<bpmn:userTask id="a" camunda:candidateGroups="village:agent"/>'
                             '<bpmn:userTask id="b" camunda:candidateGroups="village:agent"/><bpmn:endEvent id="end"/>',
                             flows='<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="a"/>'
                                   '<bpmn:sequenceFlow id="f1" sourceRef="a" targetRef="b"/>'
                                   '<bpmn:sequenceFlow id="f2" sourceRef="b" targetRef="end"/>'))
    clock = FrozenClock(T0)
    wf = rt.start(1, {}, clock)
    [a] = rt.ready_user_tasks(wf)
    rt.complete(wf, a.id, {"scores": [1, 2]}, clock)
    [b] = rt.ready_user_tasks(wf)
    rt.complete(wf, b.id, {"scores": [5, 5]}, clock)      # DeepMerge would keep [1, 2]
    assert rt.data(wf)["scores"] == [5, 5]


def test_completing_a_task_that_is_not_ready_is_a_case_error():
    rt = runtime_for(linear(CAMUNDA7))
    clock = FrozenClock(T0)
    wf = rt.start(1, {}, clock)
    [t] = rt.ready_user_tasks(wf)
    rt.complete(wf, t.id, {}, clock)
    with pytest.raises(CaseError) as err:
        rt.complete(wf, t.id, {}, clock)
    assert err.value.code == "task_not_open"


def test_script_failure_is_a_case_error_naming_the_element():
    rt = runtime_for(linear('<bpmn:scriptTask id="t"><bpmn:script>x = 1 / 0</bpmn:script></bpmn:scriptTask>'))
    with pytest.raises(CaseError) as err:
        rt.start(1, {}, FrozenClock(T0))
    assert err.value.detail.get("element") == "t"


def test_boundary_timer_literal_uses_the_injected_clock():
    boundary = ('<bpmn:boundaryEvent id="late" attachedToRef="t" cancelActivity="true">'
                '<bpmn:outgoing>f2</bpmn:outgoing>'
                '<bpmn:timerEventDefinition><bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition>'
                '</bpmn:boundaryEvent><bpmn:endEvent id="too_late"/>'
                '<bpmn:sequenceFlow id="f2" sourceRef="late" targetRef="too_late"/>')
    rt = runtime_for(linear(CAMUNDA7, extra=boundary))
    clock = FrozenClock(T0)
    wf = rt.start(1, {}, clock)
    [(_, element, due)] = rt.waiting_timers(wf)
    assert element == "late" and due == T0 + timedelta(days=3)
    clock.advance(timedelta(days=3, seconds=1))
    rt.fire_timers(wf, clock)
    assert rt.is_completed(wf) and rt.ready_user_tasks(wf) == []


@pytest.mark.parametrize("text, literal", [("P7D", True), ("R3/P1D", True), ("PT1H30M", True),
                                           ("2026-12-01T09:00:00+08:00", True), ("2026-12-01", True),
                                           ("P", False), ("workdays(3)", False), ("'P3D'", False)])
def test_timer_literals(text, literal):
    assert is_literal(text) is literal


def test_naive_literal_dates_are_beijing_time():
    assert quote_literal("2026-12-01T09:00:00") == "'2026-12-01T09:00:00+08:00'"
    assert literal_due("2026-12-01T09:00:00", T0) == datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)
    assert literal_due("P2D", T0) == T0 + timedelta(days=2)
