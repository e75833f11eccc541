"""Service tasks of every dialect become external tasks on a topic; one naming no topic, or a
Camunda type Lianban cannot run, is refused at deploy time with the element. The worker library
imports nothing of the engine; the back-off rule of a failure."""
import ast
from datetime import datetime, timedelta, timezone

import pytest

from engine.bpmn.parser import SourceFile, parse_bundle
from engine.domain import external_tasks as rules
from engine.domain.errors import DeployError, ValidationError
from engine.domain.external_tasks import TopicRequest
from tests.conftest import ROOT

HEAD = ('<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="http://t">'
        '<bpmn:process id="p" isExecutable="true"><bpmn:startEvent id="start"/>')
TAIL = ('<bpmn:endEvent id="end"/><bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="svc"/>'
        '<bpmn:sequenceFlow id="f2" sourceRef="svc" targetRef="end"/></bpmn:process></bpmn:definitions>')


def parse(service_task: str):
    return parse_bundle([SourceFile("p.bpmn", (HEAD + service_task + TAIL).encode())])


def topic(service_task: str) -> str:
    spec = parse(service_task).processes["p"].spec
    return spec.task_specs["svc"].topic


@pytest.mark.parametrize("element, expected", [
    ('<bpmn:serviceTask id="svc" camunda:type="external" camunda:topic="fee-payment-check"/>', "fee-payment-check"),
    ('<bpmn:serviceTask id="svc" camunda:class="org.example.FeeCheckDelegate"/>', "org.example.FeeCheckDelegate"),
    ('<bpmn:serviceTask id="svc" camunda:delegateExpression="${feeCheck}"/>', "feeCheck"),
    ('<bpmn:serviceTask id="svc" camunda:expression="${fees.check(execution)}"/>', "fees.check(execution)"),
    ('<bpmn:serviceTask id="svc"><bpmn:extensionElements><zeebe:taskDefinition type="licence-issue"/>'
     '</bpmn:extensionElements></bpmn:serviceTask>', "licence-issue"),
    ('<bpmn:serviceTask id="svc"><bpmn:extensionElements><spiffworkflow:serviceTaskOperator id="lookup" '
     'resultVariable="r"><spiffworkflow:parameters/></spiffworkflow:serviceTaskOperator></bpmn:extensionElements>'
     '</bpmn:serviceTask>', "lookup"),
])
def test_every_dialect_becomes_a_topic(element, expected):
    assert topic(element) == expected


@pytest.mark.parametrize("element, code", [
    ('<bpmn:serviceTask id="svc"/>', "service_task_topic_missing"),
    ('<bpmn:serviceTask id="svc" camunda:type="external"/>', "service_task_topic_missing"),
    ('<bpmn:serviceTask id="svc" camunda:type="connector"/>', "service_task_type_unsupported"),
    ('<bpmn:serviceTask id="svc" camunda:type="external" camunda:topic="' + "t" * 201 + '"/>',
     "service_task_topic_too_long"),
])
def test_a_service_task_without_a_runnable_topic_is_refused_with_its_element(element, code):
    with pytest.raises(DeployError) as err:
        parse(element)
    [problem] = err.value.problems
    assert (problem.code, problem.element) == (code, "svc")


def test_the_worker_library_talks_http_only():
    for path in (ROOT / "lianban_worker").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module]
        assert not [n for n in names if n.split(".")[0] in ("engine", "api", "demo", "sqlalchemy", "flask")], path


def test_failure_back_off_and_limits():
    now = datetime(2026, 12, 7, tzinfo=timezone.utc)
    assert rules.available_again(now, 2, 30_000) == now + timedelta(seconds=30)
    assert rules.available_again(now, 0, 30_000) is None          # out of retries: an incident, never again
    for retries, timeout in ((-1, 0), (rules.MAX_RETRIES + 1, 0), (1, -1), (1, rules.MAX_RETRY_TIMEOUT_MS + 1)):
        with pytest.raises(ValidationError):
            rules.check_failure(retries, timeout, None, None)
    with pytest.raises(ValidationError):
        rules.check_fetch(1, [TopicRequest(" ", 1000)])
    with pytest.raises(ValidationError):
        rules.check_fetch(1, [TopicRequest("t", rules.MAX_LOCK_MS + 1)])
