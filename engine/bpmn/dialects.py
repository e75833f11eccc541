"""Read what designers' tools write on a user task: candidate groups, assignee, form, due date
and lifecycle stage, from SpiffArena properties, Camunda 7 attributes/properties and Camunda 8
(Zeebe) extension elements. One normalised record per user task, whatever the dialect."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Optional

from lxml import etree

from engine.bpmn.xml import CAMUNDA_NS, NS
from engine.domain.forms import REF_PREFIX

_C = "{%s}" % CAMUNDA_NS


@dataclass
class UserTaskMeta:
    process: str
    id: str
    name: str
    candidate_groups: list[str] = field(default_factory=list)
    candidate_users: list[str] = field(default_factory=list)
    assignee: Optional[str] = None
    form_key: Optional[str] = None
    due_date: Optional[str] = None
    stage: Optional[str] = None
    lane: Optional[str] = None
    dialect: Optional[str] = None
    line: Optional[int] = None
    # given by an expression (`${initiator}`, `=reviewers`): read as written, stored as the sandbox's
    # Python once the parser translated it, evaluated in the case's data when the task opens
    assignee_expression: Optional[str] = None
    candidate_user_expressions: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}

    @property
    def names_people(self) -> bool:
        """Whether the task is offered to named people (candidate users, literal or computed)."""
        return bool(self.candidate_users or self.candidate_user_expressions)


def _split(value: Optional[str]) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def is_expression(text: str) -> bool:
    """JUEL (`${...}`, `#{...}`, also inside other text) or Camunda 8 FEEL (`=...`)."""
    return "${" in text or "#{" in text or text.strip().startswith("=")


def split_people(value: Optional[str]) -> tuple[list[str], list[str]]:
    """(usernames, expressions) of a candidateUsers list. A Zeebe value starting with `=` is one
    FEEL expression (its commas are FEEL's); a Camunda 7 list is split on the commas outside
    `${...}` and quotes, so `alice,${boss}` is a name and an expression."""
    text = (value or "").strip()
    if not text:
        return [], []
    parts = [text] if text.startswith("=") else _split_outside_braces(text)
    names = [p for p in parts if not is_expression(p)]
    return names, [p for p in parts if is_expression(p)]


def _split_outside_braces(text: str) -> list[str]:
    parts, depth, quote, start = [], 0, None, 0
    for i, ch in enumerate(text):
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"" and depth:
            quote = ch
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(depth - 1, 0)
        elif ch == "," and not depth:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _props(node, xpath: str) -> dict[str, str]:
    return {p.get("name"): p.get("value") for p in node.xpath(xpath, namespaces=NS) if p.get("name")}


def read_user_task(process_id: str, node: etree._Element, lane: Optional[str]) -> UserTaskMeta:
    meta = UserTaskMeta(process=process_id, id=node.get("id"), name=node.get("name") or node.get("id"),
                        lane=lane, line=node.sourceline)
    # SpiffArena (bpmn-js-spiffworkflow): spiffworkflow:properties
    spiff = _props(node, "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property")
    # Camunda 7: attributes on the element, plus camunda:properties
    camunda_props = _props(node, "./bpmn:extensionElements/camunda:properties/camunda:property")
    # Camunda 8: zeebe:* extension elements
    ext = node.find("bpmn:extensionElements", NS)
    zeebe_assign = ext.find("zeebe:assignmentDefinition", NS) if ext is not None else None
    zeebe_form = ext.find("zeebe:formDefinition", NS) if ext is not None else None
    zeebe_sched = ext.find("zeebe:taskSchedule", NS) if ext is not None else None
    zeebe_props = _props(node, "./bpmn:extensionElements/zeebe:properties/zeebe:property")

    if spiff.get("candidateGroups") or spiff.get("formJsonSchemaFilename") or spiff.get("stage"):
        meta.dialect = "spiff"
    if any(node.get(_C + a) for a in ("candidateGroups", "candidateUsers", "assignee", "formKey", "dueDate")) \
            or camunda_props:
        meta.dialect = "camunda7"
    if any(x is not None for x in (zeebe_assign, zeebe_form, zeebe_sched)) or zeebe_props:
        meta.dialect = "zeebe"

    groups = (_split(node.get(_C + "candidateGroups"))
              or _split(zeebe_assign.get("candidateGroups") if zeebe_assign is not None else None)
              or _split(spiff.get("candidateGroups")))
    meta.candidate_groups = groups
    meta.candidate_users, meta.candidate_user_expressions = split_people(
        node.get(_C + "candidateUsers")
        or (zeebe_assign.get("candidateUsers") if zeebe_assign is not None else None))
    assignee = ((node.get(_C + "assignee")
                 or (zeebe_assign.get("assignee") if zeebe_assign is not None else None)
                 or spiff.get("assignee") or "").strip() or None)
    if assignee is not None and is_expression(assignee):
        meta.assignee_expression = assignee
    else:
        meta.assignee = assignee
    meta.form_key = (node.get(_C + "formKey") or _form_ref(node)
                     or (zeebe_form.get("formKey") or zeebe_form.get("formId") if zeebe_form is not None else None)
                     or spiff.get("formJsonSchemaFilename"))
    meta.due_date = (node.get(_C + "dueDate")
                     or (zeebe_sched.get("dueDate") if zeebe_sched is not None else None)
                     or spiff.get("dueDate"))
    meta.stage = camunda_props.get("stage") or zeebe_props.get("stage") or spiff.get("stage")
    return meta


def _form_ref(node: etree._Element) -> Optional[str]:
    """Camunda 7.19's `camunda:formRef="id"`: a Camunda Form named by its own id (docs/forms.md)."""
    ref = (node.get(_C + "formRef") or "").strip()
    return REF_PREFIX + ref if ref else None


def read_form_key(node: etree._Element) -> Optional[str]:
    """The form of a start event (the application form), in any of the three dialects."""
    spiff = _props(node, "./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property")
    zeebe_form = node.find("bpmn:extensionElements/zeebe:formDefinition", NS)
    return (node.get(_C + "formKey") or _form_ref(node)
            or (zeebe_form.get("formKey") or zeebe_form.get("formId") if zeebe_form is not None else None)
            or spiff.get("formJsonSchemaFilename"))


def embedded_forms(process: etree._Element) -> list[tuple[str, str, Optional[int]]]:
    """(id, form-js JSON text, line) of each Camunda Form Camunda 8 embeds in the process
    (`zeebe:userTaskForm`), which a task names as `camunda-forms:bpmn:<id>`."""
    return [((node.get("id") or "").strip(), node.text or "", node.sourceline)
            for node in process.xpath("./bpmn:extensionElements/zeebe:userTaskForm", namespaces=NS)]


def lanes_by_node(process: etree._Element) -> dict[str, str]:
    """flow node id -> lane name (lane names may be routing targets too)."""
    out = {}
    for lane in process.xpath(".//bpmn:lane", namespaces=NS):
        for ref in lane.xpath("./bpmn:flowNodeRef", namespaces=NS):
            if ref.text:
                out[ref.text.strip()] = lane.get("name") or lane.get("id")
    return out
