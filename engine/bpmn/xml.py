"""Hostile-input XML handling: uploads are parsed with entities, DTDs and network off, and
a DOCTYPE is refused outright (BPMN and DMN never need one; XXE and entity bombs do)."""
from __future__ import annotations

import re

from lxml import etree

from engine.domain.errors import Problem

MAX_FILE_BYTES = 5 * 1024 * 1024
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
DMN_NAMESPACES = {
    "https://www.omg.org/spec/DMN/20191111/MODEL/",
    "http://www.omg.org/spec/DMN/20180521/MODEL/",
    "https://www.omg.org/spec/DMN/20180521/MODEL/",
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd",
}
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"
SPIFF_NS = "http://spiffworkflow.org/bpmn/schema/1.0/core"
NS = {"bpmn": BPMN_NS, "camunda": CAMUNDA_NS, "zeebe": ZEEBE_NS, "spiffworkflow": SPIFF_NS}


def _parser() -> etree.XMLParser:
    # a fresh parser per call: lxml parsers are not thread-safe
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_blank_text=False)


class XmlRejected(Exception):
    def __init__(self, problem: Problem):
        super().__init__(problem.message)
        self.problem = problem


def parse_upload(name: str, content: bytes) -> etree._ElementTree:
    if len(content) > MAX_FILE_BYTES:
        raise XmlRejected(Problem("file_too_large", f"file is {len(content)} bytes; the limit is {MAX_FILE_BYTES}",
                                  file=name))
    if _DOCTYPE.search(content):
        # refuse before parsing: an entity bomb must not even reach the parser
        raise XmlRejected(Problem("xml_doctype_forbidden",
                                  "DOCTYPE declarations are not allowed (entities and DTDs are disabled)", file=name))
    try:
        tree = etree.ElementTree(etree.fromstring(content, _parser()))
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if isinstance(exc.lineno, int) and exc.lineno > 0 else None
        raise XmlRejected(Problem("xml_malformed", f"malformed XML: {exc.msg}", file=name, line=line)) from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise XmlRejected(Problem("xml_doctype_forbidden",
                                  "DOCTYPE declarations are not allowed (entities and DTDs are disabled)", file=name))
    for node in tree.iter():
        if isinstance(node, etree._Entity):
            raise XmlRejected(Problem("xml_entity_forbidden", "entity references are not allowed", file=name,
                                      line=node.sourceline))
    return tree


def kind_of(tree: etree._ElementTree) -> str | None:
    root = tree.getroot()
    ns = etree.QName(root).namespace
    if ns == BPMN_NS and etree.QName(root).localname == "definitions":
        return "bpmn"
    if ns in DMN_NAMESPACES and etree.QName(root).localname == "definitions":
        return "dmn"
    return None
