"""Camunda's `camunda:initiator="starter"` on a process's start event: the variable that receives
the username of whoever started the case, so that `camunda:assignee="${starter}"` can name her
(docs/camunda-bpmn.md#assignees-given-by-an-expression). A start event with the attribute is an
InitiatorStartEvent (the attribute kept in the stored spec); one without stays SpiffWorkflow's
own class, so the spec of a diagram that does not use it is unchanged."""
from __future__ import annotations

import keyword
import re
from typing import Optional

from SpiffWorkflow.bpmn.serializer.default.task_spec import EventConverter
from SpiffWorkflow.bpmn.specs.defaults import StartEvent
from SpiffWorkflow.spiff.parser.event_parsers import SpiffStartEventParser

from engine.bpmn.xml import CAMUNDA_NS, NS

ATTRIBUTE = "{%s}initiator" % CAMUNDA_NS
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")


def variable_of(node) -> Optional[str]:
    """The variable a top-level start event's camunda:initiator names (None: none)."""
    if node.getparent().tag != "{%s}process" % NS["bpmn"]:
        return None
    return (node.get(ATTRIBUTE) or "").strip() or None


def refusal(name: str) -> Optional[str]:
    """Why `name` cannot be a variable of the case (None: it can)."""
    if not _NAME.match(name) or keyword.iskeyword(name):
        return "a plain name (a letter, then letters, digits or _; not a Python keyword)"
    return None


class InitiatorStartEvent(StartEvent):
    def __init__(self, wf_spec, bpmn_id, event_definition=None, initiator: Optional[str] = None, **kwargs):
        super().__init__(wf_spec, bpmn_id, event_definition, **kwargs)
        self.initiator = initiator


class InitiatorStartEventParser(SpiffStartEventParser):
    def create_task(self):
        task = super().create_task()
        name = variable_of(self.node)
        if name:
            task.__class__ = InitiatorStartEvent
            task.initiator = name
        return task


class InitiatorStartEventConverter(EventConverter):
    def to_dict(self, spec):
        dct = super().to_dict(spec)
        dct["initiator"] = spec.initiator
        return dct


def initial_data(spec, username: Optional[str]) -> dict:
    """{variable: username} for each start event of the process (not of its sub-processes) that
    names an initiator variable."""
    if not username:
        return {}
    return {ts.initiator: username for ts in spec.task_specs.values() if isinstance(ts, InitiatorStartEvent)}
