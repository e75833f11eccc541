"""Moving a running workflow to another version of its process (docs/migration.md).

SpiffWorkflow 3.2 has no migration API. A workflow is a tree of tasks, each naming its task spec;
the state JSON stores the spec's name and the spec itself is looked up by name on load
(runtime.py keeps the spec out of the state). Moving a workflow therefore means:

1. every task that is not finished (READY, WAITING, STARTED) gets the target spec its element is
   mapped to; internal specs SpiffWorkflow adds around an element (`<id>.BoundaryEventSplit`,
   `<id>.BoundaryEventJoin`) follow their element, the process's own (`Start`, `End`,
   `<process>.EndJoin`) keep their name;
2. finished tasks (the history) get the target spec of the same element when there is one; a
   finished task whose element is gone from the target is cut out of the tree, its children
   hung on its parent (a task's data is stored as a delta to its parent's, so the data each
   remaining task holds is unchanged);
3. foreseen tasks (FUTURE, and the predicted MAYBE, LIKELY) are dropped and predicted again from the target
   spec, so the case follows the target's flows from where it stands;
4. the result is written and read back as the target version, which rebuilds what SpiffWorkflow
   derives on load (the event manager's waiting timers and messages).

The domain's rules (engine/domain/migration.py) have checked before that every unfinished
element is mapped to one of the same kind with the same events; what this module meets
otherwise is a bug, raised as a LookupError.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from engine.domain.migration import Active, Element

_UNFINISHED = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_FINISHED = TaskState.FINISHED_MASK
_PREDICTED = TaskState.PREDICTED_MASK
# what a task's spec foresees and SpiffWorkflow derives again from the spec: FUTURE (a definite
# task's next step, not yet reached) and the predicted MAYBE/LIKELY
_FORESEEN = TaskState.PREDICTED_MASK | TaskState.FUTURE

# the BPMN element type of a task spec, by the most specific class name in its MRO
_KINDS = {"UserTask": "userTask", "ManualTask": "manualTask", "NoneTask": "task", "ScriptTask": "scriptTask",
          "ServiceTask": "serviceTask", "BusinessRuleTask": "businessRuleTask", "SendTask": "sendTask",
          "ReceiveTask": "receiveTask", "ParallelGateway": "parallelGateway",
          "ExclusiveGateway": "exclusiveGateway", "InclusiveGateway": "inclusiveGateway",
          "EventBasedGateway": "eventBasedGateway", "StartEvent": "startEvent", "EndEvent": "endEvent",
          "BoundaryEvent": "boundaryEvent", "IntermediateCatchEvent": "intermediateCatchEvent",
          "IntermediateThrowEvent": "intermediateThrowEvent", "CallActivity": "callActivity",
          "TransactionSubprocess": "transaction", "SubWorkflowTask": "subProcess"}
_MULTI = ("StandardLoopTask", "ParallelMultiInstanceTask", "SequentialMultiInstanceTask", "LoopTask",
          "MultiInstanceTask")
_SUFFIXES = (".BoundaryEventSplit", ".BoundaryEventJoin")


def _kind(spec) -> str:
    for cls in type(spec).__mro__:
        kind = _KINDS.get(cls.__name__)
        if kind is not None:
            return kind
    return type(spec).__name__


def _multi_instance(spec) -> bool:
    return any(cls.__name__ in _MULTI for cls in type(spec).__mro__)


def _definition(spec) -> str:
    """What a catching event waits on, as text two versions can be compared by."""
    event = getattr(spec, "event_definition", None)
    if event is None:
        return ""
    parts = [type(event).__name__]
    for attr in ("expression", "name", "code"):
        value = getattr(event, attr, None)
        if value:
            parts.append(f"{attr}={value}")
    for inner in getattr(event, "event_definitions", None) or ():
        parts.append(type(inner).__name__ + ":" + str(getattr(inner, "expression", "") or getattr(inner, "name", "")))
    if isinstance(spec, BoundaryEvent):
        parts.append("interrupting" if spec.cancel_activity else "non-interrupting")
    return " ".join(parts)


def describe(spec) -> dict[str, Element]:
    """The BPMN elements of a process version's top level, by id."""
    specs = spec.task_specs
    out = {}
    for name, ts in specs.items():
        if not ts.bpmn_id or name != ts.bpmn_id:
            continue           # SpiffWorkflow's own specs (Start, End, joins around boundary events)
        split = specs.get(f"{name}.BoundaryEventSplit")
        boundary = tuple(sorted((o.name, _definition(o)) for o in split.outputs
                                if isinstance(o, BoundaryEvent))) if split is not None else ()
        out[name] = Element(name, _kind(ts), scoped=isinstance(ts, SubWorkflowTask) or _multi_instance(ts),
                            waits_on=_definition(ts) if not isinstance(ts, BoundaryEvent) else "",
                            boundary=boundary)
    return out


def active_elements(workflow) -> list[Active]:
    """The elements the workflow is in now, in the top process (anything inside a sub-workflow is
    reported as its enclosing element, nested)."""
    out, seen = [], set()
    for task in workflow.tasks.values():
        if not task.state & _UNFINISHED:
            continue
        spec = task.task_spec
        name = spec.bpmn_id or spec.name
        if isinstance(spec, BoundaryEvent):
            continue           # waits with the element it is attached to (compared there)
        if not spec.bpmn_id and not name.endswith(_SUFFIXES) and name not in ("Start", "End") \
                and not name.endswith(".EndJoin"):
            out.append(Active(name, nested=True))
            continue
        if spec.bpmn_id and name not in seen:
            seen.add(name)
            out.append(Active(name, nested=isinstance(spec, SubWorkflowTask) or _multi_instance(spec)))
    for sub in workflow.subprocesses.values():
        if not sub.completed:
            parent = workflow.get_task_from_id(sub.parent_task_id)
            name = parent.task_spec.bpmn_id if parent is not None else "subprocess"
            if name not in seen:
                seen.add(name)
                out.append(Active(name, nested=True))
    return out


def _target_name(name: str, mapping: dict[str, str]) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            element = name[: -len(suffix)]
            return mapping.get(element, element) + suffix
    return mapping.get(name, name)


def move(workflow, target_key, target_spec, target_subprocess_specs, mapping: dict[str, str]) -> None:
    """Re-point the workflow's tasks at the target spec in place (steps 1 to 3 above); the caller
    writes and reads it back (step 4)."""
    specs = target_spec.task_specs
    # 3. foreseen tasks go (a foreseen task's children are foreseen too)
    for task in list(workflow.tasks.values()):
        if task.id in workflow.tasks and task.state & _FORESEEN and task.parent is not None \
                and not task.parent.state & _FORESEEN:
            workflow._remove_task(task.id)
    # 1. and 2.
    for task in list(workflow.tasks.values()):
        if task.parent is None:
            continue           # the root task's spec is the process's Root, rebuilt on load
        name = _target_name(task.task_spec.name, mapping)
        new_spec = specs.get(name)
        if new_spec is not None:
            task.task_spec = new_spec
        elif task.state & _FINISHED:
            _cut_out(workflow, task)
        else:
            raise LookupError(f"no target element for unfinished task {task.task_spec.name}")
    for key in [k for k, sub in workflow.subprocesses.items() if sub.completed]:
        del workflow.subprocesses[key]        # finished sub-processes are history too
    workflow.spec = target_spec
    workflow.subprocess_specs = target_subprocess_specs
    workflow.lianban_spec_key = target_key
    for task in list(workflow.tasks.values()):
        # the state writer's caches (engine/bpmn/state_json.py) do not know a task's spec changed
        task.__dict__.pop("_lianban_dict", None)
        task.__dict__.pop("_lianban_parent", None)
        if task.state & _UNFINISHED:
            task.task_spec._predict(task, mask=_FORESEEN | task.state)


def _cut_out(workflow, task) -> None:
    parent = task.parent
    at = parent._children.index(task.id)
    for child in task.children:
        child._parent = parent.id
    parent._children[at:at + 1] = list(task._children)
    task._children = []
    del workflow.tasks[task.id]
