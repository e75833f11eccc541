"""Service tasks as external tasks (Camunda's external-task pattern): the workflow stops at the
service task and waits until a worker outside the engine, in any language, completes it.

Lianban runs no Java and no code named by a diagram, so every dialect of service task becomes a
topic a worker subscribes to:
- Camunda 7 `camunda:type="external" camunda:topic="t"`: topic t;
- Camunda 7 `camunda:class`, `camunda:delegateExpression`, `camunda:expression`: a topic named
  after the delegate (the class name, or the expression without `${...}`);
- Camunda 8 `<zeebe:taskDefinition type="t"/>`: topic t;
- SpiffArena `<spiffworkflow:serviceTaskOperator id="op"/>`: topic op.

SpiffWorkflow 3.2.0 runs a task whose `_run_hook` returns None into STARTED and leaves it there:
that is the waiting state. `complete` runs the task's completion (post-script, output) and the
workflow goes on; `throw_bpmn_error` throws an error event at the task's boundary."""
from __future__ import annotations

import copy
import re
from typing import Optional

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import ErrorEventDefinition
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.spiff.parser.task_spec import SpiffTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import SpiffBpmnTaskConverter
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.xml import CAMUNDA_NS, NS
from engine.domain.errors import ProblemList

_C = "{%s}" % CAMUNDA_NS
MAX_TOPIC = 200
_EXPRESSION = re.compile(r"^[$#]\{\s*(.*?)\s*\}$", re.S)


def topic_of(node: etree._Element) -> Optional[str]:
    """The topic a service task's worker subscribes to, in whichever dialect it was written; None
    when the element names no implementation at all."""
    if node.get(_C + "type") == "external":
        return (node.get(_C + "topic") or "").strip() or None
    for attr in ("class", "delegateExpression", "expression"):
        value = (node.get(_C + attr) or "").strip()
        if value:
            match = _EXPRESSION.match(value)
            return (match.group(1) if match else value) or None
    ext = node.find("bpmn:extensionElements", NS)
    if ext is not None:
        zeebe = ext.find("zeebe:taskDefinition", NS)
        if zeebe is not None and (zeebe.get("type") or "").strip():
            return zeebe.get("type").strip()
        spiff = ext.find("spiffworkflow:serviceTaskOperator", NS)
        if spiff is not None and (spiff.get("id") or "").strip():
            return spiff.get("id").strip()
    return None


def priority_of(node: etree._Element) -> int:
    text = (node.get(_C + "taskPriority") or "").strip()
    return int(text) if text.lstrip("-").isdigit() and len(text) < 10 else 0


def check_service_task(node: etree._Element, problems: ProblemList, file_name: str) -> None:
    """Report a service task that cannot become an external task."""
    where = {"file": file_name, "element": node.get("id"), "line": node.sourceline}
    if node.get(_C + "type") not in (None, "external"):
        problems.add("service_task_type_unsupported",
                     f"camunda:type={node.get(_C + 'type')!r} is not supported: Lianban runs service tasks as "
                     "external tasks (camunda:type=\"external\" with a camunda:topic)", **where)
        return
    topic = topic_of(node)
    if topic is None:
        problems.add("service_task_topic_missing",
                     "a service task needs a topic for its external worker: camunda:type=\"external\" with "
                     "camunda:topic, camunda:class / delegateExpression / expression, or zeebe:taskDefinition type",
                     **where)
    elif len(topic) > MAX_TOPIC:
        problems.add("service_task_topic_too_long", f"a topic has at most {MAX_TOPIC} characters", **where)


class ExternalServiceTask(SpiffBpmnTask):
    """A service task done by an external worker: it waits in STARTED until completed."""

    def __init__(self, wf_spec, name, topic: str = "", priority: int = 0, **kwargs):
        super().__init__(wf_spec, name, **kwargs)
        self.topic = topic
        self.priority = priority

    def _run_hook(self, my_task):
        return None          # STARTED: the external_task row is the worker's handle on it


class ExternalServiceTaskParser(SpiffTaskParser):
    def create_task(self):
        extensions = self.parse_extensions()
        return self.spec_class(self.spec, self.bpmn_id, topic=topic_of(self.node) or "",
                               priority=priority_of(self.node), prescript=extensions.get("preScript"),
                               postscript=extensions.get("postScript"), **self.bpmn_attributes)


class ExternalServiceTaskConverter(SpiffBpmnTaskConverter):
    """How the spec of a deployed version and each case's state name the task (the topic is in
    the spec, so a case restored later still knows it)."""

    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct["topic"] = spec.topic
        dct["priority"] = spec.priority
        return dct


def waiting(workflow) -> list[tuple[str, str, str, int, dict]]:
    """(task id, element, topic, priority, data) of every external task waiting for its worker."""
    out = []
    for wf in (workflow, *workflow.subprocesses.values()):
        for t in wf.tasks.values():
            if t.state == TaskState.STARTED and isinstance(t.task_spec, ExternalServiceTask):
                spec = t.task_spec
                out.append((str(t.id), spec.bpmn_id or spec.name, spec.topic, spec.priority, t.data))
    return out


def has_external(spec, subprocess_specs: dict) -> bool:
    return any(isinstance(ts, ExternalServiceTask)
               for s in (spec, *subprocess_specs.values()) for ts in s.task_specs.values())


def complete(task, variables: dict) -> None:
    task.data.update(copy.deepcopy(variables))
    task.complete()


def throw_bpmn_error(task, code: str, message: Optional[str], variables: dict) -> bool:
    """Throw error `code` from the waiting task: True when an error boundary event (on the task or
    an enclosing sub-process) caught it, False when nothing catches it (nothing changed then)."""
    manager = task.workflow.top_workflow.event_manager
    catching = sorted((w for w in manager.tasks.values()
                       if isinstance(w.task_spec.event_definition, ErrorEventDefinition)
                       and w.task_spec.event_definition.code in (None, code)),
                      key=lambda w: w.task_spec.event_definition.code is None)   # the exact code first
    if not catching:
        return False
    # the same class as the catching one (SpiffArena's parser makes its own subclass): events match by class
    definition = copy.copy(catching[0].task_spec.event_definition)
    definition.code = code
    payload = copy.deepcopy(task.data)
    payload.update(copy.deepcopy(variables))
    if message:
        payload.setdefault("errorMessage", message)
    task.workflow.top_workflow.catch(BpmnEvent(definition, payload=payload, target=task.workflow))
    # a catching event that fired is READY now; the engine steps that follow cancel the activity
    return any(w.state != TaskState.WAITING for w in catching)
