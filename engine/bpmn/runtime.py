"""Executing workflows: the only code that creates, advances and (de)serializes SpiffWorkflow
workflows. Wraps the SpiffWorkflow 3.2.0 bugs the reference report lists:

- the script engine is not serialized: every workflow we create or restore gets the sandbox;
- nested task data is aliased between tasks: incoming data is deep-copied, scripts run on copies;
- DeepMerge mangles lists: form data is applied with dict.update, never add_data_from_form;
- a `typename` key in user data breaks deserialization: refused before it reaches the engine;
- call_service errors surface as NameError('script'): the real cause is unwrapped
  (failures.py).
Time inside the engine (timers, workdays()) is in engine_time.py; what user data the engine
accepts, in user_data.py.
"""
from __future__ import annotations

import copy
import json
import os
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Optional
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import events, external, feel_expression, initiator, sandbox
from engine.bpmn import migration as bpmn_migration
from engine.bpmn.engine_time import DEADLINE_FUNCTIONS, current_calendar, current_clock, using_clock
from engine.bpmn.failures import case_error
from engine.bpmn.specs import CONVERTERS
from engine.bpmn.state_json import CachingTaskConverter, StateWriter
from engine.bpmn.timers import waiting_timers
from engine.bpmn.user_data import check_user_data
from engine.domain import deadlines as dl
from engine.domain.errors import CaseError

# ---------------------------------------------------------------------------------------------
_NOT_FINISHED = TaskState.NOT_FINISHED_MASK


def _automatic_ready(workflow) -> bool:
    """Is a non-manual task (a fired timer, a gateway after it) waiting to run? A flat scan of
    each workflow's task dict, much cheaper than get_tasks()' tree iterator."""
    return any(t.state == TaskState.READY and not t.task_spec.manual
               for wf in (workflow, *workflow.subprocesses.values()) for t in wf.tasks.values())


def _declaring_process(wf) -> str:
    """The process whose XML declares the tasks of `wf`: what the deployed user-task metadata is
    filed under (engine/bpmn/parser.py). SpiffWorkflow runs an embedded sub-process as a
    sub-workflow named after the sub-process element; its tasks belong to the enclosing process
    (or the called process around it), so walk up until a call activity or the top."""
    while isinstance(wf, BpmnSubWorkflow):
        parent = wf.top_workflow.get_task_from_id(wf.parent_task_id)
        if parent is None or isinstance(parent.task_spec, CallActivity):
            break
        wf = parent.workflow
    return wf.spec.name


class SpecRegistry:
    """Parsed specs by key (the process definition id): shared by every case of that version."""

    def __init__(self):
        self._specs: dict = {}

    def add(self, key, spec, subprocess_specs) -> None:
        self._specs[key] = (spec, subprocess_specs)

    def get(self, key):
        try:
            return self._specs[key]
        except KeyError:
            raise LookupError(f"spec {key!r} is not loaded") from None

    def __contains__(self, key) -> bool:
        return key in self._specs


def _registry():
    reg = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, **CONVERTERS})
    reg.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]))
    reg.register(date, lambda v: {"value": v.isoformat()}, lambda d: date.fromisoformat(d["value"]))
    return reg


@dataclass(frozen=True)
class ReadyTask:
    id: str
    process: str     # id of the process (or called process) the task belongs to
    spec_id: str     # BPMN element id
    name: str
    lane: Optional[str]


class _StockWriter:
    """The stock serializer behind the state writer's interface (for measurements)."""

    def __init__(self, serializer: BpmnWorkflowSerializer):
        self._serializer = serializer

    def dumps(self, workflow) -> str:
        return self._serializer.serialize_json(workflow)


class Runtime:
    def __init__(self, functions: dict | None = None, max_lines: int = 100_000, verify_state: bool | None = None,
                 incremental_state: bool = True, script_cpu_seconds: float = 2.0):
        """`incremental_state=False` writes every save with the stock serializer instead of the
        state writer (bench/bench_engine.py measures what the writer saves)."""
        self.script_engine = sandbox.make_script_engine({**DEADLINE_FUNCTIONS, **feel_expression.FUNCTIONS,
                                                         **(functions or {})},
                                                        max_lines=max_lines, cpu_seconds=script_cpu_seconds)
        self.specs = SpecRegistry()
        self._has_external: dict = {}
        self._spec_serializer = BpmnWorkflowSerializer(_registry())
        self._serializer = self._make_state_serializer(caching=True)
        self._writer = StateWriter(self._serializer, self._serializer.registry.lianban_task_converter)
        if verify_state is None:
            verify_state = os.environ.get("LIANBAN_VERIFY_STATE") == "1"
        self._reference_serializer = self._make_state_serializer(caching=False) if verify_state else None
        if not incremental_state:
            stock = self._make_state_serializer(caching=False)
            self._writer = _StockWriter(stock)

    # --- specs ---------------------------------------------------------------------------------
    def spec_to_json(self, spec, subprocess_specs: dict) -> str:
        ser = self._spec_serializer
        return json.dumps({"spec": ser.to_dict(spec),
                           "subprocesses": {k: ser.to_dict(v) for k, v in sorted(subprocess_specs.items())}},
                          sort_keys=True)

    def spec_from_json(self, text: str):
        dct = json.loads(text)
        ser = self._spec_serializer
        return ser.from_dict(dct["spec"]), {k: ser.from_dict(v) for k, v in dct["subprocesses"].items()}

    # --- workflow state (without the spec) -----------------------------------------------------
    def _make_state_serializer(self, caching: bool) -> BpmnWorkflowSerializer:
        runtime = self

        class SpecRefWorkflowConverter(BpmnWorkflowConverter):
            def to_dict(self, workflow):
                dct = WorkflowConverter.to_dict(self, workflow)
                dct["spec_ref"] = workflow.lianban_spec_key
                dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
                dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
                return dct

            def from_dict(self, dct):
                key = dct.pop("spec_ref")
                spec, subs = runtime.specs.get(key)
                workflow = self.target_class(spec, subs, deserializing=True,
                                             script_engine=runtime.script_engine)
                workflow.lianban_spec_key = key
                workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
                workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
                self.set_default_attributes(workflow, dct)
                self.subprocesses_from_dict(dct["subprocesses"], workflow)
                workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
                return workflow

        cfg = {**SPIFF_CONFIG, **CONVERTERS}
        cfg[BpmnWorkflow] = SpecRefWorkflowConverter
        if caching:
            cfg[Task] = CachingTaskConverter
        reg = BpmnWorkflowSerializer.configure(cfg)
        reg.register(Decimal, lambda v: {"value": str(v)}, lambda d: Decimal(d["value"]))
        reg.register(date, lambda v: {"value": v.isoformat()}, lambda d: date.fromisoformat(d["value"]))
        return BpmnWorkflowSerializer(reg)

    def dumps(self, workflow) -> str:
        state = self._writer.dumps(workflow)
        if self._reference_serializer is not None:
            reference = self._reference_serializer.serialize_json(workflow)
            if reference != state:
                raise AssertionError("incremental serialization differs from the stock serializer")
        return state

    def loads(self, state: str):
        workflow = self._serializer.deserialize_json(state)
        workflow.script_engine = self.script_engine  # never the unrestricted default
        events.watch_throws(workflow)
        return workflow

    # --- running ---------------------------------------------------------------------------------
    def start(self, key, data: dict, clock, calendar=None, convention: str = dl.EXCLUDE_START,
              started_by: Optional[str] = None):
        """`started_by`: the username a start event's camunda:initiator variable receives."""
        spec, subs = self.specs.get(key)
        workflow = BpmnWorkflow(spec, subs, script_engine=self.script_engine)
        workflow.lianban_spec_key = key
        events.watch_throws(workflow)
        workflow.task_tree.data.update(copy.deepcopy(data))
        workflow.task_tree.data.update(initiator.initial_data(spec, started_by))
        self._advance(workflow, clock, calendar, convention)
        return workflow

    def _advance(self, workflow, clock, calendar=None, convention: str = dl.EXCLUDE_START) -> None:
        with using_clock(clock, calendar, convention):
            try:
                workflow.do_engine_steps()
                # do_engine_steps refreshes timers only at its end: a timer that came due there
                # leaves its catching task READY, and what follows it needs another pass
                for _ in range(100):
                    if workflow.event_manager.tasks:
                        workflow.refresh_timers()
                    if not _automatic_ready(workflow):
                        break
                    workflow.do_engine_steps()
            except (SpiffWorkflowException, sandbox.ScriptPolicyError, sandbox.ScriptBudgetExceeded,
                    NameError, TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError,
                    RecursionError, MemoryError) as exc:
                raise case_error(exc) from exc

    def ready_user_tasks(self, workflow) -> list[ReadyTask]:
        """READY manual tasks of the workflow and its call activities. A flat scan of each
        workflow's task dict: get_tasks() walks the tree through an iterator and cost several
        times more on every command."""
        out = []
        for wf in (workflow, *workflow.subprocesses.values()):
            process = None
            for t in wf.tasks.values():
                if t.state == TaskState.READY and t.task_spec.manual:
                    spec = t.task_spec
                    process = process or _declaring_process(wf)
                    out.append(ReadyTask(str(t.id), process, spec.bpmn_id or spec.name,
                                         spec.bpmn_name or spec.bpmn_id or spec.name, getattr(spec, "lane", None)))
        return out

    def complete(self, workflow, task_id: str, data: dict, clock, calendar=None,
                 convention: str = dl.EXCLUDE_START) -> None:
        check_user_data(data)
        task = workflow.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.READY or not task.task_spec.manual:
            raise CaseError(f"task {task_id} is not waiting for input", code="task_not_open")
        with using_clock(clock, calendar, convention):
            try:
                task.data.update(copy.deepcopy(data))
                task.run()
            except (SpiffWorkflowException, sandbox.ScriptPolicyError, sandbox.ScriptBudgetExceeded,
                    NameError, TypeError, ValueError, KeyError, AttributeError, RecursionError, MemoryError) as exc:
                raise case_error(exc) from exc
        self._advance(workflow, clock, calendar, convention)

    # --- external tasks (engine/bpmn/external.py) ------------------------------------------------
    def has_external_tasks(self, key) -> bool:
        """Does the version `key` have a service task? (cached: a version never changes)"""
        known = self._has_external.get(key)
        if known is None:
            spec, subs = self.specs.get(key)
            known = self._has_external[key] = external.has_external(spec, subs)
        return known

    @staticmethod
    def waiting_external_tasks(workflow) -> list[tuple[str, str, str, int, dict]]:
        return external.waiting(workflow)

    def _waiting_external(self, workflow, task_id: str):
        task = workflow.get_task_from_id(UUID(task_id))
        if task is None or task.state != TaskState.STARTED or not isinstance(task.task_spec,
                                                                             external.ExternalServiceTask):
            raise CaseError(f"external task {task_id} is not waiting in this case", code="external_task_not_waiting")
        return task

    def complete_external(self, workflow, task_id: str, variables: dict, clock, calendar=None,
                          convention: str = dl.EXCLUDE_START) -> None:
        """A worker finished the service task: its variables join the task's data, the workflow goes on."""
        check_user_data(variables)
        task = self._waiting_external(workflow, task_id)
        with using_clock(clock, calendar, convention):
            try:
                external.complete(task, variables)
            except (SpiffWorkflowException, sandbox.ScriptPolicyError, sandbox.ScriptBudgetExceeded,
                    NameError, TypeError, ValueError, KeyError, AttributeError) as exc:
                raise case_error(exc) from exc
        self._advance(workflow, clock, calendar, convention)

    def external_bpmn_error(self, workflow, task_id: str, code: str, message, variables: dict, clock,
                            calendar=None, convention: str = dl.EXCLUDE_START) -> bool:
        """The worker reports a business error: an error boundary event takes the case on (True);
        False when nothing in the diagram catches `code` (the workflow is unchanged)."""
        check_user_data(variables)
        task = self._waiting_external(workflow, task_id)
        with using_clock(clock, calendar, convention):
            try:
                caught = external.throw_bpmn_error(task, code, message, variables)
            except (SpiffWorkflowException, sandbox.ScriptPolicyError, sandbox.ScriptBudgetExceeded,
                    NameError, TypeError, ValueError, KeyError, AttributeError) as exc:
                raise case_error(exc) from exc
        if caught:
            self._advance(workflow, clock, calendar, convention)
        return caught

    def reset_to(self, workflow, task_id: str, clock, calendar=None, convention: str = dl.EXCLUDE_START) -> None:
        """Send the case back to a completed user task (退回): it is READY again, with what
        followed it removed."""
        # .get, not get_task_from_id (which raises): a migration may have cut the step out of the
        # workflow when the case's new version has no such element (engine/bpmn/migration.py)
        task = workflow.tasks.get(UUID(task_id))
        if task is None or task.state != TaskState.COMPLETED or not task.task_spec.manual:
            raise CaseError(f"task {task_id} is not a completed step of this case", code="return_target_invalid")
        with using_clock(clock, calendar, convention):
            try:
                workflow.reset_from_task_id(task.id)
            except (SpiffWorkflowException, KeyError, ValueError, AttributeError) as exc:
                raise case_error(exc) from exc
        # SpiffWorkflow 3.2.0 leaves the removed tasks' catching events (e.g. a boundary timer of
        # the step that was undone) in the event manager, and the next timer refresh crashes on
        # their missing parent: drop every waiting task that is no longer in its workflow
        manager = workflow.event_manager
        for key, waiting in list(manager.tasks.items()):
            if waiting.workflow.tasks.get(waiting.id) is not waiting:
                del manager.tasks[key]
        self._advance(workflow, clock, calendar, convention)

    # --- instance migration (docs/migration.md) --------------------------------------------------
    def describe(self, key) -> dict:
        """The BPMN elements of a loaded version, its sub-processes' and called processes' included
        (engine.domain.migration.Element by id)."""
        return bpmn_migration.describe(*self.specs.get(key))

    @staticmethod
    def active_elements(workflow) -> list:
        return bpmn_migration.active_elements(workflow)

    def migrate(self, workflow, target_key, mapping: dict, clock, calendar=None,
                convention: str = dl.EXCLUDE_START, entering: dict | None = None, leaving: frozenset = frozenset()):
        """The workflow moved to the target version (a new object; `workflow` is spent), run to
        its next wait as the target's flows say. `entering`/`leaving`: the tasks taken across a
        sub-process boundary (engine/bpmn/scope_moves.py): a sub-process entered starts, and its
        boundary timers take their due time, at the clock's now."""
        spec, subs = self.specs.get(target_key)
        with using_clock(clock, calendar, convention):
            try:
                bpmn_migration.move(workflow, target_key, spec, subs, mapping, entering, leaving)
            except (SpiffWorkflowException, sandbox.ScriptPolicyError, sandbox.ScriptBudgetExceeded,
                    NameError, TypeError, ValueError, KeyError, AttributeError, ZeroDivisionError) as exc:
                raise case_error(exc) from exc
        moved = self.loads(self.dumps(workflow))
        self._advance(moved, clock, calendar, convention)
        return moved

    def fire_timers(self, workflow, clock, calendar=None, convention: str = dl.EXCLUDE_START) -> None:
        self._advance(workflow, clock, calendar, convention)

    def waiting_timers(self, workflow):
        return waiting_timers(workflow)

    @staticmethod
    def waiting_subscriptions(workflow) -> list[events.Subscription]:
        return events.waiting_subscriptions(workflow)

    @staticmethod
    def message_starts(spec) -> list[tuple[str, str]]:
        """(element, message name) of the message start events of a parsed process spec."""
        return events.message_starts(spec)

    @staticmethod
    def waiting_data(workflow, task_id: str) -> dict:
        """The data a waiting task sees (the process's, then its own): what a message subscription
        keeps for correlation by variables. Read only; nothing is copied."""
        task = workflow.get_task_from_id(UUID(task_id))
        return {**workflow.task_tree.data, **task.data}

    @staticmethod
    def take_thrown(workflow) -> list[events.Thrown]:
        """Signals the workflow threw since the last call, for the other cases (the outbox)."""
        return events.take_thrown(workflow)

    def deliver(self, workflow, kind: str, name: str, variables: dict, clock, calendar=None,
                convention: str = dl.EXCLUDE_START) -> list[str]:
        """Deliver a message or signal (engine/bpmn/events.py) and run what it releases; returns
        the elements that caught it (empty: the workflow did not wait for it; nothing ran)."""
        check_user_data(variables)
        with using_clock(clock, calendar, convention):
            try:
                caught = events.deliver(workflow, kind, name, variables)
            except (SpiffWorkflowException, sandbox.ScriptPolicyError, sandbox.ScriptBudgetExceeded,
                    NameError, TypeError, ValueError, KeyError, AttributeError) as exc:
                raise case_error(exc) from exc
        if caught:
            self._advance(workflow, clock, calendar, convention)
        return caught

    @staticmethod
    def is_completed(workflow) -> bool:
        # the stock check walks the task tree through an iterator; an unfinished task in the
        # workflow's flat task dict answers "no" as surely, and much cheaper. "Yes" is left to the
        # stock check, which also records it in `workflow.completed` (part of the state).
        if not workflow.completed and any(t.state & _NOT_FINISHED for t in workflow.tasks.values()):
            return False
        return workflow.is_completed()

    @staticmethod
    def data(workflow) -> dict:
        return workflow.data if workflow.is_completed() else workflow.task_tree.data

    def evaluate(self, expression: str, data: dict, clock=None, calendar=None,
                 convention: str = dl.EXCLUDE_START):
        """Evaluate a model expression (e.g. a due date) in the sandbox against case data."""
        with using_clock(clock or current_clock(), calendar or current_calendar(), convention):
            return self.script_engine.environment.evaluate(expression, copy.deepcopy(data))
