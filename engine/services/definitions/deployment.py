"""Deploying BPMN/DMN: all-or-nothing, versioned by content. A dry run (validate) is the same
command with every check and no write, so validate and deploy can never disagree."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Optional

import engine.services.definitions.deployed as deployed
import engine.services.definitions.elements as elements
import engine.services.definitions.forms as forms
from engine.bpmn.parser import SourceFile, parse_bundle
from engine.domain.actor import Actor
from engine.domain.errors import DeployError, Problem
from engine.domain.org import lane_targets, parse_target
from engine.services.accounts import access, org
from engine.store.uow import Transaction

MAX_FILES = 50
MAX_FILE_NAME = 255


@dataclass(frozen=True)
class DeployedProcess:
    key: str
    version: int
    definition_id: Optional[int]   # None in a dry run for a version not written yet
    created: bool                  # False when identical content was already deployed
    user_tasks: int = 0            # user tasks of the process and the processes it calls


@dataclass(frozen=True)
class DeployResult:
    deployment_id: int | None
    processes: list[DeployedProcess]
    warnings: tuple = ()           # engine.domain.errors.Problem: deployable, but worth a designer's look


@dataclass(frozen=True)
class _Planned:
    """One process of a deployment once checked: its new content, or the version that has it."""
    key: str
    proc: object                   # engine.bpmn.parser.ParsedProcess
    spec_json: str
    tasks: list
    checksum: str
    existing: object               # (id, version) of the latest version when it has this content, else None


def deploy(ctx, files: list[SourceFile], actor: Actor, name: str = "deployment", *,
           dry_run: bool = False, source: Optional[str] = None) -> DeployResult:
    """Deploy the files as one deployment, or (`dry_run`) run every check a deployment runs and
    write nothing, answering what deploying would do: the version each process would get (or the
    one that already has its content) and whether it would be created. `source` says where the
    deployment came from (Camunda's deployment-source, e.g. "Camunda Modeler"). Every problem of a
    rejection names its BPMN element when it has one (elements.py)."""
    access.require_role(actor, "designer", "admin")
    try:
        return _deploy(ctx, files, actor, name, dry_run, source)
    except DeployError as exc:
        named = elements.name_elements(exc, files)
        if named is exc:
            raise
        raise named from None


def _deploy(ctx, files: list[SourceFile], actor: Actor, name: str, dry_run: bool,
            source: Optional[str]) -> DeployResult:
    if len(files) > MAX_FILES:
        raise DeployError([Problem("deployment_too_many_files", f"at most {MAX_FILES} files per deployment")])
    for f in files:          # names are stored with each version (255 characters)
        if len(f.name) > MAX_FILE_NAME:
            raise DeployError([Problem("file_name_too_long", f"a file name has at most {MAX_FILE_NAME} characters",
                                       file=f.name[:60] + "…")])
    form_files = [f for f in files if forms.is_form_file(f.name)]
    files = [f for f in files if not forms.is_form_file(f.name)]
    with ctx.uow.read() if dry_run else ctx.uow.begin() as tx:
        bundle = parse_bundle(files, deployed.external_resolver(ctx, tx), roles=org.directory(ctx, tx).roles)
        _check_departments(ctx, tx, bundle)
        _check_staff(tx, bundle)
        warned = tuple(bundle.warnings)
        snapshots = forms.snapshot(ctx, tx, bundle, {f.name: f.content for f in form_files})
        now = ctx.clock.now()
        planned = [_plan(ctx, tx, key, proc, snapshots[key]) for key, proc in sorted(bundle.processes.items())]
        warned += tuple(_schedule_warning(p) for p in planned if p.existing is None and p.proc.start_timers)
        if dry_run:
            return DeployResult(None, [_unchanged(p) if p.existing is not None else
                                       DeployedProcess(p.key, deployed.latest_version(tx, p.key) + 1, None, True,
                                                       len(p.tasks)) for p in planned], warned)
        if all(p.existing is not None for p in planned):
            return DeployResult(None, [_unchanged(p) for p in planned], warned)
        dep_id = tx.definitions.insert_deployment(name[:200], now, actor.username, [
            {"name": f.name, "kind": kind, "checksum": f.checksum, "content": f.content.decode("utf-8")}
            for f, kind in bundle.files + [(f, "form") for f in form_files]],
            source=source[:255] if source else None)
        out = []
        for p in planned:
            if p.existing is not None:
                out.append(_unchanged(p))
                continue
            version = deployed.latest_version(tx, p.key) + 1
            def_id = tx.definitions.insert_definition(
                key=p.key, name=p.proc.name, version=version, checksum=p.checksum, deployment_id=dep_id,
                resource_name=p.proc.resource, spec=p.spec_json, user_tasks=p.tasks, created_at=now,
                forms=snapshots[p.key][0], start_form=snapshots[p.key][1])
            tx.messages.add_starts(def_id, p.key, ctx.runtime.message_starts(p.proc.spec))
            warned += _replace_schedules(tx, p, def_id, now)
            out.append(DeployedProcess(p.key, version, def_id, True, len(p.tasks)))
        tx.events.append("system", "deployed", actor, now, {
            "deployment": dep_id, "files": [f.name for f, _ in bundle.files],
            "processes": [{"key": p.key, "version": p.version, "created": p.created} for p in out]})
        return DeployResult(dep_id, out, warned)


def _plan(ctx, tx: Transaction, key: str, proc, snapshot) -> _Planned:
    """The process's content and its checksum; unchanged when the latest version has that checksum
    (an older version with it does not count: deploying it again makes it the latest)."""
    spec_json = ctx.runtime.spec_to_json(proc.spec, proc.subprocess_specs)
    tasks = [meta.to_dict() for meta in proc.user_tasks]
    # the start timers left the spec (engine/bpmn/start_timers.py): a changed time is a new version
    timers = [timer.to_dict() for timer in proc.start_timers]
    checksum = hashlib.sha256((spec_json + json.dumps([tasks, snapshot] + ([timers] if timers else []),
                                                      sort_keys=True, ensure_ascii=False)).encode()).hexdigest()
    existing = tx.definitions.same_content(key, checksum)
    latest = deployed.latest(ctx, tx, key)
    unchanged = existing is not None and latest is not None and latest.id == existing.id
    return _Planned(key, proc, spec_json, tasks, checksum, existing if unchanged else None)


def _schedule_warning(p: _Planned) -> Problem:
    timer = p.proc.start_timers[0]
    return Problem("timer_start_inactive", f"timer start event ({timer.kind} {timer.text!r}) starts no case until "
                   f"an administrator or designer activates its schedule, naming the window that receives the "
                   f"cases (PUT /api/v1/process-definitions/{p.key}/start-schedule)",
                   file=p.proc.resource, element=timer.element)


def _replace_schedules(tx: Transaction, p: _Planned, def_id: int, now) -> tuple:
    """A new version replaces the start schedules of the older ones (Camunda removes the previous
    version's timer start); its own start inactive. A warning for each active one that stopped."""
    stopped = tx.start_schedules.replace_older(p.key, def_id, now)
    tx.start_schedules.add(def_id, p.key, p.proc.start_timers, now)
    return tuple(Problem("timer_start_replaced", f"the schedule of the previous version (start event {row.element_id}, "
                         f"window {row.window_id}) was active and has stopped: this version's schedule starts cases "
                         f"once activated", file=p.proc.resource, element=row.element_id) for row in stopped)


def _unchanged(p: _Planned) -> DeployedProcess:
    return DeployedProcess(p.key, p.existing.version, p.existing.id, False, len(p.tasks))


def _check_staff(tx: Transaction, bundle) -> None:
    """camunda:assignee and camunda:candidateUsers name active staff accounts (usernames)."""
    named = {who for proc in bundle.processes.values() for meta in proc.user_tasks
             for who in ([meta.assignee] if meta.assignee else []) + meta.candidate_users}
    known = tx.accounts.staff_ids(named)
    problems = []
    for proc in bundle.processes.values():
        for meta in proc.user_tasks:
            for who in ([meta.assignee] if meta.assignee else []) + meta.candidate_users:
                if who not in known:
                    problems.append(Problem("assignee_unknown", f"{who!r} is not an active staff account",
                                            file=proc.resource if meta.process == proc.key else None,
                                            element=meta.id, line=meta.line))
    if problems:
        raise DeployError(problems)


def _check_departments(ctx, tx: Transaction, bundle) -> None:
    """A department code no org unit has can never be resolved: a deploy-time error. (A unit
    missing above one particular window is a run-time routing problem: supervisor queue.)"""
    known = org.directory(ctx, tx).department_codes
    problems = []
    for proc in bundle.processes.values():
        for meta in proc.user_tasks:
            for text in meta.candidate_groups or lane_targets(meta.lane):
                target = parse_target(text)
                if target.department and target.department not in known:
                    problems.append(Problem("routing_unknown_department",
                                            f"department {target.department!r} in {text!r} does not exist in the "
                                            f"organisation", file=proc.resource if meta.process == proc.key else None,
                                            element=meta.id, line=meta.line))
    if problems:
        seen, unique = set(), []
        for p in problems:
            if (p.element, p.message) not in seen:
                seen.add((p.element, p.message))
                unique.append(p)
        raise DeployError(unique)
