"""The task specs Lianban adds to SpiffWorkflow's, the parser that makes them and their
serializer entries: business rule tasks with Camunda's result mapping, and multi-instance tasks
whose element variable stays in its instance and whose completion condition sees Camunda's
counters.


SpiffWorkflow merges the outputs of the matched rule(s) into the task data. Camunda instead puts
the decision result in one variable (`camunda:resultVariable`) shaped by
`camunda:mapDecisionResult`; engine/bpmn/camunda.py records both as properties of the task, and
DecisionTask applies them. Without a result variable the SpiffWorkflow behaviour stays (the
outputs become variables), which is what SpiffArena diagrams expect."""
from __future__ import annotations

from collections.abc import Mapping

from SpiffWorkflow.bpmn.parser.event_parsers import (
    CANCEL_EVENT_XPATH,
    ERROR_EVENT_XPATH,
    ESCALATION_EVENT_XPATH,
    MESSAGE_EVENT_XPATH,
    SIGNAL_EVENT_XPATH,
    TERMINATION_EVENT_XPATH,
)
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.serializer.default.event_definition import TimerConditionalEventDefinitionConverter
from SpiffWorkflow.bpmn.serializer.helpers.spec import BpmnDataSpecificationConverter
from SpiffWorkflow.bpmn.specs.data_spec import TaskDataReference
from SpiffWorkflow.bpmn.specs.defaults import EndEvent, StartEvent
from SpiffWorkflow.dmn.specs.model import HitPolicy
from SpiffWorkflow.spiff.parser.event_parsers import SpiffEndEventParser
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.parser.task_spec import BusinessRuleTaskParser
from SpiffWorkflow.spiff.serializer.task_spec import BusinessRuleTaskConverter, SpiffMultiInstanceConverter
from SpiffWorkflow.spiff.specs.defaults import (
    BusinessRuleTask,
    ParallelMultiInstanceTask,
    SequentialMultiInstanceTask,
)
from SpiffWorkflow.spiff.specs.spiff_task import SpiffBpmnTask
from SpiffWorkflow.util.task import TaskState

from engine.bpmn import external, initiator
from engine.bpmn.camunda import ITEM_ID_PREFIX, PATH_PREFIX
from engine.bpmn.timers import CronTimerEventDefinition, use_cron_timers

RESULT_VARIABLE = "camunda:resultVariable"
MAP_MODE = "camunda:mapDecisionResult"


class DecisionResultError(Exception):
    """The decision's result does not fit the mapping (e.g. singleEntry with two matched rules)."""


def map_result(outputs: list[dict], mode: str):
    """Camunda's mapDecisionResult over the outputs of the matched rules (one dict per rule)."""
    if mode == "resultList":
        return [dict(o) for o in outputs]
    if mode == "collectEntries":
        if any(len(o) > 1 for o in outputs):
            raise DecisionResultError("collectEntries needs a decision with one output")
        return [next(iter(o.values())) for o in outputs if o]
    if len(outputs) > 1:
        raise DecisionResultError(f"{mode} needs at most one matched rule, {len(outputs)} matched")
    if mode == "singleResult":
        return dict(outputs[0]) if outputs else None
    if mode == "singleEntry":
        if not outputs:
            return None
        if len(outputs[0]) != 1:
            raise DecisionResultError("singleEntry needs a decision with one output")
        return next(iter(outputs[0].values()))
    raise DecisionResultError(f"unknown mapDecisionResult {mode!r}")


class DecisionTask(BusinessRuleTask):
    """A business rule task that honours Camunda's result variable and mapping."""

    def _run_hook(self, my_task):
        props = (self.extensions or {}).get("properties") or {}
        variable = props.get(RESULT_VARIABLE)
        if not variable:
            return super()._run_hook(my_task)
        engine = self.dmnEngine
        matched = engine.decide(my_task)
        if engine.decision_table.hit_policy not in (HitPolicy.COLLECT.value, "RULE ORDER", "OUTPUT ORDER"):
            matched = matched[:1]       # UNIQUE, FIRST, ANY, PRIORITY: one rule's outputs
        outputs = [rule.output_as_dict(my_task) for rule in matched]
        try:
            my_task.data[variable] = map_result(outputs, props.get(MAP_MODE, "resultList"))
        except DecisionResultError as exc:
            raise ValueError(f"decision result of {self.bpmn_id}: {exc}") from None
        return SpiffBpmnTask._run_hook(self, my_task)


class DecisionTaskParser(BusinessRuleTaskParser):

    def create_task(self):
        decision_ref = self.get_decision_ref(self.node)
        extensions = self.parse_extensions()
        return DecisionTask(self.spec, self.bpmn_id,
                            dmnEngine=self.process_parser.parser.get_engine(decision_ref, self.node),
                            prescript=extensions.get("preScript"), postscript=extensions.get("postScript"),
                            **self.bpmn_attributes)


class SignalEndEventParser(SpiffEndEventParser):
    """SpiffWorkflow 3.2.0's end event parser leaves out signal event definitions: a signal end
    event ran as a plain end event and threw nothing. This one reads them too, so the end event
    throws its signal as an intermediate throw event does (docs/integration.md)."""

    def create_task(self):
        event_definition = self.get_event_definition(
            [MESSAGE_EVENT_XPATH, SIGNAL_EVENT_XPATH, CANCEL_EVENT_XPATH, ERROR_EVENT_XPATH, ESCALATION_EVENT_XPATH,
             TERMINATION_EVENT_XPATH])
        task = self._create_task(event_definition)
        task.connect(self.spec.end)
        return task


class LianbanParser(SpiffBpmnParser):
    OVERRIDE_PARSER_CLASSES = {**SpiffBpmnParser.OVERRIDE_PARSER_CLASSES,
                               full_tag("endEvent"): (SignalEndEventParser, EndEvent),
                               # camunda:initiator (engine/bpmn/initiator.py)
                               full_tag("startEvent"): (initiator.InitiatorStartEventParser, StartEvent),
                               full_tag("businessRuleTask"): (DecisionTaskParser, DecisionTask),
                               # service tasks wait for a worker (docs/integration.md#external-tasks)
                               full_tag("serviceTask"): (external.ExternalServiceTaskParser,
                                                         external.ExternalServiceTask)}


class _CamundaInstances:
    """Camunda's multi-instance semantics on top of SpiffWorkflow's."""

    def merge_child(self, workflow, child):
        # the element variable belongs to its instance (Camunda): it must not reach the parent,
        # where SpiffWorkflow would then refuse to create the next sequential instance
        if self.input_item is not None and self.data_output is None:
            child.data.pop(self.input_item.bpmn_id, None)
        super().merge_child(workflow, child)

    def check_completion_condition(self, my_task):
        merged = my_task.internal_data.get("merged", [])
        if not merged or self.condition is None:
            return None
        last = next(c for c in my_task.children if str(c.id) == merged[-1])
        return my_task.workflow.script_engine.evaluate(last, self.condition, external_context=counters(my_task))


def counters(my_task) -> dict:
    """nrOfInstances, nrOfCompletedInstances, nrOfActiveInstances, loopCounter (Camunda's names)."""
    completed = len(my_task.internal_data.get("merged", []))
    instances = [c for c in my_task.children if c.task_spec.name == my_task.task_spec.task_spec]
    active = sum(1 for c in instances if not c.has_state(TaskState.FINISHED_MASK))
    remaining = len(my_task.internal_data.get("remaining", []))
    if "cardinality" in my_task.internal_data and "current" in my_task.internal_data:
        remaining = my_task.internal_data["cardinality"] - my_task.internal_data["current"]
    return {"nrOfInstances": completed + active + remaining, "nrOfCompletedInstances": completed,
            "nrOfActiveInstances": active, "loopCounter": max(completed - 1, 0)}


class CamundaParallelMultiInstance(_CamundaInstances, ParallelMultiInstanceTask):
    pass


class CamundaSequentialMultiInstance(_CamundaInstances, SequentialMultiInstanceTask):
    pass


class PropertyPath(TaskDataReference):
    """A multi-instance collection named by a property path (`camunda:collection="${order.items}"`):
    `bpmn_id` is the dotted path, read key by key through maps only — never an attribute of any
    object, as JUEL's `a.b` in a condition (docs/camunda-bpmn.md#multi-instance)."""

    def _walk(self, my_task):
        """(found, value) of the path in the task's data."""
        value = my_task.data
        for key in self.bpmn_id.split("."):
            if not isinstance(value, Mapping) or key not in value:
                return False, None
            value = value[key]
        return True, value

    def get(self, my_task):
        return self._walk(my_task)[1]

    def exists(self, my_task):
        return self._walk(my_task)[0]

    def set(self, my_task, value):
        *parents, last = self.bpmn_id.split(".")
        target = my_task.data
        for key in parents:
            target = target.setdefault(key, {})
        target[last] = value


_SWAP = {ParallelMultiInstanceTask: CamundaParallelMultiInstance,
         SequentialMultiInstanceTask: CamundaSequentialMultiInstance}

# added to SpiffWorkflow's serializer configuration (engine/bpmn/runtime.py)
CONVERTERS = {DecisionTask: BusinessRuleTaskConverter,
              CamundaParallelMultiInstance: SpiffMultiInstanceConverter,
              CamundaSequentialMultiInstance: SpiffMultiInstanceConverter,
              external.ExternalServiceTask: external.ExternalServiceTaskConverter,
              PropertyPath: BpmnDataSpecificationConverter,
              initiator.InitiatorStartEvent: initiator.InitiatorStartEventConverter,
              CronTimerEventDefinition: TimerConditionalEventDefinitionConverter}


def fix_specs(spec) -> None:
    """After parsing: multi-instance tasks get Camunda's semantics, a collection named by a property
    path its reader (PropertyPath), and the element variable of a
    `camunda:elementVariable` its name back: SpiffWorkflow keys the item by the inputDataItem's id,
    which camunda.py had to make unique per document. A cycle timer written as a Quartz cron
    expression computes its times by cron (engine/bpmn/timers.py)."""
    for task_spec in spec.task_specs.values():
        use_cron_timers(task_spec)
        if type(task_spec) in _SWAP:
            task_spec.__class__ = _SWAP[type(task_spec)]
        source = getattr(task_spec, "data_input", None)
        if type(source) is TaskDataReference and source.bpmn_id and source.bpmn_id.startswith(PATH_PREFIX):
            source.__class__ = PropertyPath
            source.bpmn_id = source.bpmn_id[len(PATH_PREFIX):]
        item = getattr(task_spec, "input_item", None)
        if item is not None and item.bpmn_id and item.bpmn_id.startswith(ITEM_ID_PREFIX) and item.bpmn_name:
            item.bpmn_id = item.bpmn_name
