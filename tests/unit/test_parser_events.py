"""Deploying diagrams with messages and signals (docs/integration.md#messages-and-signals): the
catching and throwing elements parse, and an event no one could ever send to is refused, naming
its element."""
from pathlib import Path

import pytest

from engine.bpmn.parser import SourceFile, parse_bundle
from engine.domain.errors import DeployError

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HEAD = ('<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions '
        'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://t">')


@pytest.mark.parametrize("name, processes", [
    ("message_catch", ["wait_for_payment"]), ("receive_task", ["wait_for_licence"]),
    ("boundary_message", ["review_with_messages"]), ("signal_catch", ["wait_for_policy", "review_until_suspended"]),
    ("event_gateway", ["pay_or_expire"])])
def test_message_and_signal_diagrams_deploy(name, processes):
    path = FIXTURES / f"{name}.bpmn"
    assert sorted(parse_bundle([SourceFile(path.name, path.read_bytes())]).processes) == sorted(processes)


def _refused(definitions: str, body: str) -> DeployError:
    xml = (HEAD + definitions + '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>' + body
           + '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
           '<bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="e"/></bpmn:process></bpmn:definitions>')
    with pytest.raises(DeployError) as err:
        parse_bundle([SourceFile("p.bpmn", xml.encode())])
    return err.value


@pytest.mark.parametrize("definitions, body, code", [
    ('<bpmn:message id="m"/>',
     '<bpmn:intermediateCatchEvent id="w"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateCatchEvent>',
     "message_name_missing"),
    ('', '<bpmn:intermediateCatchEvent id="w"><bpmn:messageEventDefinition/></bpmn:intermediateCatchEvent>',
     "message_name_missing"),
    ('', '<bpmn:receiveTask id="w"/>', "message_name_missing"),
    ('<bpmn:signal id="g" name=" "/>',
     '<bpmn:intermediateCatchEvent id="w"><bpmn:signalEventDefinition signalRef="g"/></bpmn:intermediateCatchEvent>',
     "signal_name_missing"),
])
def test_an_event_without_a_name_is_refused_with_its_element(definitions, body, code):
    err = _refused(definitions, body)
    assert err.code == code and err.problems[0].element == "w" and err.problems[0].file == "p.bpmn"
