"""Deploying BPMN/DMN: all-or-nothing, versioned by content."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import select

from engine.bpmn.parser import SourceFile, parse_bundle
from engine.domain.actor import Actor
from engine.domain.errors import DeployError, Problem
from engine.domain.org import parse_target
from engine.services import definitions
from engine.services.accounts import access, org
from engine.services.definitions import forms
from engine.store import tables as t
from engine.store.uow import Transaction

MAX_FILES = 50
MAX_FILE_NAME = 255


@dataclass(frozen=True)
class DeployedProcess:
    key: str
    version: int
    definition_id: int
    created: bool          # False when identical content was already deployed


@dataclass(frozen=True)
class DeployResult:
    deployment_id: int | None
    processes: list[DeployedProcess]


def deploy(ctx, files: list[SourceFile], actor: Actor, name: str = "deployment") -> DeployResult:
    access.require_role(actor, "designer", "admin")
    if len(files) > MAX_FILES:
        raise DeployError([Problem("deployment_too_many_files", f"at most {MAX_FILES} files per deployment")])
    for f in files:          # names are stored with each version (255 characters)
        if len(f.name) > MAX_FILE_NAME:
            raise DeployError([Problem("file_name_too_long", f"a file name has at most {MAX_FILE_NAME} characters",
                                       file=f.name[:60] + "…")])
    form_files = [f for f in files if forms.is_form_file(f.name)]
    files = [f for f in files if not forms.is_form_file(f.name)]
    with ctx.uow.begin() as tx:
        bundle = parse_bundle(files, definitions.external_resolver(ctx, tx))
        _check_departments(ctx, tx, bundle)
        snapshots = forms.snapshot(ctx, tx, bundle, {f.name: f.content for f in form_files})
        now = ctx.clock.now()
        prepared = []
        for key, proc in sorted(bundle.processes.items()):
            spec_json = ctx.runtime.spec_to_json(proc.spec, proc.subprocess_specs)
            tasks = [t.to_dict() for t in proc.user_tasks]
            checksum = hashlib.sha256((spec_json + json.dumps([tasks, snapshots[key]], sort_keys=True,
                                                              ensure_ascii=False)).encode()).hexdigest()
            pd = t.process_definition.c
            existing = tx.execute(select(pd.id, pd.version).where(pd.key == key, pd.checksum == checksum)
                                    .order_by(pd.version.desc()).limit(1)).first()
            latest = definitions.latest(ctx, tx, key)
            if existing is not None and latest is not None and latest.id == existing.id:
                prepared.append((key, proc, None, existing))
            else:
                prepared.append((key, proc, (spec_json, tasks, checksum), None))
        if all(item[2] is None for item in prepared):
            return DeployResult(None, [DeployedProcess(k, e.version, e.id, False) for k, _, _, e in prepared])
        dep_id = tx.execute(t.deployment.insert().values(name=name[:200], deployed_at=now,
                                                          deployed_by=actor.username)
                              .returning(t.deployment.c.id)).scalar_one()
        tx.execute(t.deployment_resource.insert(), [
            {"deployment_id": dep_id, "name": f.name, "kind": kind, "checksum": f.checksum,
             "content": f.content.decode("utf-8")}
            for f, kind in bundle.files + [(f, "form") for f in form_files]])
        out = []
        for key, proc, new, existing in prepared:
            if new is None:
                out.append(DeployedProcess(key, existing.version, existing.id, False))
                continue
            spec_json, tasks, checksum = new
            version = definitions.latest_version(tx, key) + 1
            def_id = tx.execute(t.process_definition.insert().values(
                key=key, name=proc.name, version=version, checksum=checksum, deployment_id=dep_id,
                resource_name=proc.resource, spec=spec_json, user_tasks=tasks, created_at=now,
                forms=snapshots[key][0], start_form=snapshots[key][1])
                .returning(t.process_definition.c.id)).scalar_one()
            out.append(DeployedProcess(key, version, def_id, True))
        tx.events.append("system", "deployed", actor, now, {
            "deployment": dep_id, "files": [f.name for f, _ in bundle.files],
            "processes": [{"key": p.key, "version": p.version, "created": p.created} for p in out]})
        return DeployResult(dep_id, out)


def _check_departments(ctx, tx: Transaction, bundle) -> None:
    """A department code no org unit has can never be resolved: a deploy-time error. (A unit
    missing above one particular window is a run-time routing problem: supervisor queue.)"""
    known = org.directory(ctx, tx).department_codes
    problems = []
    for proc in bundle.processes.values():
        for meta in proc.user_tasks:
            for text in meta.candidate_groups or ([meta.lane] if meta.lane else []):
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
