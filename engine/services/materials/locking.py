"""What every command on a case's materials starts with: the case locked, its material-relevant
columns and its item's material list; and the end that writes the audit chain."""
from dataclasses import dataclass

from sqlalchemy import select, update

from engine.domain.actor import Actor
from engine.domain.errors import Conflict
from engine.services.accounts import access
from engine.store import tables as t
from engine.store.uow import Transaction


@dataclass
class LockedCase:
    loaded: object            # LoadedCase (row lock + audit chain)
    case: object              # the case row's material-relevant columns
    item: object              # materials, tolerant_acceptance


def lock_for_materials(ctx, tx: Transaction, case_id: int, actor: Actor) -> LockedCase:
    loaded = tx.cases.lock(case_id)
    access.require_case_access(ctx, tx, actor, case_id)
    if loaded.status != "running":
        raise Conflict(f"case {loaded.number} is {loaded.status}", code="case_not_running")
    c = t.case.c
    case = tx.execute(select(c.id, c.item_id, c.channel, c.applicant_name, c.promise_due, c.promise_limit,
                               c.promise_unit, c.convention).where(c.id == case_id)).one()
    return LockedCase(loaded, case, _item(tx, case.item_id))


def _item(tx: Transaction, item_id: int):
    i = t.item_implementation.c
    return tx.execute(select(i.materials, i.tolerant_acceptance).where(i.id == item_id)).one()


def finish(tx: Transaction, locked: LockedCase, now) -> None:
    tx.execute(update(t.case).where(t.case.c.id == locked.loaded.id).values(
        audit_seq=locked.loaded.audit.seq, audit_head=locked.loaded.audit.head, updated_at=now))
    tx.cases.write_events(locked.loaded)
