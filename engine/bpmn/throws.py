"""What a message thrown to another case says about its receiver, read at deploy time
(docs/integration.md#messages-thrown-between-cases).

A throw (an intermediate throw event, a message end event, a send task) names its message; its
receiver is chosen the BPMN / SpiffArena way — a bpmn:correlationProperty whose
correlationPropertyRetrievalExpression (messagePath) for that message is evaluated on the payload
(SpiffWorkflow does it at the throw) — or, for diagrams drawn in Camunda's or Zeebe's modeler, by
extension properties on the throwing element (spiffworkflow:, camunda: or zeebe:properties):

    correlation.<variable>   an expression: the receiving case must be waiting with <variable> equal to it
    businessKey              an expression: the receiving case's business key
    payload.<variable>       an expression: a variable of the message (beside spiffworkflow:messagePayload)

Each expression (Python, JUEL `${...}` or FEEL `=...`) is checked and translated here and written
back as a spiffworkflow:property named `lianban:<name>`, which SpiffWorkflow keeps on the task spec
(`extensions`), so the runtime (engine/bpmn/events.py) evaluates Python only."""
from __future__ import annotations

import re

from lxml import etree

from engine.bpmn.xml import NS, SPIFF_NS

PREFIX = "lianban:"
BUSINESS_KEY = "businessKey"
# a variable at the top of the receiver's data, or one level down (form.licence_no), as correlation by
# variables finds it (engine/domain/messages.py)
_NAME = re.compile(r"^(correlation|payload)\.([A-Za-z][A-Za-z0-9_]{0,62}(?:\.[A-Za-z][A-Za-z0-9_]{0,62})?)$")
_SOURCES = ("./bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property",
            "./bpmn:extensionElements/camunda:properties/camunda:property",
            "./bpmn:extensionElements/zeebe:properties/zeebe:property")
_B = "{%s}" % NS["bpmn"]
_S = "{%s}" % SPIFF_NS


def is_rule(name: str) -> bool:
    return name == BUSINESS_KEY or _NAME.match(name) is not None


def looks_like_rule(name: str) -> bool:
    return name.startswith(("correlation.", "payload."))


def rules_of(node) -> list[tuple[str, str, object]]:
    """(name, expression, property node) of each receiver rule on a throwing element."""
    out = []
    for path in _SOURCES:
        for prop in node.xpath(path, namespaces=NS):
            name = (prop.get("name") or "").strip()
            if is_rule(name) or looks_like_rule(name):
                out.append((name, prop.get("value") or "", prop))
    return out


def write_rules(node, rules: list[tuple[str, str]]) -> None:
    """The translated rules as spiffworkflow:properties `lianban:<name>` (what the spec keeps)."""
    if not rules:
        return
    ext = node.find("bpmn:extensionElements", NS)
    if ext is None:
        ext = etree.Element(_B + "extensionElements")
        node.insert(0 if not len(node) or etree.QName(node[0]).localname != "documentation" else 1, ext)
    props = ext.find("spiffworkflow:properties", NS)
    if props is None:
        props = etree.SubElement(ext, _S + "properties")
    for name, python in rules:
        prop = etree.SubElement(props, _S + "property")
        prop.set("name", PREFIX + name)
        prop.set("value", python)


def split(properties: dict) -> tuple[dict, str | None, dict]:
    """From a task spec's properties: ({variable: correlation expression}, business key
    expression, {variable: payload expression})."""
    correlation, payload, key = {}, {}, None
    for name, expression in (properties or {}).items():
        if not name.startswith(PREFIX):
            continue
        name = name[len(PREFIX):]
        if name == BUSINESS_KEY:
            key = expression
            continue
        match = _NAME.match(name)
        if match:
            (correlation if match.group(1) == "correlation" else payload)[match.group(2)] = expression
    return correlation, key, payload
