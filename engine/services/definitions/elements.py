"""Every problem of a rejected deployment names its BPMN element, so the studio can mark it on the
diagram: SpiffWorkflow's schema validator reports only a line, and the element is the one that
line belongs to (the innermost element with an id that starts at or before it)."""
from __future__ import annotations

from dataclasses import replace

from engine.bpmn.parser import SourceFile
from engine.bpmn.xml import XmlRejected, parse_upload
from engine.domain.errors import DeployError


def name_elements(exc: DeployError, files: list[SourceFile]) -> DeployError:
    """`exc` with `element` filled in on each problem that has a file and a line but no element."""
    if not any(p.element is None and p.line and p.file for p in exc.problems):
        return exc
    by_name = {f.name: f for f in files}
    lines: dict[str, dict[int, str]] = {}
    problems = []
    for p in exc.problems:
        if p.element is None and p.line and p.file in by_name:
            if p.file not in lines:
                lines[p.file] = _owners_by_line(by_name[p.file])
            element = lines[p.file].get(p.line)
            p = replace(p, element=element) if element else p
        problems.append(p)
    return DeployError(problems)


def _owners_by_line(source: SourceFile) -> dict[int, str]:
    """line -> the id of the innermost element with an id around the first element starting on that
    line. Diagram interchange (bpmndi) shapes are left out: a problem is about the process."""
    try:
        tree = parse_upload(source.name, source.content)
    except XmlRejected:
        return {}
    out: dict[int, str] = {}
    for node in tree.getroot().iter():
        if not isinstance(node.tag, str) or not node.sourceline or node.sourceline in out:
            continue
        owner = node
        while owner is not None and not owner.get("id"):
            owner = owner.getparent()
        if owner is not None and owner.getparent() is not None and "20100524/DI" not in owner.tag:
            out[node.sourceline] = owner.get("id")
    return out
