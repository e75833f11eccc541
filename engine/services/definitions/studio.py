"""What the designer studio (web/src/pages/studio/) reads besides the versions: which catalogue
entries run each process, and what a user task's routing target may name."""
from __future__ import annotations

from engine.domain.actor import Actor
from engine.domain.lifecycle import STAGES
from engine.domain.org import BUILTIN_ROLES, TIER_NAMES_ZH, TIERS
from engine.services.accounts import access


def usage(ctx, actor: Actor) -> list[dict]:
    """Every catalogue entry (newest version of each code) with the process key it runs: the
    studio shows them per process and starts its test cases from the published ones."""
    access.require_role(actor, "designer", "admin")
    with ctx.uow.read() as tx:
        rows = tx.definitions.items_by_process()
    out, seen = [], set()
    for r in rows:
        if (r.process_key, r.code) in seen:
            continue        # rows come newest version first: the newest one speaks for the code
        seen.add((r.process_key, r.code))
        out.append({"process_key": r.process_key, "code": r.code, "local_code": r.local_code, "name": r.name,
                    "version": r.version, "status": r.status, "accepting_tiers": list(r.accepting_tiers or [])})
    return out


def routing_options(ctx, actor: Actor) -> dict:
    """What a routing target `<tier>:<role>[@<department>]` may name: the tiers (engine/domain/org.py)
    and the active roles (data, docs/organisation.md) and the department codes the organisation has (a code no
    unit has is refused at deploy), each with the tiers where it exists; and the lifecycle stages a
    user task may declare (engine/domain/lifecycle.py)."""
    access.require_role(actor, "designer", "admin")
    with ctx.uow.read() as tx:
        rows = tx.definitions.department_tiers()
        roles = [(r.code, r.name_zh) for r in tx.org_admin.roles() if r.active]
    departments: dict[str, dict] = {}
    for code, name, tier in rows:
        entry = departments.setdefault(code, {"code": code, "name": name, "tiers": []})
        if tier not in entry["tiers"]:
            entry["tiers"].append(tier)
    for entry in departments.values():
        entry["tiers"].sort(key=TIERS.index)
    return {"tiers": [{"code": tier, "name": TIER_NAMES_ZH[tier]} for tier in TIERS],
            # roles are data (docs/organisation.md): the active ones; the built-in seven before
            # any organisation command has written the table
            "roles": [{"code": code, "name": name}
                      for code, name in roles or [(c, n[0]) for c, n in BUILTIN_ROLES.items()]],
            "departments": list(departments.values()),
            "stages": [{"code": code, "name": name} for code, name in STAGES.items()]}
