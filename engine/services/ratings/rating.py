"""Rating a case online (一事一评) and a visit at a window (一次一评), the invitations after 办结,
the default rating of an unanswered invitation, and re-rating a fix. Raters are never shown to
staff: what a staff member reads of a rating has no rater field at all."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Optional

import engine.services.ratings.review as review
from engine.domain import lifecycle as lc
from engine.domain import ratings as rules
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, Forbidden, NotFound
from engine.services import calendar
from engine.services.accounts import access, org

RATEABLE = frozenset({lc.COMPLETED, lc.DELIVERED})


def scheme(ctx) -> dict:
    return rules.scheme(ctx.settings.rating_window_workdays)


# --- hooks: where a case reaches 办结 or 送达 (engine/services/tasks/stages.py, delivery/handover.py)
def on_case_finished(ctx, tx, case_id: int, now: datetime, *, delivered: bool = False) -> None:
    """办结 invites the applicant to rate the case online; 送达 of a case whose invitation is still
    open starts its window again (the applicant rates what she received)."""
    due = rules.window_due(calendar.current(ctx, tx), now, ctx.settings.rating_window_workdays)
    row = tx.ratings.case_context(case_id)
    if row is None or row.item_code == review.RATING_REVIEW_ITEM:      # a review case is nobody's to rate
        return
    if not tx.ratings.invite(case_id, row.applicant_account_id, now, due) and delivered:
        tx.ratings.extend_open_invitation(case_id, due)


def invitations(ctx, actor: Actor) -> list[dict]:
    if actor.kind != "applicant":
        return []
    with ctx.uow.read() as tx:
        return [dict(r._mapping, due_on=r.due_at) for r in tx.ratings.open_invitations(actor.staff_id)]


# --- rating a case -----------------------------------------------------------------------------
def _bind(tx, ctx_row, case_id: int) -> dict:
    """Where and by whom the case was served: the receiving window, its hall and unit, and the
    staff who completed its last task (else the clerk who received it)."""
    staff_id = tx.ratings.last_handler(case_id) or tx.ratings.staff_id_by_username(ctx_row.created_by)
    return {"case_id": case_id, "item_code": ctx_row.item_code, "window_id": ctx_row.origin_window_id,
            "hall_id": ctx_row.hall_id, "org_unit_id": ctx_row.origin_org_unit_id,
            "department_id": ctx_row.department_id, "staff_id": staff_id}


def rate_case(ctx, case_id: int, body: dict, actor: Actor) -> dict:
    if actor.kind != "applicant":
        raise Forbidden("only the applicant rates her case online", code="applicant_only")
    with ctx.uow.begin() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        row = tx.ratings.case_context(case_id)
        if row.lifecycle not in RATEABLE:
            raise Conflict("a case is rated once it is 办结", code="rating_not_open", field="case_id")
        parsed = rules.check_body(rules.ONLINE, body.get("level"), body.get("indicators"), body.get("comment"))
        if tx.ratings.has_rating(case_id, rules.ONLINE):
            raise Conflict("this case was rated already", code="already_rated", field="case_id")
        now = ctx.clock.now()
        rating_id = _insert(ctx, tx, {**_bind(tx, row, case_id), "channel": rules.ONLINE}, parsed, rules.ACTIVE,
                            actor.staff_id, now)
        tx.ratings.close_invitation(case_id, "rated", rating_id)
        return view(tx, tx.ratings.get(rating_id), for_rater=True)


def _insert(ctx, tx, bound: dict, parsed: rules.RatingBody, source: str, rater: Optional[int], now: datetime,
            parent_id: Optional[int] = None) -> int:
    rating_id = tx.ratings.insert({**bound, "level": parsed.level, "indicators": parsed.indicators,
                                   "comment": parsed.comment, "source": source,
                                   "scheme_version": rules.SCHEME_VERSION, "rater_account_id": rater,
                                   "created_at": now, "parent_id": parent_id})
    if rules.is_bad(parsed.level) and parent_id is None:
        review.open_review(ctx, tx, rating_id, bound, parsed, now)     # the 差评 loop, same transaction
    return rating_id


def case_ratings(ctx, case_id: int, actor: Actor) -> list[dict]:
    with ctx.uow.read() as tx:
        access.require_readable_case(ctx, tx, actor, case_id)
        rows = tx.ratings.of_case(case_id)
        if actor.kind == "applicant":
            # hers, and the default one her unanswered invitation recorded (it has no rater)
            rows = [r for r in rows if r.rater_account_id == actor.staff_id or r.source == rules.DEFAULT]
        return [view(tx, r, for_rater=actor.kind == "applicant") for r in rows]


def view(tx, r, *, for_rater: bool) -> dict:
    """A rating as the contract gives it; never the rater's identity."""
    rect = tx.ratings.rectification_of_rating(r.id)
    can_rerate = bool(for_rater and rect is not None and rect.replied_at is not None and r.parent_id is None
                      and rect.status != rules.VOIDED and not tx.ratings.rerated(r.id))
    return {"id": r.id, "case_id": r.case_id, "channel": r.channel, "level": r.level, "bad": rules.is_bad(r.level),
            "indicators": r.indicators, "comment": r.comment, "source": r.source, "created_at": r.created_at,
            "parent_id": r.parent_id, "voided": r.voided_at is not None,
            "rectification": None if rect is None else {
                "id": rect.id, "status": rect.status, "path": rect.path, "reply": rect.reply,
                "due_on": rect.due_on, "replied_at": rect.replied_at},
            "can_rerate": can_rerate}


def rerate(ctx, rating_id: int, body: dict, actor: Actor) -> dict:
    """The rater rates the fix once the rectification was answered; kept beside the 差评 (it
    does not replace it in the figures)."""
    with ctx.uow.begin() as tx:
        r = tx.ratings.get(rating_id)
        if r is None or actor.kind != "applicant" or r.rater_account_id != actor.staff_id:
            raise NotFound(f"rating {rating_id} does not exist", code="rating_not_found")
        if not view(tx, r, for_rater=True)["can_rerate"]:
            raise Conflict("a 差评 is rated again once its rectification was answered, and once",
                           code="rerate_not_open", field="rating_id")
        parsed = rules.check_body(r.channel, body.get("level"), {**(r.indicators or {}), "overall": body.get("level")}
                                  if isinstance(body.get("level"), int) else {}, body.get("comment"))
        now = ctx.clock.now()
        bound = {k: getattr(r, k) for k in ("case_id", "item_code", "window_id", "hall_id", "org_unit_id",
                                            "department_id", "staff_id", "channel")}
        new_id = _insert(ctx, tx, bound, parsed, rules.ACTIVE, actor.staff_id, now, parent_id=r.id)
        return view(tx, tx.ratings.get(new_id), for_rater=True)


# --- default ratings (the clock) ------------------------------------------------------------------
def fire_defaults(ctx, limit: int = 100) -> int:
    """Record the default rating (满意, source default) of every invitation past its window; each
    in its own transaction, skipped when another worker holds it."""
    now = ctx.clock.now()
    with ctx.uow.read() as tx:
        due = tx.ratings.due_invitations(now, limit)
    done = 0
    for case_id in due:
        with ctx.uow.begin() as tx:
            inv = tx.ratings.lock_open_invitation(case_id)
            if inv is None or tx.ratings.has_rating(case_id, rules.ONLINE):
                continue
            row = tx.ratings.case_context(case_id)
            parsed = rules.RatingBody(rules.DEFAULT_LEVEL, {c: rules.DEFAULT_LEVEL for c, _z, _e in
                                                            rules.INDICATORS[rules.SCHEME_VERSION][rules.ONLINE]}, None)
            rating_id = _insert(ctx, tx, {**_bind(tx, row, case_id), "channel": rules.ONLINE}, parsed, rules.DEFAULT,
                                None, now)
            tx.ratings.close_invitation(case_id, "defaulted", rating_id)
            done += 1
    return done


# --- visits (一次一评) ---------------------------------------------------------------------------
def _window(tx, code: str):
    w = tx.ratings.window_by_code(code)
    if w is None or not w.active:
        raise NotFound(f"window {code!r} does not exist", code="window_not_found", field="window_code")
    return w


def open_visit(ctx, window_code: str, case_id: Optional[int], actor: Actor) -> dict:
    with ctx.uow.begin() as tx:
        w = _window(tx, window_code)
        if actor.kind != "staff" or actor.staff_id is None:
            raise Forbidden("a clerk at this window opens a visit", code="window_not_yours", field="window_code")
        if not any(unit == w.org_unit_id and role != "supervisor"
                   for unit, _d, role in org.posts_of(ctx, tx, actor.staff_id)):
            raise Forbidden("you hold no post at this window's unit", code="window_not_yours", field="window_code")
        if case_id is not None:
            access.require_readable_case(ctx, tx, actor, case_id)
        now = ctx.clock.now()
        token = secrets.token_urlsafe(24)
        expires = now + timedelta(minutes=ctx.settings.rating_visit_minutes)
        tx.ratings.open_visit({"token": token, "window_id": w.id, "staff_id": actor.staff_id, "case_id": case_id,
                               "opened_at": now, "expires_at": expires})
        return {"token": token, "staff_no": tx.ratings.staff_no(actor.staff_id), "expires_at": expires}


def window_rating(ctx, window_code: str) -> dict:
    with ctx.uow.read() as tx:
        w = _window(tx, window_code)
        v = tx.ratings.last_visit(w.id)
        now = ctx.clock.now()
        visit = None
        if v is not None and v.rated_at is None and v.expires_at > now:
            visit = {"token": v.token, "staff_no": tx.ratings.staff_no(v.staff_id), "expires_at": v.expires_at}
        return {"window": {"code": w.code, "name": w.name, "hall_name": w.hall_name, "unit_name": w.unit_name},
                "visit": visit}


def rate_visit(ctx, token: str, body: dict) -> dict:
    with ctx.uow.begin() as tx:
        v = tx.ratings.visit_by_token(token, lock=True)
        now = ctx.clock.now()
        if v is None:
            raise NotFound("no such visit", code="visit_not_found", field="token")
        if v.rated_at is not None:
            raise Conflict("this visit was rated already", code="already_rated", field="token")
        if v.expires_at <= now:
            raise NotFound("this visit can no longer be rated", code="visit_expired", field="token")
        parsed = rules.check_body(rules.ON_SITE, body.get("level"), body.get("indicators"), body.get("comment"))
        if not tx.ratings.mark_visit_rated(v.id, now):
            raise Conflict("this visit was rated already", code="already_rated", field="token")
        w = tx.ratings.window_by_code_id(v.window_id)
        item_code = tx.ratings.case_context(v.case_id).item_code if v.case_id else None
        bound = {"case_id": None, "visit_id": v.id, "item_code": item_code, "window_id": v.window_id,
                 "hall_id": w.hall_id, "org_unit_id": w.org_unit_id, "department_id": w.department_id,
                 "staff_id": v.staff_id, "channel": rules.ON_SITE}
        rating_id = _insert(ctx, tx, bound, parsed, rules.ACTIVE, None, now)
        return {"id": rating_id, "level": parsed.level, "bad": rules.is_bad(parsed.level)}


