"""What every command on a case's materials starts with: the case locked, its material-relevant
columns and its item's material list; and the end that writes the audit chain."""
from dataclasses import dataclass

from engine.domain.actor import Actor
from engine.domain.errors import Conflict, NotFound
from engine.services.accounts import access
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
    case = tx.materials.case(case_id)          # the row is locked: it exists
    return LockedCase(loaded, case, item_of(tx, case.item_id))


def item_of(tx: Transaction, item_id: int):
    """(materials, tolerant_acceptance) of a case's implementation version."""
    item = tx.materials.item(item_id)
    if item is None:
        raise NotFound(f"implementation {item_id} does not exist", code="item_not_found")
    return item


def finish(tx: Transaction, locked: LockedCase, now) -> None:
    """The case's new audit events and the chain's head."""
    tx.cases.record_events(locked.loaded, now)
