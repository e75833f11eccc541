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


CAMUNDA = 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '


def _throw_process(body: str, definitions: str = '<bpmn:message id="m" name="licence_ready"/>'):
    xml = (HEAD.replace('xmlns:bpmn=', CAMUNDA + 'xmlns:bpmn=') + definitions
           + '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="s"/>' + body
           + '<bpmn:endEvent id="e"/><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="w"/>'
           '<bpmn:sequenceFlow id="f2" sourceRef="w" targetRef="e"/></bpmn:process></bpmn:definitions>')
    return SourceFile("p.bpmn", xml.encode())


@pytest.mark.parametrize("body", [
    '<bpmn:intermediateThrowEvent id="w"><bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateThrowEvent>',
    '<bpmn:sendTask id="w" messageRef="m"/>',
])
def test_a_message_thrown_to_another_case_deploys(body):
    """No longer refused: the outbox delivers it to the one other case waiting for it
    (docs/integration.md#messages-thrown-between-cases)."""
    assert list(parse_bundle([_throw_process(body)]).processes) == ["p"]


def test_a_message_end_event_to_another_case_deploys_too():
    xml = (HEAD + '<bpmn:message id="m" name="done"/><bpmn:process id="p" isExecutable="true">'
           '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"><bpmn:messageEventDefinition messageRef="m"/>'
           '</bpmn:endEvent><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="e"/></bpmn:process>'
           '</bpmn:definitions>')
    assert list(parse_bundle([SourceFile("p.bpmn", xml.encode())]).processes) == ["p"]


def test_a_throw_naming_no_message_is_still_refused_with_its_element():
    err = _refused('', '<bpmn:intermediateThrowEvent id="w"><bpmn:messageEventDefinition/>'
                       '</bpmn:intermediateThrowEvent>')
    assert err.code == "message_name_missing" and err.problems[0].element == "w"


def test_receiver_rules_are_translated_into_the_spec():
    body = ('<bpmn:intermediateThrowEvent id="w"><bpmn:extensionElements><camunda:properties>'
            '<camunda:property name="correlation.licence_no" value="${licence.no}"/>'
            '<camunda:property name="businessKey" value="${applicationNo}"/>'
            '<camunda:property name="payload.amount" value="fee * 2"/>'
            '<camunda:property name="unrelated" value="kept as it is"/>'
            '</camunda:properties></bpmn:extensionElements>'
            '<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateThrowEvent>')
    spec = parse_bundle([_throw_process(body)]).processes["p"].spec
    props = spec.task_specs["w"].extensions["properties"]
    assert props["lianban:correlation.licence_no"] == "licence['no']"
    assert props["lianban:businessKey"] == "applicationNo"
    assert props["lianban:payload.amount"] == "fee * 2"
    assert "lianban:unrelated" not in props


@pytest.mark.parametrize("name, value", [
    ("correlation.", "x"), ("correlation.a-b", "x"), ("payload.x", ""), ("correlation.x", "__import__('os')"),
    ("correlation.x", "${a.b()}")])
def test_a_receiver_rule_that_cannot_work_is_refused_with_its_element(name, value):
    body = ('<bpmn:intermediateThrowEvent id="w"><bpmn:extensionElements><camunda:properties>'
            f'<camunda:property name="{name}" value="{value}"/></camunda:properties></bpmn:extensionElements>'
            '<bpmn:messageEventDefinition messageRef="m"/></bpmn:intermediateThrowEvent>')
    with pytest.raises(DeployError) as err:
        parse_bundle([_throw_process(body)])
    assert err.value.problems[0].element == "w"
    assert err.value.code in ("message_rule_invalid", "expression_invalid", "juel_unsupported")


def test_a_message_thrown_and_caught_inside_one_process_deploys():
    """SpiffWorkflow delivers it within the case: a throw on one branch, a catch on the other."""
    flows = [("f1", "s", "g"), ("f2", "g", "t"), ("f3", "t", "e1"), ("f4", "g", "c"), ("f5", "c", "e2")]
    xml = (HEAD + '<bpmn:message id="m" name="checked"/><bpmn:process id="p" isExecutable="true">'
           '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="g"/>'
           '<bpmn:intermediateThrowEvent id="t"><bpmn:messageEventDefinition messageRef="m"/>'
           '</bpmn:intermediateThrowEvent>'
           '<bpmn:intermediateCatchEvent id="c"><bpmn:messageEventDefinition messageRef="m"/>'
           '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
           + "".join(f'<bpmn:sequenceFlow id="{i}" sourceRef="{a}" targetRef="{b}"/>' for i, a, b in flows)
           + '</bpmn:process></bpmn:definitions>')
    assert list(parse_bundle([SourceFile("p.bpmn", xml.encode())]).processes) == ["p"]


def test_signal_throw_diagrams_deploy_with_a_signal_end_event():
    path = FIXTURES / "signal_throw.bpmn"
    processes = parse_bundle([SourceFile(path.name, path.read_bytes())]).processes
    assert sorted(processes) == ["policy_breaks_script", "publish_policy", "suspend_service"]
    end = processes["suspend_service"].spec.task_specs["s_end"]
    assert type(end.event_definition).__name__ == "SignalEventDefinition"
    assert end.event_definition.name == "service_suspended"
