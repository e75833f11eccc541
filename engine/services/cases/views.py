"""Reading cases: one case with its data (ID numbers masked), the cases an actor may see, and a
case's audit trail with where its hash chain breaks."""
from dataclasses import dataclass
from typing import Optional

from engine.domain import audit as audit_rules
from engine.domain import lifecycle as lc
from engine.domain.actor import Actor
from engine.domain.audit import case_stream
from engine.domain.errors import NotFound
from engine.domain.identity import mask_id_number, mask_ids_in
from engine.services import definitions
from engine.services.accounts import access, org


@dataclass(frozen=True)
class CaseView:
    id: int
    number: str
    item_code: str
    status: str
    stage: Optional[str]
    version: int
    applicant_name: str
    applicant_id_masked: Optional[str]
    origin_window_id: int
    channel: str
    created_at: object
    completed_at: object
    data: dict
    clock_status: str = "pre_acceptance"
    accepted_at: object = None
    promise_due: object = None
    legal_due: object = None
    warning: str = "none"
    deadline_provisional: bool = False
    lifecycle: str = "received"              # engine/domain/lifecycle.py
    decision: Optional[str] = None
    decided_at: object = None
    delivery_method: Optional[str] = None
    delivered_at: object = None
    allowed_actions: tuple = ()              # lc.ACTIONS this caller may take now


def standing(ctx, tx, actor: Actor, origin_unit: int, case_id: int) -> lc.Standing:
    """Who the actor is to a case she may read (access is checked): the checks the commands make."""
    if actor.kind == "applicant":
        return lc.Standing(applicant=True)
    units = {origin_unit} | tx.tasks.routed_units([case_id])
    return lc.Standing(agency=True, worker=access.works_on_units(ctx, tx, actor, units),
                       head=access.is_head_above(ctx, tx, actor, origin_unit))


def allowed_actions(ctx, tx, actor: Actor, row) -> list[str]:
    """What the actor may do to the case (a row of tx.cases.view) now: engine/domain/lifecycle.py."""
    item = tx.materials.item(row.item_id)
    facts = lc.CaseFacts(row.status, row.clock_status, open_tasks=tx.tasks.open_of_case(row.id),
                         extended=tx.clocks.has_extension(row.id),
                         tolerant_item=bool(item is not None and item.tolerant_acceptance))
    return lc.allowed_actions(row.lifecycle, facts, standing(ctx, tx, actor, row.origin_org_unit_id, row.id))


def get_case(ctx, case_id: int, actor: Actor) -> CaseView:
    with ctx.uow.read() as tx:
        access.require_case_access(ctx, tx, actor, case_id, reading=True)
        row = tx.cases.view(case_id)
        if row is None:
            raise NotFound(f"case {case_id} does not exist", code="case_not_found")
        definitions.load(ctx, tx, row.definition_id)
        wf = ctx.runtime.loads(row.state)
        return CaseView(row.id, row.number, row.item_code, row.status, row.stage, row.version, row.applicant_name,
                        mask_id_number(row.applicant.get("id_number")), row.origin_window_id, row.channel,
                        row.created_at, row.completed_at, mask_ids_in(ctx.runtime.data(wf)), row.clock_status,
                        row.accepted_at,
                        row.promise_due, row.legal_due, row.warning, row.deadline_provisional,
                        lifecycle=row.lifecycle, decision=row.decision, decided_at=row.decided_at,
                        delivery_method=row.delivery_method, delivered_at=row.delivered_at,
                        allowed_actions=tuple(allowed_actions(ctx, tx, actor, row)))


@dataclass(frozen=True)
class CaseSummary:
    id: int
    number: str
    item_code: str
    status: str
    stage: Optional[str]
    warning: str
    applicant_name: str
    promise_due: object
    created_at: object
    lifecycle: str


def list_cases(ctx, actor: Actor, *, status: Optional[str] = None, item_code: Optional[str] = None,
               limit: int = 50, after_id: Optional[int] = None) -> list[CaseSummary]:
    """Cases the actor may see, newest id last (cursor: `after_id`): her own as an applicant;
    for staff those received at or routed to her units and those below what she supervises."""
    visible: tuple = ("all",)
    with ctx.uow.read() as tx:
        if not actor.has_role("admin"):
            if actor.kind == "applicant":
                visible = ("applicant", actor.staff_id)
            else:
                posts = org.posts_of(ctx, tx, actor.staff_id) if actor.staff_id else []
                directory = org.directory(ctx, tx)
                units = {u for u, _d, r in posts if r != "supervisor"}
                supervised = {u for root, _d, r in posts if r == "supervisor" for u in directory.subtree(root)}
                visible = ("staff", units | supervised, units)
        rows = tx.cases.summaries(visible, status=status, item_code=item_code, after_id=after_id, limit=limit)
    return [CaseSummary(r.id, r.number, r.code, r.status, r.stage, r.warning, r.applicant_name, r.promise_due,
                        r.created_at, r.lifecycle) for r in rows]


def audit_trail(ctx, case_id: int, actor: Actor) -> tuple[list[dict], Optional[int]]:
    """The case's events and where the hash chain breaks (None when intact); each event also
    names its actor as people know her (`actor_name`, the account's display name; not part of
    the chained record)."""
    with ctx.uow.read() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        events = tx.events.of_stream(case_stream(case_id))
        names = tx.accounts.names_of({e["actor"] for e in events if e["actor"]})
    broken = audit_rules.verify(events, case_stream(case_id))
    return [{**e, "actor_name": names.get(e["actor"])} for e in events], broken
