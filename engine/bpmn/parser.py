"""Turn a set of uploaded BPMN/DMN files into executable process specs, or one DeployError
listing every problem found (file, BPMN element, line, readable message).

Order of checks: hostile XML is refused before anything else looks at it; then our own static
checks (routing targets, scripts and expressions, timer text) run on the raw tree, so a designer
gets every such problem at once; then SpiffWorkflow parses with its XSD validator on; finally
call activities are resolved across the files of the deployment and already deployed processes."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Callable, Iterable, Optional

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import SubWorkflowTask as SubWorkflowTaskMixin
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR

from engine.bpmn import camunda, cron, external, feel_expression, initiator, juel, sandbox, start_timers, throws
from engine.bpmn.dialects import UserTaskMeta, embedded_forms, lanes_by_node, read_form_key, read_user_task
from engine.bpmn.specs import LianbanParser, fix_specs
from engine.bpmn.timers import is_literal, quote_cron, quote_literal
from engine.bpmn.xml import CAMUNDA_NS, NS, XmlRejected, kind_of, parse_upload
from engine.domain.errors import Problem, ProblemList
from engine.domain.lifecycle import check_stage
from engine.domain.org import BUILTIN_ROLES, TargetError, check_role, lane_targets, parse_target


@dataclass(frozen=True)
class SourceFile:
    name: str
    content: bytes

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass
class ParsedProcess:
    key: str
    name: str
    resource: str
    spec: object                       # BpmnProcessSpec
    subprocess_specs: dict             # called process id -> BpmnProcessSpec
    user_tasks: list[UserTaskMeta] = field(default_factory=list)   # of this process and every called one
    start_form: Optional[UserTaskMeta] = None   # the start event's form (the application form), if any
    start_timers: list = field(default_factory=list)   # engine.bpmn.start_timers.StartTimer: its schedule


@dataclass
class ParsedBundle:
    files: list[tuple[SourceFile, str]]          # (file, kind)
    processes: dict[str, ParsedProcess]
    warnings: list = field(default_factory=list)  # engine.domain.errors.Problem: deployable, worth knowing
    embedded_forms: dict = field(default_factory=dict)   # Camunda 8 form id -> its form-js JSON text


# resolves a process id that no file of this deployment defines: (spec, subprocess specs, user tasks)
ExternalResolver = Callable[[str], Optional[tuple[object, dict, list[UserTaskMeta]]]]


def parse_bundle(files: list[SourceFile], resolve_external: ExternalResolver | None = None,
                 roles: Iterable[str] = tuple(BUILTIN_ROLES)) -> ParsedBundle:
    """Each phase (module docstring) reports every problem it finds; the next runs only if it
    found none, so later phases can trust what the earlier ones checked. `roles`: the post roles
    routing targets may name (a deployment passes the organisation's active roles)."""
    problems = ProblemList()
    trees = _read_files(files, problems)
    problems.raise_if_any()
    scheduled: dict[str, list] = {}
    metas, starts = _check_trees(trees, problems, frozenset(roles), scheduled)
    forms = _embedded_forms(trees, problems)
    problems.raise_if_any()
    parser = LianbanParser(validator=VALIDATOR)
    process_files = _add_to_parser(parser, trees, problems)
    problems.raise_if_any()
    processes = _build_processes(parser, process_files, metas, starts, resolve_external, problems)
    for key, proc in processes.items():
        proc.start_timers = scheduled.get(key, [])
    if not processes and not problems.problems:
        problems.add("no_executable_process", "no executable process (isExecutable=\"true\") in the deployment")
    problems.raise_if_any()
    return ParsedBundle([(f, kind) for f, kind, _ in trees], processes, problems.warnings, forms)


def _embedded_forms(trees, problems: ProblemList) -> dict[str, str]:
    """Every zeebe:userTaskForm of the deployment by id (converted with the other forms at deploy,
    engine/services/definitions/forms.py). One id must mean one form: the versions' forms are
    kept by key, and a task names the form by its id alone."""
    out: dict[str, str] = {}
    for f, kind, tree in trees:
        for process in (tree.getroot().iterfind("bpmn:process", NS) if kind == "bpmn" else ()):
            for form_id, text, line in embedded_forms(process):
                if not form_id:
                    problems.add("camunda_form_unsupported", "zeebe:userTaskForm without an id: no task can name it",
                                 file=f.name, element=process.get("id"), line=line)
                elif out.setdefault(form_id, text) != text:
                    problems.add("camunda_form_unsupported", f"embedded form {form_id!r} is embedded twice with "
                                 "different content: a task names it by its id alone", file=f.name,
                                 element=process.get("id"), line=line)
    return out


def _read_files(files: list[SourceFile], problems: ProblemList) -> list[tuple[SourceFile, str, etree._ElementTree]]:
    """(file, kind, tree) of each file that is safe XML and a BPMN or DMN document."""
    if not files:
        problems.add("deployment_empty", "a deployment needs at least one .bpmn or .dmn file")
        problems.raise_if_any()
    names = [f.name for f in files]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        problems.add("duplicate_file", f"file name {dup!r} appears more than once", file=dup)
    trees = []
    for f in files:
        try:
            tree = parse_upload(f.name, f.content)
        except XmlRejected as exc:
            problems.problems.append(exc.problem)
            continue
        kind = kind_of(tree)
        if kind is None:
            problems.add("not_bpmn", "not a BPMN 2.0 or DMN definitions document", file=f.name)
            continue
        trees.append((f, kind, tree))
    return trees


def _check_trees(trees, problems: ProblemList, roles: frozenset,
                 scheduled: dict) -> tuple[dict[str, list[UserTaskMeta]], dict[str, UserTaskMeta]]:
    """Our static checks on each BPMN tree: (process id -> user tasks, process id -> start form);
    `scheduled` gets process id -> its timer start events (engine/bpmn/start_timers.py)."""
    metas: dict[str, list[UserTaskMeta]] = {}
    starts: dict[str, UserTaskMeta] = {}
    for f, kind, tree in trees:
        if kind == "bpmn":
            found = _static_checks(f.name, tree, problems, scheduled)
            _check_roles(f.name, found, roles, problems)
            metas.update(found)
            starts.update(_start_forms(tree))
        else:
            camunda.rewrite_dmn(f.name, tree, problems)
    return metas, starts


def _check_roles(file_name: str, metas: dict[str, list[UserTaskMeta]], roles: frozenset,
                 problems: ProblemList) -> None:
    for tasks in metas.values():
        for meta in tasks:
            for text in meta.candidate_groups or lane_targets(meta.lane):
                try:
                    check_role(parse_target(text), roles)
                except TargetError as exc:       # a malformed target was reported by _check_routing
                    if exc.code == "routing_unknown_role":
                        problems.add(exc.code, str(exc), file=file_name, element=meta.id, line=meta.line)


def _add_to_parser(parser: LianbanParser, trees, problems: ProblemList) -> dict[str, str]:
    """Hand every tree to SpiffWorkflow (its XSD validator on); process id -> the file defining it."""
    process_files: dict[str, str] = {}
    for f, kind, tree in trees:
        try:
            if kind == "bpmn":
                parser.add_bpmn_xml(tree, filename=f.name)
                for proc in tree.getroot().iterfind("bpmn:process", NS):
                    process_files[proc.get("id")] = f.name
            else:
                parser.add_dmn_xml(tree.getroot(), filename=f.name)
        except ValidationException as exc:
            _add_spiff_problem(problems, exc, f.name)
        except (SpiffWorkflowException, etree.LxmlError, ValueError, KeyError, TypeError) as exc:
            problems.add("bpmn_invalid", str(exc), file=f.name)
    return process_files


def _build_processes(parser, process_files, metas, starts, resolve_external,
                     problems: ProblemList) -> dict[str, ParsedProcess]:
    """Each executable process with its called processes resolved; one SpiffWorkflow refuses, or
    whose call activities cannot be resolved, is left out (its problems are in `problems`)."""
    processes: dict[str, ParsedProcess] = {}
    for pid in parser.get_process_ids():
        resource = process_files.get(pid, "")
        try:
            spec = parser.get_spec(pid)
            subs = _subprocess_specs(parser, pid, metas, resolve_external, problems, resource)
        except ValidationException as exc:
            _add_spiff_problem(problems, exc, resource)
            continue
        if subs is None:
            continue
        for each in (spec, *subs.values()):
            fix_specs(each)
        tasks = list(metas.get(pid, []))
        for called in subs:
            tasks.extend(metas.get(called, []))
        processes[pid] = ParsedProcess(pid, spec.description or pid, resource, spec, subs,
                                       _dedupe(tasks), starts.get(pid))
    return processes


def _dedupe(tasks: list[UserTaskMeta]) -> list[UserTaskMeta]:
    seen, out = set(), []
    for t in tasks:
        if (t.process, t.id) not in seen:
            seen.add((t.process, t.id))
            out.append(t)
    return out


def _subprocess_specs(parser, pid, metas, resolve_external, problems, resource) -> Optional[dict]:
    """Called processes of `pid`, from this deployment first, else from deployed versions."""
    used: dict = {}
    pending = [pid]
    ok = True
    while pending:
        current = pending.pop()
        spec = used.get(current) if current != pid else parser.get_spec(pid)
        for task_spec in spec.task_specs.values():
            if not isinstance(task_spec, SubWorkflowTaskMixin) or task_spec.spec in used:
                continue
            called = task_spec.spec
            local = parser.get_spec(called, required=False)
            if local is not None:
                used[called] = local
                pending.append(called)
                continue
            external = resolve_external(called) if resolve_external else None
            if external is None:
                problems.add("call_activity_target_missing",
                             f"call activity calls process {called!r}, which is neither in this deployment "
                             f"nor deployed before", file=resource, element=task_spec.bpmn_id)
                ok = False
                continue
            ext_spec, ext_subs, ext_tasks = external
            used[called] = ext_spec
            for name, sub in ext_subs.items():
                used.setdefault(name, sub)
            metas.setdefault(called, ext_tasks)
            for t in ext_tasks:
                metas.setdefault(t.process, [])
                if t not in metas[t.process]:
                    metas[t.process].append(t)
    return used if ok else None


def _add_spiff_problem(problems: ProblemList, exc: ValidationException, file_name: str) -> None:
    line = exc.line_number if isinstance(exc.line_number, int) or str(exc.line_number).isdigit() else None
    message = str(exc).split(". Context:")[0].strip()
    if "There is no support implemented for this task type" in message:
        code = "bpmn_unsupported_element"
        message = f"{exc.tag or 'element'} is not supported by the engine"
    elif "not expected" in message or "is not a valid value" in message or "not allowed" in message:
        code = "bpmn_schema_violation"
    elif "No DMN Diagram available" in message:
        code = "dmn_decision_missing"
    else:
        code = "bpmn_invalid"
    problems.add(code, message, file=exc.file_name or file_name, element=exc.id or None,
                 line=int(line) if line else None)


def _text(node) -> str:
    return (node.text or "").strip()


def _static_checks(file_name: str, tree, problems: ProblemList, scheduled: dict) -> dict[str, list[UserTaskMeta]]:
    """Routing targets, scripts, expressions and timer text, on the raw tree. Rewrites ISO
    timer literals in place so SpiffWorkflow can evaluate them, and takes the timers of start
    events out into `scheduled` (they start cases; inside a case the start event does not wait)."""
    metas: dict[str, list[UserTaskMeta]] = {}
    for process in tree.getroot().iterfind("bpmn:process", NS):
        camunda.rewrite_process(file_name, process, problems)
        scheduled[process.get("id")] = start_timers.take(file_name, process, problems)
        metas[process.get("id")] = _check_user_tasks(file_name, process, problems)
        _check_scripts(file_name, process, problems)
        _check_conditions(file_name, process, problems)
        _check_timers(file_name, process, problems)
        _check_service_tasks(file_name, process, problems)
        for gw in process.iter("{%s}eventBasedGateway" % NS["bpmn"]):
            _check_event_gateway(file_name, process, gw, problems)
        _check_event_names(file_name, tree.getroot(), process, problems)
        _check_data_stores(file_name, tree.getroot(), process, problems)
        _check_message_throws(file_name, process, problems)
        _check_initiators(file_name, process, problems)
    return metas


def _check_initiators(file_name, process, problems) -> None:
    """camunda:initiator names the variable that receives who started the case (engine/bpmn/initiator.py)."""
    for node in process.iterfind("bpmn:startEvent", NS):
        name = initiator.variable_of(node)
        why = initiator.refusal(name) if name else None
        if why:
            problems.add("expression_invalid", f"camunda:initiator {name[:80]!r} must be {why}", file=file_name,
                         element=node.get("id"), line=node.sourceline)


def _check_data_stores(file_name, root, process, problems) -> None:
    """A data store is storage outside the process, shared by every case (BPMN: it "persists
    beyond the scope of the process"): in a designer's diagram an outside system ("Payroll
    system", "Bank System"). Lianban reaches an outside system only through a worker (a service
    task's topic, docs/integration.md#external-tasks); a store of its own standing in for one
    would take writes the real system never sees, and one shared by all cases would let a case
    read another's data. Refused, naming the reference (docs/camunda-bpmn.md#the-corpus); what
    a case keeps for itself is a data object."""
    names = {node.get("id"): (node.get("name") or node.get("id")) for node in root.iterfind("bpmn:dataStore", NS)}
    for ref in process.iter("{%s}dataStoreReference" % NS["bpmn"]):
        store = names.get(ref.get("dataStoreRef"), ref.get("name") or ref.get("dataStoreRef"))
        problems.add("data_store_unsupported", f"data store {store!r} outlives the case and is shared by every "
                     "case, and Lianban keeps no such store: draw a data object for what the case keeps, and a "
                     "service task (a worker's topic) for an outside system",
                     file=file_name, element=ref.get("id"), line=ref.sourceline)


def _check_user_tasks(file_name: str, process, problems: ProblemList) -> list[UserTaskMeta]:
    pid = process.get("id")
    lanes = lanes_by_node(process)
    found = []
    for node in process.iter("{%s}userTask" % NS["bpmn"]):
        meta = read_user_task(pid, node, lanes.get(node.get("id")))
        _check_routing(file_name, meta, problems)
        _translate_people(file_name, node, meta, problems)
        # the stage drives the case's lifecycle (docs/lifecycle.md#states-and-events)
        if check_stage(meta.stage):
            problems.add("stage_unknown", check_stage(meta.stage), file=file_name, element=meta.id,
                         line=meta.line)
        binding = node.get("{%s}formRefBinding" % CAMUNDA_NS)
        if binding not in (None, "latest", "deployment"):
            problems.add("form_binding_unsupported", f"camunda:formRefBinding {binding!r}: the form is the one "
                         "deployed with the diagram ('deployment' or 'latest')", file=file_name, element=meta.id,
                         line=meta.line)
        if meta.due_date and not is_literal(meta.due_date):
            meta.due_date = _check_expr(file_name, node, meta.due_date, problems, what="due date")
        found.append(meta)
    return found


def _check_service_tasks(file_name: str, process, problems: ProblemList) -> None:
    """Every service task becomes an external task on a topic (engine/bpmn/external.py)."""
    for node in process.iter("{%s}serviceTask" % NS["bpmn"]):
        external.check_service_task(node, problems, file_name)


def _check_scripts(file_name: str, process, problems: ProblemList) -> None:
    """Script tasks, then the pre- and post-scripts of any task."""
    for node in process.iter("{%s}scriptTask" % NS["bpmn"]):
        script = node.find("bpmn:script", NS)
        if script is not None and _text(script):
            _check_script(file_name, node, script.text, problems)
    for node in process.xpath(".//spiffworkflow:preScript | .//spiffworkflow:postScript", namespaces=NS):
        if _text(node):
            _check_script(file_name, node.getparent().getparent(), node.text, problems)


def _check_conditions(file_name: str, process, problems: ProblemList) -> None:
    """A condition whose `language` says FEEL (the DMN FEEL namespace) is FEEL even without
    Camunda 8's leading `=`."""
    for node in process.iter("{%s}conditionExpression" % NS["bpmn"]):
        if _text(node):
            if "feel" in (node.get("language") or "").lower() and not feel_expression.is_feel(node.text):
                node.text = "=" + _text(node)
            _check_expr(file_name, node.getparent(), node.text, problems, what="condition", rewrite=node)


def _check_timers(file_name: str, process, problems: ProblemList) -> None:
    for tag in ("timeDuration", "timeDate", "timeCycle"):
        for node in process.iter("{%s}%s" % (NS["bpmn"], tag)):
            _check_timer(file_name, tag, node, problems)


def _check_timer(file_name: str, tag: str, node, problems: ProblemList) -> None:
    """An empty timer is refused, an ISO literal is quoted in place, a cycle in Quartz cron is checked
    and marked (engine/bpmn/cron.py), anything else is an expression."""
    owner = node.getparent().getparent()
    text = _text(node)
    if not text:
        problems.add("timer_empty", f"timer {tag} is empty", file=file_name,
                     element=owner.get("id"), line=node.sourceline)
    elif tag == "timeCycle" and cron.looks_like_cron(text):
        try:
            node.text = quote_cron(text)
        except cron.CronUnsupported as exc:
            problems.add("timer_cron_unsupported", f"cron timer cycle {text[:200]!r}: {exc.reason}",
                         file=file_name, element=owner.get("id"), line=node.sourceline)
    elif is_literal(text):
        node.text = quote_literal(text)
    else:
        _check_expr(file_name, owner, text, problems, what="timer", rewrite=node)


def _start_forms(tree) -> dict[str, UserTaskMeta]:
    """process id -> its top-level start event's form, as a UserTaskMeta naming the element."""
    out = {}
    for process in tree.getroot().iterfind("bpmn:process", NS):
        for node in process.iterfind("bpmn:startEvent", NS):
            key = read_form_key(node)
            if key:
                out[process.get("id")] = UserTaskMeta(process=process.get("id"), id=node.get("id"),
                                                      name=node.get("name") or node.get("id"), form_key=key,
                                                      line=node.sourceline)
                break
    return out


def _check_routing(file_name: str, meta: UserTaskMeta, problems: ProblemList) -> None:
    """Targets must parse. A task with none goes to the receiving window's queue (综合受理):
    allowed, with a warning (docs/camunda-bpmn.md#routing); one given to people (candidate users,
    an assignee expression) is routed to them and draws none."""
    targets = meta.candidate_groups or lane_targets(meta.lane)
    if not targets and not meta.names_people and not meta.assignee_expression:
        label = f"its lane {meta.lane!r} is not written as a target" if meta.lane else "it has no lane"
        problems.warnings.append(Problem(
            "routing_target_missing", f"user task has no candidate group and {label}: it goes to the "
            "receiving window's queue (综合受理) of each case", file=file_name, element=meta.id, line=meta.line))
    for text in targets:
        try:
            parse_target(text)
        except TargetError as exc:
            problems.add(exc.code, str(exc), file=file_name, element=meta.id, line=meta.line)


def _translate_people(file_name: str, node, meta: UserTaskMeta, problems: ProblemList) -> None:
    """An assignee or candidate users given by JUEL or FEEL become the sandbox's Python, evaluated
    in the case's data when the task opens (docs/camunda-bpmn.md#assignees-given-by-an-expression);
    what cannot be translated is refused, naming the element."""
    if meta.assignee_expression:
        meta.assignee_expression = camunda.translate_in_place(file_name, node, None, problems, "assignee",
                                                              text=meta.assignee_expression)
    meta.candidate_user_expressions = [
        python for python in (camunda.translate_in_place(file_name, node, None, problems, "candidate users",
                                                         text=source)
                              for source in meta.candidate_user_expressions) if python is not None]


def _check_script(file_name, node, script, problems) -> None:
    try:
        sandbox.check_script(script)
    except sandbox.ScriptPolicyError as exc:
        code = "script_import_forbidden" if "import" in exc.reason else "script_policy_violation"
        problems.add(code, f"script rejected: {exc.reason}", file=file_name, element=node.get("id"),
                     line=node.sourceline)


def _check_expr(file_name, node, expression, problems, what: str, rewrite=None) -> str:
    """The expression as the sandbox evaluates it: JUEL (`${...}`) and Camunda 8 FEEL (`=...`) are
    translated (and `rewrite`'s text replaced by the translation), Python is checked. Problems go
    to `problems`."""
    text = expression.strip()
    if juel.is_juel(text) or feel_expression.is_feel(text):
        python = camunda.translate_in_place(file_name, node, rewrite, problems, what,
                                            text=None if rewrite is not None else text)
        return python if python is not None else expression
    try:
        sandbox.check_expression(text)
    except sandbox.ScriptPolicyError as exc:
        problems.add("expression_invalid", f"{what} rejected: {exc.reason}", file=file_name,
                     element=node.get("id"), line=node.sourceline)
    return expression


def _check_event_gateway(file_name, process, gw, problems) -> None:
    """SpiffWorkflow 3.2.0 gives every timer behind one event-based gateway the same due time,
    so a second timer would fire at the wrong moment: refuse it at deploy time."""
    targets = {f.get("targetRef") for f in process.iterfind("bpmn:sequenceFlow", NS)
               if f.get("sourceRef") == gw.get("id")}
    timers = [n.get("id") for n in process.iterfind("bpmn:intermediateCatchEvent", NS)
              if n.get("id") in targets and n.find("bpmn:timerEventDefinition", NS) is not None]
    if len(timers) > 1:
        problems.add("event_gateway_multiple_timers",
                     f"event-based gateway is followed by {len(timers)} timers ({', '.join(timers)}); "
                     "the engine supports one timer per event-based gateway", file=file_name,
                     element=gw.get("id"), line=gw.sourceline)


def _check_event_names(file_name, root, process, problems) -> None:
    """A message or signal event (or receive task) is addressed by the name of the bpmn:message /
    bpmn:signal it refers to (docs/integration.md#messages-and-signals): one without a name could
    never be sent, and the case would wait for ever."""
    for kind, tag, ref_attr in (("message", "message", "messageRef"), ("signal", "signal", "signalRef")):
        names = {node.get("id"): (node.get("name") or "").strip()
                 for node in root.iterfind("bpmn:%s" % tag, NS)}
        owners = [(d.getparent(), d) for d in process.iter("{%s}%sEventDefinition" % (NS["bpmn"], tag))]
        if kind == "message":
            owners += [(t, t) for t in process.iter("{%s}receiveTask" % NS["bpmn"])]
        for owner, node in owners:
            ref = node.get(ref_attr)
            if not ref or not names.get(ref):
                problems.add("message_name_missing" if kind == "message" else "signal_name_missing",
                             f"{owner.get('id')} refers to no named bpmn:{tag} ({ref_attr} "
                             f"{'missing' if not ref else repr(ref) + ' has no name'}); a {kind} is sent by name",
                             file=file_name, element=owner.get("id"), line=owner.sourceline)


_BPMN = "{%s}" % NS["bpmn"]


def _check_message_throws(file_name, process, problems) -> None:
    """A message thrown inside a case (an intermediate throw event, a message end event, a send
    task naming a message) goes to a catch of its own process that waits for it (SpiffWorkflow
    delivers it inside the case); otherwise to the one other case, or message start event, that
    waits for it, through the outbox (docs/integration.md#messages-thrown-between-cases). Its
    receiver rules (correlation.<variable>, businessKey, payload.<variable>: engine/bpmn/throws.py)
    are checked and translated here; a misspelt rule or an expression that cannot run is refused
    with the element. A throw naming no message is refused by _check_event_names. A process that
    is not executable (a drawing) throws nothing."""
    if process.get("isExecutable") != "true":
        return
    nodes = [node for node in process.iter(_BPMN + "intermediateThrowEvent", _BPMN + "endEvent")
             if node.find("bpmn:messageEventDefinition", NS) is not None]
    nodes += [node for node in process.iter(_BPMN + "sendTask") if node.get("messageRef")]
    for node in nodes:
        translated = []
        for name, expression, prop in throws.rules_of(node):
            if not throws.is_rule(name):
                problems.add("message_rule_invalid", f"{node.get('id')}: property {name!r} is not a receiver "
                             "rule (correlation.<variable>, businessKey or payload.<variable>, a variable being "
                             "a plain name)", file=file_name, element=node.get("id"), line=prop.sourceline)
            elif not expression.strip():
                problems.add("message_rule_invalid", f"{node.get('id')}: property {name!r} has no expression",
                             file=file_name, element=node.get("id"), line=prop.sourceline)
            else:
                translated.append((name, _check_expr(file_name, node, expression, problems,
                                                     what=f"message property {name!r}").strip()))
        throws.write_rules(node, translated)
