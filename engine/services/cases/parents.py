"""A 一件事 package is a parent case whose result follows its children (docs/packages.md): when a
child closes, the parent's combined result is refreshed in the same transaction. Lock order: the
children of a package in ascending id, then the parent."""
from typing import Optional

from engine.domain import packages as rules
from engine.domain.actor import Actor
from engine.services import definitions

# a child that ended without a decision: withdrawn (撤件), not accepted (不予受理), returned (退件)
_CLOSED_UNDECIDED = ("withdrawn", "not_accepted", "returned")


def _outcome(ctx, tx, row, known: dict) -> str:
    if row.id in known:
        return known[row.id]
    if row.status == "running":
        return "open"
    if row.status in _CLOSED_UNDECIDED:
        return row.status
    if row.decision in ("granted", "refused"):
        return row.decision
    definitions.load(ctx, tx, row.definition_id)
    decision = ctx.runtime.data(ctx.runtime.loads(row.state)).get("decision")
    return decision if decision in ("granted", "refused") else "completed"


def _children(ctx, tx, parent_id: int, known: dict) -> list[dict]:
    rows = tx.cases.children(parent_id)
    return [{"case_id": r.id, "number": r.number, "item_code": r.item_code, "item_name": r.item_name,
             "status": r.status, "outcome": _outcome(ctx, tx, r, known)} for r in rows]


def children_of(ctx, tx, parent_id: int) -> list[dict]:
    """The children of a package case with their outcome now."""
    return _children(ctx, tx, parent_id, {})


def after_child_step(ctx, tx, case, actor: Actor, now) -> None:
    """After a task completed: when that ended a child case, refresh its parent's result."""
    if case.status == "running" or (case.parent_read and case.parent_case_id is None):
        return                      # (the parent was read with the case lock: no query)
    decision = ctx.runtime.data(case.workflow).get("decision") if case.workflow is not None else None
    outcome = decision if decision in ("granted", "refused") else "completed"
    if case.status in _CLOSED_UNDECIDED:
        outcome = case.status
    child_closed(ctx, tx, case.id, actor, now, {case.id: outcome})


def child_closed(ctx, tx, case_id: int, actor: Actor, now, known: Optional[dict] = None) -> None:
    parent_id = tx.cases.parent_of(case_id)
    if parent_id is None:
        return
    parent = tx.cases.lock(parent_id)
    if parent.status != "running":
        return
    children = _children(ctx, tx, parent_id, known or {})
    status, lifecycle, decision = rules.combined_result([c["outcome"] for c in children])
    if status == "running":
        return
    tx.timers.cancel_all(parent_id)
    tx.messages.drop_case(parent_id)          # its wait for the children ends here, not by a message
    parent.audit.add("package_result", actor, now, {"lifecycle": lifecycle, "decision": decision, "items": [
        {"number": c["number"], "item": c["item_code"], "outcome": c["outcome"]} for c in children]})
    tx.cases.close(parent, status, now, lifecycle=lifecycle, decision=decision, decided_at=now)
    tx.cases.write_events(parent)
    ctx.caches.workflows.checkout(parent_id, parent.version)


def lock_package(ctx, tx, parent_id: int):
    """Lock every child in ascending id, then the parent (the global order, see the module doc);
    returns (parent, children) as LoadedCase."""
    ids = tx.cases.child_ids(parent_id)
    children = [tx.cases.lock(child_id) for child_id in ids]
    return tx.cases.lock(parent_id), children
