"""Moving workflows between versions inside scopes (engine/bpmn/migration.py), without a database:
a sequential multi-instance with one instance done, sub-processes nested in a sub-process and in a
called process, each run to its end on the target; a task entering a sub-process nested in the one
it is in and leaving it again; an event sub-process never created around a task; the state written
after the move is what the stock serializer writes (verify_state)."""
from datetime import datetime, timedelta, timezone

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.parser import SourceFile, parse_bundle
from engine.bpmn.runtime import Runtime
from engine.domain import migration as rules
from engine.domain.clock import FrozenClock
from engine.domain.errors import CaseError
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
CLOCK = FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc))


def _runtime(versions: dict, pid: str) -> Runtime:
    rt = Runtime(verify_state=True)
    for key, text in versions.items():
        proc = parse_bundle([SourceFile("t.bpmn", text.encode())]).processes[pid]
        rt.specs.add(key, proc.spec, proc.subprocess_specs)
    return rt


def _ready(wf) -> list:
    """(task id, spec name, flow) of the READY user tasks, in every sub-workflow too."""
    return [(str(t.id), t.task_spec.name, w.spec.name) for w in (wf, *wf.subprocesses.values())
            for t in w.tasks.values() if t.state == TaskState.READY and t.task_spec.manual]


def _move(rt, wf, source, target, explicit):
    assert rules.check_plan(rt.describe(source), rt.describe(target), explicit, True) == []
    return _cross(rt, wf, source, target, explicit)


def _run_to_end(rt, wf) -> list:
    done = []
    while _ready(wf):
        task_id, name, _ = _ready(wf)[0]
        rt.complete(wf, task_id, {}, CLOCK)
        done.append(name)
    assert rt.is_completed(wf)
    return done


def test_a_sequential_multi_instance_keeps_its_place():
    text = (FIXTURES / "elements" / "multi_instance.bpmn").read_text(encoding="utf-8")
    renamed = text.replace('"sign_off"', '"sign_twice"')
    rt = _runtime({1: text, 2: renamed}, "el_multi_instance")
    wf = rt.start(1, {}, CLOCK)
    for task_id, *_ in _ready(wf):                  # the three parallel countersigns
        rt.complete(wf, task_id, {}, CLOCK)
    [(first, *_)] = _ready(wf)
    rt.complete(wf, first, {}, CLOCK)               # sign-off 1 of 2
    [(second, name, _)] = _ready(wf)
    assert name == "sign_off [child]"
    moved = _move(rt, wf, 1, 2, {"sign_off": "sign_twice"})
    assert _ready(moved) == [(second, "sign_twice [child]", "el_multi_instance")]
    assert _run_to_end(rt, moved) == ["sign_twice [child]"]       # no third instance: 2 as before


def test_sub_processes_nested_in_a_sub_process_and_in_a_called_process_move():
    text = (FIXTURES / "user_task_in_subprocess.bpmn").read_text(encoding="utf-8")
    renamed = (text.replace('"verify_inner"', '"verify_again"').replace('"recheck"', '"recheck_again"')
               .replace('"sign_block"', '"sign_part"'))
    explicit = {"verify_inner": "verify_again", "recheck": "recheck_again", "sign_block": "sign_part"}
    rt = _runtime({1: text, 2: renamed}, "sub_tasks")

    inner = rt.start(1, {}, CLOCK)
    rt.complete(inner, _ready(inner)[0][0], {}, CLOCK)              # site_check: into verify_inner
    [(task, _, flow)] = _ready(inner)
    assert flow == "verify_inner"
    moved = _move(rt, inner, 1, 2, explicit)
    assert _ready(moved) == [(task, "recheck_again", "verify_again")]
    assert _run_to_end(rt, moved) == ["recheck_again", "sign"]

    called = rt.start(1, {}, CLOCK)
    for _ in range(2):
        rt.complete(called, _ready(called)[0][0], {}, CLOCK)
    [(task, _, flow)] = _ready(called)
    assert flow == "sign_block"                                      # in the called process's sub-process
    moved = _move(rt, called, 1, 2, explicit)
    assert _ready(moved) == [(task, "sign", "sign_part")]
    assert sorted(w.spec.name for w in moved.subprocesses.values()) == ["sign_part", "sub_tasks_sign"]
    assert _run_to_end(rt, moved) == ["sign"]


_NESTED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="px" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:subProcess id="outer">
      <bpmn:startEvent id="o_start"/>
      {inner}
      <bpmn:endEvent id="o_end"/>
      <bpmn:sequenceFlow id="o1" sourceRef="o_start" targetRef="{first}"/>
      <bpmn:sequenceFlow id="o2" sourceRef="{first}" targetRef="o_end"/>
    </bpmn:subProcess>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="outer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="outer" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""
_CHECK = '<bpmn:userTask id="check" camunda:candidateGroups="township:reviewer"/>'
_WRAPPED = ('<bpmn:subProcess id="inner"><bpmn:startEvent id="i_start"/>' + _CHECK + '<bpmn:endEvent id="i_end"/>'
            '<bpmn:sequenceFlow id="i1" sourceRef="i_start" targetRef="check"/>'
            '<bpmn:sequenceFlow id="i2" sourceRef="check" targetRef="i_end"/></bpmn:subProcess>')
_EVENT_SUB = ('<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="e_start">'
              '<bpmn:timerEventDefinition><bpmn:timeDuration>P1D</bpmn:timeDuration></bpmn:timerEventDefinition>'
              '</bpmn:startEvent><bpmn:userTask id="e_check" camunda:candidateGroups="township:reviewer"/>'
              '<bpmn:endEvent id="e_end"/><bpmn:sequenceFlow id="e1" sourceRef="e_start" targetRef="e_check"/>'
              '<bpmn:sequenceFlow id="e2" sourceRef="e_check" targetRef="e_end"/></bpmn:subProcess>')


def _cross(rt, wf, source, target, explicit=None):
    """The case checked and moved as the service does it (crossings included)."""
    described_source, described_target = rt.describe(source), rt.describe(target)
    mapping = rules.full_mapping(described_source, described_target, explicit or {})
    active = rt.active_elements(wf)
    assert rules.check_case(1, active, described_source, described_target, mapping) == []
    moves = rules.crossings(active, described_source, described_target, mapping)
    return rt.migrate(rt.loads(rt.dumps(wf)), target, mapping, CLOCK,
                      entering={e: m.owner for e, m in moves.items() if m.direction == "enter"},
                      leaving=frozenset(e for e, m in moves.items() if m.direction == "leave"))


def test_a_task_inside_a_sub_process_enters_and_leaves_a_sub_process_nested_in_it():
    flat = _NESTED.format(inner=_CHECK, first="check")
    nested = _NESTED.format(inner=_WRAPPED, first="inner")
    rt = _runtime({"flat": flat, "nested": nested}, "px")
    wf = rt.start("flat", {"case": 1}, CLOCK)
    [(task_id, _, flow)] = _ready(wf)
    assert flow == "outer"
    moved = _cross(rt, wf, "flat", "nested")                 # into `inner`, inside `outer`
    assert _ready(moved) == [(task_id, "check", "inner")]
    assert {w.spec.name for w in moved.subprocesses.values()} == {"outer", "inner"}
    back = _cross(rt, moved, "nested", "flat")               # and out of it again
    assert _ready(back) == [(task_id, "check", "outer")]
    assert [w.spec.name for w in back.subprocesses.values()] == ["outer"]
    assert _run_to_end(rt, back) == ["check"]
    assert back.is_completed() and back.last_task.data["case"] == 1


def test_an_event_sub_process_is_never_created_around_a_task():
    flat = _NESTED.format(inner=_CHECK, first="check")
    with_event = _NESTED.format(inner=_CHECK + _EVENT_SUB, first="check")   # beside check
    rt = _runtime({"flat": flat, "event": with_event}, "px")
    source, target = rt.describe("flat"), rt.describe("event")
    assert target["esp"].kind == "eventSubProcess"
    [problem] = rules.check_plan(source, target, {"check": "e_check"}, True)
    assert (problem.code, problem.element) == ("migration_scope_unsupported", "check")


_GUARDED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="pg" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:subProcess id="outer">
      <bpmn:startEvent id="o_start"/>""" + _CHECK + """<bpmn:endEvent id="o_end"/>
      <bpmn:sequenceFlow id="o1" sourceRef="o_start" targetRef="check"/>
      <bpmn:sequenceFlow id="o2" sourceRef="check" targetRef="o_end"/>
    </bpmn:subProcess>
    <bpmn:boundaryEvent id="late" attachedToRef="outer" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="remind" camunda:candidateGroups="township:receiver"/>
    <bpmn:endEvent id="r_end"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="outer"/>
    <bpmn:sequenceFlow id="f2" sourceRef="outer" targetRef="end"/>
    <bpmn:sequenceFlow id="f3" sourceRef="late" targetRef="remind"/>
    <bpmn:sequenceFlow id="f4" sourceRef="remind" targetRef="r_end"/>
  </bpmn:process>
</bpmn:definitions>"""
_GUARDED_FLAT = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <bpmn:process id="pg" isExecutable="true">
    <bpmn:startEvent id="start"/>""" + _CHECK + """
    <bpmn:userTask id="remind" camunda:candidateGroups="township:receiver"/>
    <bpmn:endEvent id="end"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="check"/>
    <bpmn:sequenceFlow id="f2" sourceRef="check" targetRef="remind"/>
    <bpmn:sequenceFlow id="f3" sourceRef="remind" targetRef="end"/>
  </bpmn:process>
</bpmn:definitions>"""


def test_a_sub_process_whose_boundary_event_started_a_token_is_not_removed():
    rt = _runtime({"guarded": _GUARDED, "flat": _GUARDED_FLAT}, "pg")
    clock = FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc))
    wf = rt.start("guarded", {}, clock)
    untouched = rt.loads(rt.dumps(wf))
    moved = _cross(rt, untouched, "guarded", "flat")          # the timer still waits: it goes with outer
    assert [name for _, name, _ in _ready(moved)] == ["check"]
    clock.advance(timedelta(hours=2))
    rt.fire_timers(wf, clock)
    assert sorted(name for _, name, _ in _ready(wf)) == ["check", "remind"]
    with pytest.raises(CaseError) as err:
        _cross(rt, wf, "guarded", "flat")
    assert (err.value.code, err.value.detail["element"]) == ("migration_scope_shared", "check")
    assert "remind" in err.value.message
