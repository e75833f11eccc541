"""Camunda 7 extensions rewritten into what SpiffWorkflow parses, on the raw tree at deploy time
(docs/camunda-bpmn.md):

- JUEL in sequence-flow conditions, timers, loop cardinality and completion conditions becomes a
  sandbox expression (engine/bpmn/juel.py), and so does Camunda 8's FEEL (`=...`,
  engine/bpmn/feel_expression.py);
- `camunda:collection` / `camunda:elementVariable` become BPMN's own `loopDataInputRef` /
  `inputDataItem`;
- `camunda:decisionRef`, `camunda:resultVariable`, `camunda:mapDecisionResult` on a business rule
  task become the SpiffWorkflow extension naming the decision plus properties the decision task
  reads (engine/bpmn/specs.py);
- DMN cells (simple FEEL) become Python over `?` (engine/bpmn/feel.py).

Each problem is reported with the element; nothing is half-rewritten because a deployment with
any problem is refused as a whole."""
from __future__ import annotations

import ast
import re

from lxml import etree

from engine.bpmn import feel, feel_expression, juel, sandbox
from engine.bpmn.xml import CAMUNDA_NS, NS, SPIFF_NS
from engine.domain.errors import ProblemList

_C = "{%s}" % CAMUNDA_NS
_B = "{%s}" % NS["bpmn"]
_S = "{%s}" % SPIFF_NS
ITEM_ID_PREFIX = "lianban-item-"      # inputDataItem ids we write; specs.fix_specs renames them
# a collection named by a property path (${order.items}): loopDataInputRef "lianban-path-order.items" (a QName),
# read key by key from the case's data (specs.PropertyPath)
PATH_PREFIX = "lianban-path-"
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9]*$|^[A-Za-z][A-Za-z0-9_]*[A-Za-z0-9]$")
MAP_MODES = ("singleEntry", "singleResult", "collectEntries", "resultList")
# BPMN's order of the children of multiInstanceLoopCharacteristics (the XSD checks it)
_MI_ORDER = ("loopCardinality", "loopDataInputRef", "loopDataOutputRef", "inputDataItem", "outputDataItem",
             "complexBehaviorDefinition", "completionCondition")


def translate_in_place(file_name: str, owner, node, problems: ProblemList, what: str, *,
                       text: str | None = None) -> str | None:
    """JUEL (`${...}`) or Camunda 8 FEEL (`=...`) text of `node` (or `text`) as Python; the node's
    text is replaced. None on a problem (`juel_unsupported` / `feel_unsupported`, naming `owner`)."""
    source = (node.text if text is None else text).strip()
    dialect = feel_expression if feel_expression.is_feel(source) else juel
    code = "feel_unsupported" if dialect is feel_expression else "juel_unsupported"
    try:
        python = dialect.translate(source)
        sandbox.check_expression(python)
    except (juel.JuelUnsupported, feel_expression.FeelUnsupported, sandbox.ScriptPolicyError) as exc:
        problems.add(code, f"{what} {source[:200]!r}: {exc.reason}", file=file_name,
                     element=owner.get("id"), line=node.sourceline if node is not None else None)
        return None
    if node is not None and text is None:
        node.text = python
    return python


def rewrite_process(file_name: str, process, problems: ProblemList) -> None:
    for loop in process.iter(_B + "multiInstanceLoopCharacteristics"):
        _multi_instance(file_name, loop, problems)
    for task in process.iter(_B + "businessRuleTask"):
        _business_rule(file_name, task, problems)


def _child(parent, name: str):
    return parent.find("bpmn:" + name, NS)


def _insert_ordered(loop, element) -> None:
    """Insert a child of multiInstanceLoopCharacteristics at its XSD position."""
    rank = _MI_ORDER.index(etree.QName(element).localname)
    for index, existing in enumerate(loop):
        name = etree.QName(existing).localname if isinstance(existing.tag, str) else ""
        if name in _MI_ORDER and _MI_ORDER.index(name) > rank:
            loop.insert(index, element)
            return
    loop.append(element)


def _multi_instance(file_name: str, loop, problems: ProblemList) -> None:
    if _collection(file_name, loop, problems) and _element_variable(file_name, loop, problems):
        _loop_expressions(file_name, loop, problems)


def _collection(file_name: str, loop, problems: ProblemList) -> bool:
    """camunda:collection as loopDataInputRef; False after a problem."""
    owner, collection = loop.getparent(), loop.get(_C + "collection")
    if collection is None:
        return True
    name = collection.strip()
    if juel.is_juel(name):
        name = translate_in_place(file_name, owner, loop, problems, "camunda:collection", text=name)
        if name is None:
            return False
    path = property_path(name or "")
    if path is None or path[0] in ("True", "False", "None"):
        problems.add("juel_unsupported", f"camunda:collection {collection!r} must name one process variable "
                     "(a list) or a property of one, e.g. ${reviewers} or ${order.items}", file=file_name,
                     element=owner.get("id"), line=loop.sourceline)
        return False
    if _child(loop, "loopCardinality") is not None or _child(loop, "loopDataInputRef") is not None:
        problems.add("multi_instance_ambiguous", "camunda:collection together with loopCardinality or "
                     "loopDataInputRef: give one of them", file=file_name, element=owner.get("id"),
                     line=loop.sourceline)
        return False
    ref = etree.Element(_B + "loopDataInputRef")
    ref.text = path[0] if len(path) == 1 else PATH_PREFIX + ".".join(path)
    _insert_ordered(loop, ref)
    return True


def property_path(python: str) -> list[str] | None:
    """The names of a variable and its properties when `python` is only that (`order`,
    `order['items']`, `a['b']['c']`, as juel.translate writes `${order.items}`), else None: an
    index, an arithmetic, a call or anything else is not a collection's name."""
    try:
        node = ast.parse(python.strip(), mode="eval").body
    except SyntaxError:
        return None
    keys = []
    while isinstance(node, ast.Subscript):
        if not (isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str)
                and _IDENTIFIER.match(node.slice.value)):
            return None
        keys.append(node.slice.value)
        node = node.value
    if not (isinstance(node, ast.Name) and _IDENTIFIER.match(node.id)):
        return None
    return [node.id, *reversed(keys)]


def _element_variable(file_name: str, loop, problems: ProblemList) -> bool:
    """camunda:elementVariable as inputDataItem; False after a problem."""
    owner, variable = loop.getparent(), loop.get(_C + "elementVariable")
    if variable is None:
        return True
    if not _IDENTIFIER.match(variable.strip()):
        problems.add("juel_unsupported", f"camunda:elementVariable {variable!r} is not a variable name",
                     file=file_name, element=owner.get("id"), line=loop.sourceline)
        return False
    if _child(loop, "inputDataItem") is None:
        item = etree.Element(_B + "inputDataItem")
        # ids are unique per document while two tasks may use the same variable name
        item.set("id", f"{ITEM_ID_PREFIX}{owner.get('id')}")
        item.set("name", variable.strip())
        _insert_ordered(loop, item)
    return True


def _loop_expressions(file_name: str, loop, problems: ProblemList) -> None:
    owner = loop.getparent()
    for name in ("loopCardinality", "completionCondition"):
        node = _child(loop, name)
        if node is None or not (node.text or "").strip():
            continue
        if juel.is_juel(node.text) or feel_expression.is_feel(node.text):
            translate_in_place(file_name, owner, node, problems, name)
            continue
        try:
            sandbox.check_expression(node.text)
        except sandbox.ScriptPolicyError as exc:
            problems.add("expression_invalid", f"{name} rejected: {exc.reason}", file=file_name,
                         element=owner.get("id"), line=node.sourceline)


def _decision_attributes_ok(file_name: str, task, problems: ProblemList) -> bool:
    """Whether the task's Camunda decision attributes can be honoured (else a problem is added)."""
    mode, variable = task.get(_C + "mapDecisionResult"), task.get(_C + "resultVariable")
    where = {"file": file_name, "element": task.get("id"), "line": task.sourceline}
    if mode is not None and mode not in MAP_MODES:
        problems.add("decision_result_mapping_unknown",
                     f"camunda:mapDecisionResult {mode!r} is not one of {', '.join(MAP_MODES)}", **where)
    elif variable is not None and not _IDENTIFIER.match(variable.strip()):
        problems.add("juel_unsupported", f"camunda:resultVariable {variable!r} is not a variable name", **where)
    elif task.get(_C + "decisionRefBinding") not in (None, "latest", "deployment"):
        problems.add("decision_binding_unsupported", "camunda:decisionRefBinding: only 'latest' and "
                     "'deployment' (the DMN deployed beside the diagram) are supported", **where)
    elif juel.is_juel(task.get(_C + "decisionRef") or ""):
        problems.add("juel_unsupported", "camunda:decisionRef must name a decision, not an expression", **where)
    else:
        return True
    return False


def _business_rule(file_name: str, task, problems: ProblemList) -> None:
    if any(task.get(_C + a) for a in ("class", "expression", "delegateExpression", "type")):
        return    # a business rule task implemented as a service: the external-task rules apply
    if not _decision_attributes_ok(file_name, task, problems):
        return
    ref, variable = task.get(_C + "decisionRef"), task.get(_C + "resultVariable")
    if ref is None:
        return
    ext = task.find("bpmn:extensionElements", NS)
    if ext is None:
        ext = etree.Element(_B + "extensionElements")
        task.insert(_first_non_doc(task), ext)
    called = ext.find("spiffworkflow:calledDecisionId", NS)
    if called is None:
        called = etree.SubElement(ext, _S + "calledDecisionId")
    called.text = ref.strip()
    if variable is None:
        return
    props = ext.find("spiffworkflow:properties", NS)
    if props is None:
        props = etree.SubElement(ext, _S + "properties")
    mode = task.get(_C + "mapDecisionResult") or "resultList"
    for name, value in (("resultVariable", variable.strip()), ("mapDecisionResult", mode)):
        prop = etree.SubElement(props, _S + "property")
        prop.set("name", "camunda:" + name)
        prop.set("value", value)


def _first_non_doc(task) -> int:
    """extensionElements comes right after documentation in every BPMN element."""
    index = 0
    for index, child in enumerate(task):
        if not (isinstance(child.tag, str) and etree.QName(child).localname == "documentation"):
            return index
    return len(task)


def rewrite_dmn(file_name: str, tree, problems: ProblemList) -> None:
    """Every decision table's expressions and entries as Python (engine/bpmn/feel.py)."""
    root = tree.getroot()
    dmn = {"dmn": etree.QName(root).namespace}
    for table in root.iterfind(".//dmn:decisionTable", dmn):
        decision = table.getparent()
        if table.get("aggregation"):
            problems.add("dmn_unsupported", f"hit policy aggregation {table.get('aggregation')!r} is not supported",
                         file=file_name, element=decision.get("id"), line=table.sourceline)
        for expr in table.iterfind("dmn:input/dmn:inputExpression", dmn):
            _rewrite_cell(file_name, decision, expr, dmn, feel.expression, problems, "input expression")
        for rule in table.iterfind("dmn:rule", dmn):
            for entry in rule.iterfind("dmn:inputEntry", dmn):
                _rewrite_cell(file_name, rule, entry, dmn, feel.input_entry, problems, "input entry")
            for entry in rule.iterfind("dmn:outputEntry", dmn):
                _rewrite_cell(file_name, rule, entry, dmn, feel.expression, problems, "output entry")


def _rewrite_cell(file_name, owner, cell, dmn, translate, problems: ProblemList, what: str) -> None:
    language = cell.get("expressionLanguage")
    text_node = cell.find("dmn:text", dmn)
    if text_node is None or not (text_node.text or "").strip():
        return
    if language and language.lower() not in ("feel", "juel", "https://www.omg.org/spec/dmn/20191111/feel/",
                                               "http://www.omg.org/spec/feel/20140401"):
        problems.add("juel_unsupported", f"{what} in {language!r}: only FEEL/JUEL expressions are supported",
                     file=file_name, element=owner.get("id"), line=cell.sourceline)
        return
    source = text_node.text.strip()
    try:
        python = translate(source)
        if python not in (None, feel.ANY):
            sandbox.check_expression(python.replace("?", "dmninputexpr") if what == "input entry" else python)
    except (juel.JuelUnsupported, sandbox.ScriptPolicyError) as exc:
        reason = getattr(exc, "reason", str(exc))
        problems.add("juel_unsupported", f"{what} {source[:200]!r}: {reason}", file=file_name,
                     element=owner.get("id"), line=cell.sourceline)
        return
    text_node.text = python
