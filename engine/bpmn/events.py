"""Messages and signals from outside: what a workflow waits for, and delivering one to it.

A workflow waits for a message or a signal in its event manager: an intermediate catch event, a
receive task, a boundary event of a task that is open, or an event-based gateway whose branches
catch one. `waiting_subscriptions` lists them (the case's rows in `event_subscription` follow it,
so waiting cases are found without loading any workflow); `deliver` hands one to the workflow.

SpiffWorkflow 3.2.0 matches an event by the class of its definition (the spiff parser's message
class, not bpmn's), so we deliver with the waiting task's own definition object. The caller's
variables land in the data of the catching task, which the steps after it inherit, and in the
process's own data (the case's data, as Camunda's process variables), whatever the diagram says
about payloads (Camunda diagrams have no spiffworkflow:messageVariable); a spiff
messageVariable / signal variable still receives them as the whole payload, as SpiffArena does.
Correlation with a particular case is ours (case number, business key, case id): within the case
the message name decides. A non-interrupting boundary event catches every delivery while its
activity is active, each starting its path (Camunda's rule; SpiffWorkflow's catches once).

Signals thrown inside a case: SpiffWorkflow hands every throw to the top workflow's `catch`, which
gives it to the tasks of the same workflow that wait for it (the throwing case receives its own
signal, as in SpiffWorkflow) and parks it in `bpmn_events` when none does. `watch_throws` wraps
that `catch` on each workflow we create or load, to record every signal thrown (`take_thrown`)
for the other cases, which get it through the outbox (engine/services/messages/outbox.py), and
to keep the parked copy out of the saved state. A message thrown in a case goes to a task of the
same case waiting for it (SpiffWorkflow's rule); one that none catches is recorded the same way,
with what names its receiver, for the one other case waiting for it
(docs/integration.md#messages-thrown-between-cases)."""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Optional

from SpiffWorkflow.bpmn import BpmnEvent
from SpiffWorkflow.bpmn.specs.event_definitions.item_aware_event import SignalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.multiple import MultipleEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import throws

MESSAGE, SIGNAL = "message", "signal"
KINDS = (MESSAGE, SIGNAL)


@dataclass(frozen=True)
class Subscription:
    task_id: str        # the waiting SpiffWorkflow task (a gateway, a catch event, a boundary event)
    kind: str           # message | signal
    name: str           # the bpmn:message / bpmn:signal name
    element_id: str     # the BPMN element that waits

    @property
    def key(self) -> tuple[str, str, str]:
        return self.task_id, self.kind, self.name


@dataclass(frozen=True)
class Thrown:
    kind: str           # signal | message
    name: str
    variables: dict     # the throw's payload when it is an object (spiffworkflow payload expression), else {}
    # a message's receiver (engine/bpmn/throws.py): variable -> value it must wait with, its business key
    correlation: dict = field(default_factory=dict)
    business_key: Optional[str] = None
    element_id: Optional[str] = None


def watch_throws(workflow) -> None:
    """Record the signals `workflow` (or any of its sub-workflows) throws from now on, and the
    messages it throws that no task of its own catches (for another case)."""
    thrown: list = []
    stock_catch = workflow.catch          # the bound method of BpmnWorkflow

    def catch(event):
        definition = event.event_definition
        kind = _kind(definition)
        if event.target is not None or kind is None or not definition.name:
            return stock_catch(event)
        if kind == SIGNAL:
            payload = event.payload if isinstance(event.payload, dict) else {}
            thrown.append(Thrown(SIGNAL, definition.name, copy.deepcopy(payload)))
        parked = len(workflow.bpmn_events)
        result = stock_catch(event)
        if kind == MESSAGE and len(workflow.bpmn_events) > parked:
            thrown.append(_message_out(workflow, event))     # nothing here caught it: another case's
        # not caught inside: SpiffWorkflow parks it for its caller; ours is the outbox
        del workflow.bpmn_events[parked:]
        return result

    workflow.catch = catch
    workflow.lianban_thrown = thrown


def _throwing_task(workflow, definition):
    """The task throwing `definition` now: it runs while READY (its spec's _run throws)."""
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in wf.get_tasks(state=TaskState.READY):
            if any(d is definition for d in _definitions(task)):
                return task
    return None


def _message_out(workflow, event) -> Thrown:
    """A message for another case: its payload (spiffworkflow:messagePayload, then each
    payload.<variable> rule), and its receiver — the values of the bpmn:correlationProperty
    retrieval expressions SpiffWorkflow evaluated on the payload, then the correlation.<variable>
    and businessKey rules, evaluated on the throwing task's data (engine/bpmn/throws.py)."""
    definition = event.event_definition
    payload = copy.deepcopy(event.payload) if isinstance(event.payload, dict) else {}
    correlation = {prop: value for props in (event.correlations or {}).values() for prop, value in props.items()}
    task = _throwing_task(workflow, definition)
    business_key, element_id = None, None
    if task is not None:
        element_id = task.task_spec.bpmn_id or task.task_spec.name
        rules, key, payload_rules = throws.split(
            (getattr(task.task_spec, "extensions", None) or {}).get("properties"))
        engine = task.workflow.script_engine
        payload.update({name: engine.evaluate(task, expression) for name, expression in payload_rules.items()})
        correlation.update({name: engine.evaluate(task, expression) for name, expression in rules.items()})
        if key is not None:
            value = engine.evaluate(task, key)
            business_key = None if value is None else str(value)
    return Thrown(MESSAGE, definition.name, payload, copy.deepcopy(correlation), business_key, element_id)


def take_thrown(workflow) -> list[Thrown]:
    """The signals (and messages for other cases) thrown since the last call (and forget them).
    Free when nothing was thrown."""
    thrown = getattr(workflow, "lianban_thrown", None)
    if not thrown:
        return []
    out = list(thrown)
    thrown.clear()
    return out


def message_starts(spec) -> list[tuple[str, str]]:
    """(element id, message name) of each message start event of a process spec: a message of
    that name from outside starts a case (docs/integration.md#message-start-events)."""
    out = []
    for start in spec.start.outputs:
        for definition in _definitions_of(start):
            if _kind(definition) == MESSAGE and definition.name:
                out.append((start.bpmn_id or start.name, definition.name))
    return out


def _definitions_of(task_spec):
    definition = getattr(task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return definition.event_definitions
    return (definition,) if definition is not None else ()


def _kind(definition) -> str | None:
    if isinstance(definition, MessageEventDefinition):
        return MESSAGE
    if isinstance(definition, SignalEventDefinition):
        return SIGNAL
    return None


def _definitions(task):
    definition = getattr(task.task_spec, "event_definition", None)
    if isinstance(definition, MultipleEventDefinition):
        return definition.event_definitions
    return (definition,) if definition is not None else ()


def waiting_subscriptions(workflow) -> list[Subscription]:
    """Every message and signal the workflow (and its sub-workflows: they share the top
    workflow's event manager) waits for now. Free for a workflow that waits for nothing."""
    out = []
    for task in workflow.event_manager.tasks.values():
        for definition in _definitions(task):
            kind = _kind(definition)
            if kind is not None and definition.name:
                spec = task.task_spec
                out.append(Subscription(str(task.id), kind, definition.name, spec.bpmn_id or spec.name))
    return out


def _rearm(task) -> None:
    """A non-interrupting boundary event that caught a message or signal waits for the next one
    while its activity is active (Camunda: each occurrence starts its path). SpiffWorkflow 3.2.0
    catches once: the caught event leaves its activity's boundary split, and nothing waits any
    more. A new event task beside it, on the same split, waits again; the activity's boundary
    join cancels it with the others when the activity ends (docs/camunda-bpmn.md#boundary-events)."""
    spec = task.task_spec
    if not isinstance(spec, BoundaryEvent) or spec.cancel_activity or task.parent is None:
        return
    again = task.parent._add_child(spec, TaskState.FUTURE)
    spec._predict(again, mask=TaskState.NOT_FINISHED_MASK)     # its path, as the split predicted the first's
    spec._update(again)           # WAITING, in the event manager (what waiting_subscriptions lists)


def deliver(workflow, kind: str, name: str, variables: dict) -> list[str]:
    """Hand a message or signal to every task of the workflow waiting for it; returns the element
    ids that caught it (empty: nothing waited, and nothing changed). The caller advances the
    workflow afterwards, under the engine clock (a gateway's timer is judged at the catch)."""
    definition, catching = None, []
    for task in list(workflow.event_manager.tasks.values()):
        for candidate in _definitions(task):
            if _kind(candidate) == kind and candidate.name == name:
                definition = definition or candidate
                catching.append(task)
                break
    if definition is None:
        return []
    correlations = copy.deepcopy(workflow.correlations) if kind == MESSAGE else {}
    event = BpmnEvent(definition, payload=copy.deepcopy(variables), correlations=correlations)
    workflow.event_manager.catch(event, internal=False)
    caught = []
    for task in catching:
        if task.workflow.tasks.get(task.id) is task and task.id not in workflow.event_manager.tasks:
            # it caught the event (it is READY now and left the manager): what follows it inherits
            # its data, so the caller's variables go there, on top of what it inherited
            task.data.update(copy.deepcopy(variables))
            caught.append(task.task_spec.bpmn_id or task.task_spec.name)
            _rearm(task)
    if caught:
        # and, as Camunda's process variables, on the process (what the case shows as its data)
        # (a new dict, not an update in place: the root task is finished, and its serialized
        # text is kept under a fingerprint that sees which dict it holds, not every value in it —
        # a second delivery with the same names would otherwise not be saved, engine/bpmn/state_json.py)
        workflow.task_tree.data = {**workflow.task_tree.data, **copy.deepcopy(variables)}
    return caught
