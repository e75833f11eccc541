"""Taking a waiting user task across one embedded sub-process boundary in a migration
(docs/migration.md#crossing-a-sub-process-boundary); engine/bpmn/migration.py calls these while it
moves a workflow, the domain's rules (engine/domain/migration.py) having checked that the task is
a user task without boundary events of its own and the only token in the instance created or
removed.

SpiffWorkflow 3.2 runs an embedded sub-process as a sub-workflow kept in the top workflow's
`subprocesses` by the id of the sub-process's task (SubWorkflowTask). On entry
(`SubWorkflowTask.start_workflow`) it creates the sub-workflow, deep-copies the sub-process task's
data (what the task before it left) into the sub-workflow's Start task and runs that; the
sub-process task is STARTED, and the boundary events around it (a `<id>.BoundaryEventSplit` parent
with the sub-process and its boundary events as children) are armed when the split completes: a
timer computes its due time then. At its end (`update_data`) the sub-process task's data becomes a
deep copy of the sub-workflow's last task's data, and the flow goes on from it.

Entering: the task's place in its flow is taken by the sub-process (or its split), which
SpiffWorkflow itself then starts exactly as above — the sub-workflow, its data, the boundary
events armed at the migration time. The sub-workflow's start event completes, and the task (its id,
its data) waits after it in place of whatever the start event leads to: as in Camunda, the steps
between the start event and the mapped task are not run.

Leaving: the sub-workflow (and any sub-workflow under it) is discarded, the sub-process task, its
split and boundary events (a boundary timer with them) are removed, and the task takes their place
in the flow around it with the data the sub-process's end would hand on: the sub-process task's
data updated with the task's (which holds all the sub-workflow gave it), so what the sub-process
wrote wins and nothing the parent held is lost.
"""
from __future__ import annotations

from copy import deepcopy

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.domain.errors import CaseError

_UNFINISHED = TaskState.READY | TaskState.WAITING | TaskState.STARTED
_SPLIT = ".BoundaryEventSplit"


def leave(workflow, leaving: set) -> None:
    """Each unfinished task of an element in `leaving` taken out of its sub-workflow onto the flow
    around the sub-process (source specs still; the move maps it afterwards)."""
    if not leaving:
        return
    moved = set()                       # a task leaves one sub-process, not every one around it
    for owner_id, sub in sorted(workflow.subprocesses.items(), key=lambda item: -item[1].depth):
        if owner_id not in workflow.subprocesses or sub.completed:
            continue
        found = [t for t in sub.tasks.values() if t.state & _UNFINISHED and t.task_spec.bpmn_id in leaving
                 and t.id not in moved]
        if not found:
            continue
        if len(found) > 1:
            raise LookupError(f"more than one task leaves the sub-workflow of {owner_id}")
        _take_out(workflow, workflow.get_task_from_id(owner_id), found[0])
        moved.add(found[0].id)


def _take_out(workflow, owner, task) -> None:
    parent_wf = owner.workflow
    split = owner.parent
    anchor = split if split.task_spec.name == owner.task_spec.name + _SPLIT else owner
    _check_alone(anchor, owner, task)
    host = anchor.parent
    at = host._children.index(anchor.id)
    data = deepcopy(owner.data)
    data.update(deepcopy(task.data))
    workflow.delete_subprocess(owner)          # with every sub-workflow under it
    parent_wf._remove_task(anchor.id)          # the sub-process, its boundary events, what followed
    task.workflow = parent_wf
    task._parent = host.id
    task._children = []
    task.data = data
    parent_wf.tasks[task.id] = task
    host._children.insert(at, task.id)


def _check_alone(anchor, owner, task) -> None:
    """Removing the sub-process removes what hangs under it and its boundary events: refused when a
    token runs there (a step a fired non-interrupting boundary event opened, its join waiting for
    the sub-process), which the element rules cannot see."""
    stack = [c for c in anchor.children if c is not owner] if anchor is not owner else []
    running = set()
    while stack:
        here = stack.pop()
        waiting_boundary = isinstance(here.task_spec, BoundaryEvent) and here.state == TaskState.WAITING
        if here.state & _UNFINISHED and not waiting_boundary:
            running.add(here.task_spec.bpmn_id or here.task_spec.name)
        stack.extend(here.children)
    if running:
        raise CaseError(
            f"{task.task_spec.bpmn_id} cannot leave sub-process {owner.task_spec.bpmn_id}: a boundary event of it "
            f"fired and its branch still runs ({', '.join(sorted(running))})",
            code="migration_scope_shared", detail={"element": task.task_spec.bpmn_id})


def enter(wf, task, target_flow, owner_id: str, inner_spec) -> None:
    """The sub-process `owner_id` of the (already moved) flow `wf` started where `task` stands,
    and `task` waiting in it as `inner_spec`."""
    for child in list(task.children):
        wf._remove_task(child.id)               # foreseen from the task: foreseen again in its new flow
    host = task.parent
    at = host._children.index(task.id)
    host._children.remove(task.id)
    del wf.tasks[task.id]
    specs = target_flow.task_specs
    split = specs.get(owner_id + _SPLIT)
    anchor = Task(wf, split or specs[owner_id], host, state=TaskState.FUTURE)
    host._children.remove(anchor.id)
    host._children.insert(at, anchor.id)
    anchor.task_spec._predict(anchor, mask=TaskState.FUTURE)   # a split's children: the sub-process, its events
    anchor.task_spec._update(anchor)            # a sub-process starts; a split becomes READY
    if anchor.state == TaskState.READY:
        anchor.run()                            # the split: the sub-process starts, its boundary events arm
    owner = anchor if split is None else next(c for c in anchor.children if c.task_spec.name == owner_id)
    sub = wf.top_workflow.subprocesses[owner.id]
    start = sub.task_tree
    event = start.children[0]                   # an embedded sub-process has one (none) start event
    if event.state == TaskState.READY:
        event.run()
    for child in list(event.children):
        sub._remove_task(child.id)
    task.workflow = sub
    task._parent = event.id
    task.task_spec = inner_spec
    sub.tasks[task.id] = task
    event._children.append(task.id)
