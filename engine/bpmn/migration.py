"""Moving a running workflow to another version of its process (docs/migration.md).

SpiffWorkflow 3.2 has no migration API (its bpmn/util/diff.py aligns specs by id but resets
every READY and WAITING task, which would throw away open tasks, claims and timers). A workflow
is a tree of tasks, each naming its task spec; the state JSON stores the spec's name and the spec
itself is looked up by name on load (runtime.py keeps the spec out of the state). A sub-process or
call activity runs as a sub-workflow of its own, kept flat in the top workflow's `subprocesses`
by the id of the task that started it, and restored from `subprocess_specs[<that task's
spec>.spec]`; a multi-instance activity's instances are children of its task, each with the spec
`<id> [child]`. Moving a workflow therefore means, for the top workflow and then each running
sub-workflow (outermost first), against the target's spec for that flow:

1. every task that is not finished (READY, WAITING, STARTED) gets the target spec its element is
   mapped to; internal specs SpiffWorkflow adds around an element (`<id>.BoundaryEventSplit`,
   `<id>.BoundaryEventJoin`, a multi-instance's `<id> [child]`) follow their element, the
   flow's own (`Start`, `End`, `<flow>.EndJoin`) follow their flow; a sub-workflow takes the spec
   of the flow its (already moved) starting task runs in the target, so a renamed sub-process
   renames its flow, and a called process takes the target version's snapshot of it (the same
   when the called process did not change);
2. finished tasks (the history) get the target spec of the same element when there is one; a
   finished task whose element is gone from the target is cut out of the tree, its children
   hung on its parent (a task's data is stored as a delta to its parent's, so the data each
   remaining task holds, a sub-workflow's own included, is unchanged);
3. foreseen tasks (FUTURE, and the predicted MAYBE, LIKELY) are dropped and predicted again from the target
   spec, so the case follows the target's flows from where it stands;
4. the result is written and read back as the target version, which rebuilds what SpiffWorkflow
   derives on load (the event manager's waiting timers and messages, each sub-workflow's link to
   the task waiting for it).

A multi-instance task keeps its bookkeeping (`merged`, `cardinality`, `remaining`, in its
internal data) and its instances keep theirs: the domain's rules have checked that the target
repeats the same way, so instance n of the source is instance n of the target.

The domain's rules (engine/domain/migration.py) have checked before that every unfinished
element is mapped to one of the same kind, in the corresponding flow, with the same events; what
this module meets otherwise is a bug, raised as a LookupError.
"""
from __future__ import annotations

from dataclasses import replace

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask, MultiInstanceTask, ParallelMultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import scope_moves
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
          "TransactionSubprocess": "transaction", "EventSubprocess": "eventSubProcess",
          "AdHocSubprocess": "adHocSubProcess", "SubWorkflowTask": "subProcess"}
# a sub-process no sequence flow leads to (the flow's Start task is its only input, which is how the
# parser hangs an event sub-process, triggeredByEvent, on the flow whatever class it gives it) starts
# on its event only, never by a migration
_EVENT_SUBPROCESS = "eventSubProcess"
_SUFFIXES = (".BoundaryEventSplit", ".BoundaryEventJoin", " [child]")


def _kind(spec) -> str:
    for cls in type(spec).__mro__:
        kind = _KINDS.get(cls.__name__)
        if kind is not None:
            return kind
    return type(spec).__name__


def _loop(spec) -> str:
    """How a multi-instance or loop activity repeats, as text two versions can be compared by."""
    if isinstance(spec, MultiInstanceTask):
        how = "parallel" if isinstance(spec, ParallelMultiInstanceTask) else "sequential"
        parts = [how]
        if spec.data_input is not None:
            parts.append(f"collection={spec.data_input.bpmn_id}")
        else:
            parts.append(f"cardinality={spec.cardinality}")
        if spec.condition:
            parts.append(f"completion={spec.condition}")
        return " ".join(parts)
    if isinstance(spec, LoopTask):
        return f"loop maximum={getattr(spec, 'maximum', None)} condition={getattr(spec, 'condition', None)}"
    return ""


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


def describe(spec, subprocess_specs: dict) -> dict[str, Element]:
    """The BPMN elements of a process version, by id: those of the process itself and those of
    every sub-process and called process it runs (each with the flow it is on)."""
    out: dict[str, Element] = {}
    for scope, flow in (("", spec), *sorted(subprocess_specs.items())):
        specs = flow.task_specs
        for name, ts in specs.items():
            if not ts.bpmn_id or name != ts.bpmn_id:
                continue       # SpiffWorkflow's own specs (Start, End, joins, a multi-instance's [child])
            inner = specs.get(ts.task_spec) if isinstance(ts, LoopTask) else ts   # what a loop repeats
            split = specs.get(f"{name}.BoundaryEventSplit")
            boundary = tuple(sorted((o.name, _definition(o)) for o in split.outputs
                                    if isinstance(o, BoundaryEvent))) if split is not None else ()
            kind = _kind(inner)
            if kind == "subProcess" and all(i.name == "Start" for i in ts.inputs):
                kind = _EVENT_SUBPROCESS
            element = Element(name, kind, waits_on=_definition(ts) if not isinstance(ts, BoundaryEvent) else "",
                              boundary=boundary, scope=scope,
                              opens=inner.spec if isinstance(inner, SubWorkflowTask) else "", loop=_loop(ts),
                              name=ts.bpmn_name or inner.bpmn_name or "")
            known = out.get(name)
            if known is not None and known.scope != scope:
                out[name] = replace(known, ambiguous=True)
            elif known is None:
                out[name] = element
    return out


def active_elements(workflow) -> list[Active]:
    """The elements the workflow is in now: in the process itself and in every running
    sub-workflow (a sub-process, a called process), the sub-process, call activity or
    multi-instance activity around them included (it is STARTED while they run)."""
    out, seen = [], set()
    for wf in (workflow, *workflow.subprocesses.values()):
        if wf is not workflow and wf.completed:
            continue
        for task in wf.tasks.values():
            if not task.state & _UNFINISHED:
                continue
            spec = task.task_spec
            if isinstance(spec, BoundaryEvent) or not spec.bpmn_id:
                continue       # waits with the element it is attached to; SpiffWorkflow's own specs
            if spec.bpmn_id not in seen:
                seen.add(spec.bpmn_id)
                out.append(Active(spec.bpmn_id))
    return out


def _target_name(name: str, mapping: dict[str, str], flow: str, target_flow: str) -> str:
    for suffix in _SUFFIXES:
        if name.endswith(suffix):
            element = name[: -len(suffix)]
            return mapping.get(element, element) + suffix
    if name == f"{flow}.EndJoin":
        return f"{target_flow}.EndJoin"
    return mapping.get(name, name)


def move(workflow, target_key, target_spec, target_subprocess_specs, mapping: dict[str, str],
         entering: dict[str, str] | None = None, leaving: frozenset = frozenset()) -> None:
    """Re-point the workflow's tasks at the target spec in place (steps 1 to 3 above); the caller
    writes and reads it back (step 4). `leaving`: elements whose waiting task is taken out of its
    sub-process first; `entering`: element -> the target sub-process started around its task
    (engine/bpmn/scope_moves.py; SpiffWorkflow code runs there, under the caller's clock)."""
    for key in [k for k, sub in workflow.subprocesses.items() if sub.completed]:
        del workflow.subprocesses[key]        # finished sub-processes are history
    scope_moves.leave(workflow, set(leaving))
    running = sorted(workflow.subprocesses.items(), key=lambda item: item[1].depth)
    workflow.subprocess_specs = target_subprocess_specs     # a sub-process entered starts on the target's
    entering = {name: (owner, target_subprocess_specs.get(owner)) for name, owner in (entering or {}).items()}
    _move_flow(workflow, target_spec, mapping, entering)
    for parent_id, sub in running:            # outermost first: the starting task has moved already
        parent = workflow.get_task_from_id(parent_id)
        flow = target_subprocess_specs.get(getattr(parent.task_spec, "spec", None)) if parent is not None else None
        if flow is None:
            raise LookupError(f"no target flow for the sub-workflow of {parent_id}")
        _move_flow(sub, flow, mapping, entering)
    workflow.lianban_spec_key = target_key
    for wf in (workflow, *workflow.subprocesses.values()):
        for task in list(wf.tasks.values()):
            # the state writer's caches (engine/bpmn/state_json.py) do not know a task's spec changed
            task.__dict__.pop("_lianban_dict", None)
            task.__dict__.pop("_lianban_parent", None)
            if task.state & _UNFINISHED:
                task.task_spec._predict(task, mask=_FORESEEN | task.state)


def _move_flow(wf, target_flow, mapping: dict[str, str], entering: dict) -> None:
    """Steps 1 to 3 for one workflow (the top one or a sub-workflow)."""
    specs = target_flow.task_specs
    # 3. foreseen tasks go (a foreseen task's children are foreseen too)
    for task in list(wf.tasks.values()):
        if task.id in wf.tasks and task.state & _FORESEEN and task.parent is not None \
                and not task.parent.state & _FORESEEN:
            wf._remove_task(task.id)
    # 1. and 2.
    flow, crossing = wf.spec.name, []
    for task in list(wf.tasks.values()):
        if task.parent is None:
            continue           # the flow's root (Start), the same name in every flow
        name = _target_name(task.task_spec.name, mapping, flow, target_flow.name)
        new_spec = specs.get(name)
        if new_spec is not None:
            task.task_spec = new_spec
            if isinstance(new_spec, LoopTask) and task.state & _UNFINISHED:
                _connect_instances(specs, new_spec)
        elif task.state & _FINISHED:
            _cut_out(wf, task)
        elif task.task_spec.bpmn_id in entering:
            crossing.append(task)
        else:
            raise LookupError(f"no target element for unfinished task {task.task_spec.name}")
    wf.spec = target_flow
    for task in crossing:                     # into a sub-process of the target's flow
        _enter(wf, task, target_flow, mapping, entering)


def _enter(wf, task, target_flow, mapping: dict[str, str], entering: dict) -> None:
    owner, inner_flow = entering[task.task_spec.bpmn_id]
    inner = inner_flow.task_specs.get(mapping.get(task.task_spec.bpmn_id, "")) if inner_flow else None
    if inner is None:
        raise LookupError(f"no target element in {owner} for {task.task_spec.name}")
    scope_moves.enter(wf, task, target_flow, owner, inner)


def _connect_instances(specs, loop_spec) -> None:
    """A multi-instance whose instances run: their completion must reach the target's task
    (SpiffWorkflow connects it when it creates an instance, or on load of a spec)."""
    child = specs.get(loop_spec.task_spec)
    if child is not None and not child.completed_event.is_connected(loop_spec.merge_child):
        child.completed_event.connect(loop_spec.merge_child)


def _cut_out(workflow, task) -> None:
    parent = task.parent
    at = parent._children.index(task.id)
    for child in task.children:
        child._parent = parent.id
    parent._children[at:at + 1] = list(task._children)
    task._children = []
    del workflow.tasks[task.id]
