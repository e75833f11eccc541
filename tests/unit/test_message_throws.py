"""What the runtime records of a message thrown for another case (engine/bpmn/events.py,
engine/bpmn/throws.py): the receiver rules evaluated at the throw — a correlation property read
from the payload (SpiffArena), correlation.<variable> / businessKey / payload.<variable> on the throw
(Camunda) — nothing recorded for a message caught inside the case, the rules surviving a save and
load of the spec and the state; and the pure rules the outbox row keeps (engine/domain/messages.py)."""
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine.bpmn.events import Thrown
from engine.bpmn.parser import SourceFile, parse_bundle
from engine.bpmn.runtime import Runtime
from engine.domain import messages as rules
from engine.domain.clock import FrozenClock
from engine.domain.errors import ValidationError

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "message_send.bpmn"
CLOCK = FrozenClock(datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc))
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="http://t">')


def _runtime(*files: SourceFile) -> Runtime:
    bundle = parse_bundle(list(files))
    rt = Runtime()
    for key, proc in bundle.processes.items():
        # the spec as a deployed version keeps it: through its JSON
        rt.specs.add(key, rt.spec_from_json(rt.spec_to_json(proc.spec, proc.subprocess_specs))[0],
                     proc.subprocess_specs)
    return rt


@pytest.fixture(scope="module")
def runtime():
    return _runtime(SourceFile(FIXTURE.name, FIXTURE.read_bytes()))


def _complete(rt, wf, element, data):
    [task] = [t for t in rt.ready_user_tasks(wf) if t.spec_id == element]
    rt.complete(wf, task.id, data, CLOCK)


def test_camunda_properties_name_the_receiver_at_the_throw(runtime):
    wf = runtime.loads(runtime.dumps(runtime.start("issue_licence", {"form": {"application_no": "A-1",
                                                                              "licence_no": "L-1"}}, CLOCK)))
    _complete(runtime, wf, "approve", {})
    assert runtime.take_thrown(wf) == [Thrown("message", "licence_ready", {"licence_no": "L-1"},
                                              {"application_no": "A-1"}, None, "notify")]
    assert [t.spec_id for t in runtime.ready_user_tasks(wf)] == ["archive"]      # the sender goes on
    assert wf.bpmn_events == []


def test_a_correlation_property_is_read_from_the_payload(runtime):
    wf = runtime.start("issue_licence_spiff", {"form": {"application_no": "A-7", "licence_no": "L-7"}}, CLOCK)
    _complete(runtime, wf, "s_approve", {})
    [thrown] = runtime.take_thrown(wf)
    assert thrown.correlation == {"application_no": "A-7"} and thrown.element_id == "s_end"
    assert thrown.variables == {"application_no": "A-7", "licence_no": "L-7"}


def test_a_send_task_without_rules_names_nobody(runtime):
    wf = runtime.start("announce_licence", {}, CLOCK)
    _complete(runtime, wf, "a_approve", {"x": 1})
    assert runtime.take_thrown(wf) == [Thrown("message", "licence_ready", {}, {}, None, "a_send")]


def test_zeebe_business_key_and_a_message_caught_in_its_own_case():
    xml = (HEAD + '<bpmn:message id="m" name="checked"/><bpmn:process id="p" isExecutable="true">'
           '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="g"/>'
           '<bpmn:intermediateThrowEvent id="t"><bpmn:extensionElements><zeebe:properties>'
           '<zeebe:property name="businessKey" value="=&quot;BK-&quot; + k"/>'
           '</zeebe:properties></bpmn:extensionElements><bpmn:messageEventDefinition messageRef="m"/>'
           '</bpmn:intermediateThrowEvent><bpmn:intermediateThrowEvent id="t2">'
           '<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateThrowEvent>'
           '<bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/>'
           '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
           + "".join(f'<bpmn:sequenceFlow id="{i}" sourceRef="{a}" targetRef="{b}"/>' for i, a, b in (
               ("f1", "s", "g"), ("f2", "g", "c"), ("f3", "c", "t"), ("f4", "t", "e1"), ("f5", "g", "t2"),
               ("f6", "t2", "e2")))
           + '</bpmn:process></bpmn:definitions>')
    rt = _runtime(SourceFile("p.bpmn", xml.encode()))
    wf = rt.start("p", {"k": "5"}, CLOCK)
    # t2's message is caught by c in its own case (nothing recorded); t's, thrown after, by nobody here
    assert rt.take_thrown(wf) == [Thrown("message", "checked", {}, {}, "BK-5", "t")]
    assert rt.is_completed(wf)


def test_the_row_keeps_canonical_values_and_refuses_what_cannot_match():
    assert rules.message_correlation({"application_no": "A-1", "n": 2.0}, " BK-1 ", "notify") == {
        "variables": {"application_no": '"A-1"', "n": "2"}, "business_key": "BK-1"}
    assert rules.message_correlation({}, None, None) == {"variables": {}}
    with pytest.raises(ValidationError) as err:
        rules.message_correlation({"items": [1, 2]}, None, "notify")
    assert err.value.code == "correlation_invalid" and err.value.field == "notify.correlation.items"
    with pytest.raises(ValidationError) as err:
        rules.message_correlation({"applicant.id_number": "1"}, None, "notify")
    assert err.value.code == "correlation_variable_private"
    with pytest.raises(ValidationError) as err:
        rules.message_correlation({}, "  ", "notify")
    assert err.value.code == "business_key_invalid" and err.value.field == "notify.businessKey"


def test_the_pause_between_attempts_doubles_up_to_its_ceiling():
    assert [rules.retry_delay(n) for n in (1, 2, 3, 4, 7, 8, 30)] == [5, 10, 20, 40, 300, 300, 300]
