"""camunda:initiator (engine/bpmn/initiator.py): the start event's variable receives who started
the case, through the stored spec; a diagram without it keeps SpiffWorkflow's own start event."""
from datetime import datetime, timezone

from engine.bpmn.initiator import InitiatorStartEvent
from engine.bpmn.parser import SourceFile, parse_bundle
from engine.bpmn.runtime import Runtime
from engine.domain.clock import FrozenClock
from tests.unit.test_camunda_bpmn import refusals
from tests.unit.test_parser import process

CLOCK = FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc))


def diagram(start_attr: str) -> bytes:
    return process(f'<bpmn:startEvent id="start" {start_attr}/>'
                   '<bpmn:userTask id="t" camunda:assignee="${starter}"/><bpmn:endEvent id="end"/>',
                   flows='<bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="t"/>'
                         '<bpmn:sequenceFlow id="f1" sourceRef="t" targetRef="end"/>')


def _runtime(xml: bytes) -> tuple[Runtime, str]:
    proc = parse_bundle([SourceFile("a.bpmn", xml)]).processes["p"]
    rt = Runtime()
    stored = rt.spec_to_json(proc.spec, proc.subprocess_specs)
    spec, subs = rt.spec_from_json(stored)
    rt.specs.add(1, spec, subs)
    return rt, stored


def test_the_initiator_variable_survives_the_stored_spec_and_receives_the_starter():
    rt, stored = _runtime(diagram('camunda:initiator="starter"'))
    assert "InitiatorStartEvent" in stored
    wf = rt.start(1, {}, CLOCK, started_by="xcz_receiver")
    assert rt.data(wf)["starter"] == "xcz_receiver"
    assert any(isinstance(ts, InitiatorStartEvent) for ts in wf.spec.task_specs.values())


def test_a_start_event_without_it_is_spiffworkflows_own():
    rt, stored = _runtime(diagram(""))
    assert "InitiatorStartEvent" not in stored
    assert "starter" not in rt.data(rt.start(1, {}, CLOCK, started_by="xcz_receiver"))


def test_a_name_that_cannot_be_a_variable_is_refused():
    for bad in ("_x", "a b", "class", "x.y"):
        assert refusals(("a.bpmn", diagram(f'camunda:initiator="{bad}"'))) == [("expression_invalid", "start")]
