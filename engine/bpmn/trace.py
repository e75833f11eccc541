"""Where a case's tokens are and which way they went, read off its SpiffWorkflow task tree, and
the parts of a BPMN file a diagram needs (its scopes and sequence flows). Used by the case
diagram (engine/services/diagrams); nothing here changes a workflow."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.util.task import TaskState

from engine.bpmn.xml import BPMN_NS, parse_upload

# a token sits on the element (a user task waiting for a person, a timer counting down, a call
# activity whose process runs); FUTURE/LIKELY/MAYBE are only predictions of the tree
_ACTIVE = TaskState.READY | TaskState.STARTED | TaskState.WAITING | TaskState.ERROR
_SCOPES = ("process", "subProcess", "transaction", "adHocSubProcess")


@dataclass
class Trace:
    """Per (process id, element id): how often it completed, how many tokens sit on it now; the
    (process id, source element, target element) steps the tokens took."""
    completed: Counter = field(default_factory=Counter)
    active: Counter = field(default_factory=Counter)
    steps: set = field(default_factory=set)


def _element_parent(task):
    """The nearest ancestor that is a BPMN element: the tree also holds the engine's own tasks
    (Start, a boundary event's split and join) between two elements."""
    parent = task.parent
    while parent is not None and not parent.task_spec.bpmn_id:
        parent = parent.parent
    return parent


def trace(workflow) -> Trace:
    """Completed and active elements of the workflow and of each sub-workflow (embedded
    sub-processes and call activities), and the steps between elements that were reached."""
    out = Trace()
    for wf in (workflow, *workflow.subprocesses.values()):
        scope = wf.spec.name
        for task in wf.tasks.values():
            spec = task.task_spec
            if not spec.bpmn_id:
                continue
            key = (scope, spec.bpmn_id)
            if task.state == TaskState.COMPLETED:
                out.completed[key] += 1
            elif task.state & _ACTIVE:
                if isinstance(spec, BoundaryEvent):
                    continue             # a boundary event listens while its activity runs: no token of its own
                out.active[key] += 1
            else:
                continue
            parent = _element_parent(task)
            if parent is not None and parent.state == TaskState.COMPLETED:
                out.steps.add((scope, parent.task_spec.bpmn_id, spec.bpmn_id))
    return out


@dataclass(frozen=True)
class Shape:
    """What a diagram needs of a BPMN file: the ids of its processes and sub-processes (the
    scopes whose elements it draws), every element's name, its sequence flows as
    (flow id, source element, target element), and for each element drawn inside a sub-process
    the (process id, innermost sub-process id) around it."""
    scopes: frozenset
    names: dict
    flows: tuple
    nested: dict = field(default_factory=dict)

    def drawn_in(self, process: str, element: str) -> str:
        """The scope an element of `process` is drawn in. A task row names the process whose XML
        declares the step (engine/bpmn/runtime.py `_declaring_process`), but the workflow runs a
        step of an embedded sub-process in the sub-process's own flow, and the file draws it
        inside the sub-process's shape: that is where its marks belong."""
        around = self.nested.get(element)
        return around[1] if around is not None and around[0] == process else process


def shape(content: str | bytes, name: str = "diagram.bpmn") -> Shape:
    raw = content.encode("utf-8") if isinstance(content, str) else content
    root = parse_upload(name, raw).getroot()
    scopes, names, flows, nested = set(), {}, [], {}
    for node in root.iter(etree.Element):
        qname = etree.QName(node)
        if qname.namespace != BPMN_NS or not node.get("id"):
            continue
        if qname.localname in _SCOPES:
            scopes.add(node.get("id"))
            if qname.localname != "process":
                _nest(node, nested)
        if qname.localname == "sequenceFlow":
            flows.append((node.get("id"), node.get("sourceRef"), node.get("targetRef")))
        elif node.get("name"):
            names[node.get("id")] = node.get("name")
    return Shape(frozenset(scopes), names, tuple(flows), nested)


def _nest(sub_process, nested: dict) -> None:
    """Files the direct children of a sub-process under (its process, itself): a sub-process
    inside it files its own children, so each element gets its innermost scope."""
    process = next(a for a in sub_process.iterancestors() if etree.QName(a).localname == "process")
    for child in sub_process:
        if isinstance(child.tag, str) and child.get("id"):
            nested[child.get("id")] = (process.get("id"), sub_process.get("id"))


def flows_taken(shape_: Shape, steps: set) -> list[str]:
    """The sequence flows of the file whose source and target the tokens stepped between."""
    pairs = {(source, target) for scope, source, target in steps if scope in shape_.scopes}
    return [flow for flow, source, target in shape_.flows if (source, target) in pairs]


# what an applicant's copy of the file leaves out: how the agency runs the process (scripts,
# conditions, routing and form extensions, notes), not the picture of it
_PRIVATE = {f"{{{BPMN_NS}}}{tag}" for tag in ("extensionElements", "script", "conditionExpression",
                                                "documentation")}


def public_source(content: str | bytes, name: str = "diagram.bpmn") -> str:
    """The file without its scripts, conditions, extension elements and vendor attributes
    (candidate groups, assignees, forms): enough for bpmn-js to draw every shape and name."""
    raw = content.encode("utf-8") if isinstance(content, str) else content
    root = parse_upload(name, raw).getroot()
    for node in [n for n in root.iter(etree.Element) if n.tag in _PRIVATE]:
        node.getparent().remove(node)
    for node in root.iter(etree.Element):
        for attr in [a for a in node.attrib if a.startswith("{") and not a.startswith("{http://www.omg.org/")]:
            del node.attrib[attr]
    return etree.tostring(root, encoding="unicode")
