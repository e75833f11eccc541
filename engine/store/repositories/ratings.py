"""好差评: ratings, invitations, visits and the rectification ledger, and the figures' counts. The
figures read the partial index ix_rating_figures (bench/bench_ratings.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import and_, func, insert, literal, select, update
from sqlalchemy import case as sql_case

from engine.store import tables as t
from engine.store.models import (
    Department,
    Event,
    Hall,
    OrgUnit,
    Rating,
    RatingInvitation,
    RatingVisit,
    Rectification,
    Staff,
    Window,
)
from engine.store.repositories.base import Repository

_C, _I = t.case.c, t.item_implementation.c
_R = Rating.__table__
_V = RatingVisit.__table__
_N = RatingInvitation.__table__
_X = Rectification.__table__


class Ratings(Repository):
    __slots__ = ()

    # --- the rated case ------------------------------------------------------------------------
    def case_context(self, case_id: int):
        """What a rating of a case binds to: item, receiving window, hall and unit, and who handled it."""
        row = self.conn.execute(
            select(_C.id, _C.number, _C.status, _C.lifecycle, _C.applicant_account_id, _C.origin_window_id,
                   _C.origin_org_unit_id, _C.created_by, _I.code.label("item_code"), _I.name.label("item_name"),
                   Window.hall_id, Window.department_id)
            .join(t.item_implementation, _I.id == _C.item_id).join(Window, Window.id == _C.origin_window_id)
            .where(_C.id == case_id)).first()
        return row

    def last_handler(self, case_id: int) -> Optional[int]:
        """The staff who completed the case's last task: read from the case's audit trail, whose
        sequence orders steps completed within the same instant (task times can tie)."""
        return self.conn.execute(
            select(Staff.id).select_from(Event).join(Staff, Staff.username == Event.actor)
            .where(Event.stream == f"case:{case_id}", Event.type == "task_completed")
            .order_by(Event.seq.desc()).limit(1)).scalar()

    def staff_id_by_username(self, username: Optional[str]) -> Optional[int]:
        if not username:
            return None
        return self.conn.execute(select(Staff.id).where(Staff.username == username)).scalar()

    def staff_no(self, staff_id: Optional[int]) -> Optional[str]:
        if staff_id is None:
            return None
        row = self.conn.execute(select(Staff.staff_no, Staff.username).where(Staff.id == staff_id)).first()
        return (row.staff_no or row.username) if row else None

    # --- invitations ---------------------------------------------------------------------------
    def invite(self, case_id: int, account_id: Optional[int], now: datetime, due_at: datetime) -> bool:
        if self.conn.execute(select(_N.c.id).where(_N.c.case_id == case_id)).first() is not None:
            return False
        self.conn.execute(insert(_N).values(case_id=case_id, account_id=account_id, invited_at=now, due_at=due_at,
                                            state="open"))
        return True

    def extend_open_invitation(self, case_id: int, due_at: datetime) -> None:
        self.conn.execute(update(_N).where(_N.c.case_id == case_id, _N.c.state == "open").values(due_at=due_at))

    def open_invitations(self, account_id: int) -> list:
        return self.conn.execute(
            select(_N.c.case_id, _C.number.label("case_number"), _I.name.label("item_name"), _N.c.invited_at,
                   _N.c.due_at).join(t.case, _C.id == _N.c.case_id).join(t.item_implementation, _I.id == _C.item_id)
            .where(_N.c.account_id == account_id, _N.c.state == "open").order_by(_N.c.invited_at.desc())).all()

    def invitation(self, case_id: int):
        return self.conn.execute(select(_N).where(_N.c.case_id == case_id)).first()

    def close_invitation(self, case_id: int, state: str, rating_id: int) -> None:
        self.conn.execute(update(_N).where(_N.c.case_id == case_id, _N.c.state == "open")
                          .values(state=state, rating_id=rating_id))

    def due_invitations(self, now: datetime, limit: int) -> list[int]:
        return list(self.conn.execute(select(_N.c.case_id).where(_N.c.state == "open", _N.c.due_at <= now)
                                      .order_by(_N.c.due_at).limit(limit)).scalars())

    def lock_open_invitation(self, case_id: int):
        stmt = select(_N).where(_N.c.case_id == case_id, _N.c.state == "open")
        if self.postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        return self.conn.execute(stmt).first()

    # --- ratings -------------------------------------------------------------------------------
    def insert(self, values: dict) -> int:
        return self.conn.execute(insert(_R).values(**values).returning(_R.c.id)).scalar_one()

    def has_rating(self, case_id: int, channel: str) -> bool:
        return self.conn.execute(select(_R.c.id).where(_R.c.case_id == case_id, _R.c.channel == channel,
                                                       _R.c.parent_id.is_(None))).first() is not None

    def get(self, rating_id: int):
        return self.conn.execute(select(_R).where(_R.c.id == rating_id)).first()

    def of_case(self, case_id: int) -> list:
        return self.conn.execute(select(_R).where(_R.c.case_id == case_id).order_by(_R.c.id)).all()

    def rerated(self, rating_id: int) -> bool:
        return self.conn.execute(select(_R.c.id).where(_R.c.parent_id == rating_id)).first() is not None

    def void(self, rating_id: int, reason: str, now: datetime) -> None:
        self.conn.execute(update(_R).where(_R.c.id == rating_id).values(voided_at=now, void_reason=reason[:500]))

    # --- visits --------------------------------------------------------------------------------
    def open_visit(self, values: dict) -> int:
        return self.conn.execute(insert(_V).values(**values).returning(_V.c.id)).scalar_one()

    def window_by_code(self, code: str):
        return self.conn.execute(
            select(Window.id, Window.code, Window.name, Window.org_unit_id, Window.hall_id, Window.department_id,
                   Window.active, Hall.name.label("hall_name"), OrgUnit.name.label("unit_name"))
            .join(Hall, Hall.id == Window.hall_id).join(OrgUnit, OrgUnit.id == Window.org_unit_id)
            .where(Window.code == code)).first()

    def window_by_code_id(self, window_id: int):
        return self.conn.execute(select(Window.hall_id, Window.org_unit_id, Window.department_id)
                                 .where(Window.id == window_id)).first()

    def last_visit(self, window_id: int):
        return self.conn.execute(select(_V).where(_V.c.window_id == window_id)
                                 .order_by(_V.c.opened_at.desc(), _V.c.id.desc()).limit(1)).first()

    def visit_by_token(self, token: str, lock: bool = False):
        stmt = select(_V).where(_V.c.token == token)
        if lock and self.postgres:
            stmt = stmt.with_for_update()
        return self.conn.execute(stmt).first()

    def mark_visit_rated(self, visit_id: int, now: datetime) -> bool:
        return self.conn.execute(update(_V).where(_V.c.id == visit_id, _V.c.rated_at.is_(None))
                                 .values(rated_at=now)).rowcount == 1

    # --- rectifications ------------------------------------------------------------------------
    def open_rectification(self, rating_id: int, unit_id: int, now: datetime) -> int:
        return self.conn.execute(insert(_X).values(rating_id=rating_id, org_unit_id=unit_id, status="verifying",
                                                   created_at=now).returning(_X.c.id)).scalar_one()

    def set_review_case(self, rect_id: int, case_id: int) -> None:
        self.conn.execute(update(_X).where(_X.c.id == rect_id).values(review_case_id=case_id))

    def rectification_of_rating(self, rating_id: int):
        return self.conn.execute(select(_X).where(_X.c.rating_id == rating_id)).first()

    def rectification_of_review(self, case_id: int):
        return self.conn.execute(select(_X).where(_X.c.review_case_id == case_id)).first()

    def rectification(self, rect_id: int):
        return self.conn.execute(select(_X).where(_X.c.id == rect_id)).first()

    def update_rectification(self, rect_id: int, **values) -> None:
        self.conn.execute(update(_X).where(_X.c.id == rect_id).values(**values))

    def ledger(self, units: Optional[list[int]], status: Optional[str], offset: int, limit: int):
        """The ledger rows (never the rater) and the total, of `units` (None: all)."""
        where = []
        if units is not None:
            where.append(_X.c.org_unit_id.in_(units))
        if status:
            where.append(_X.c.status == status)
        review = t.case.alias("review")
        stmt = (select(_X.c.id, _X.c.rating_id, _C.number.label("case_number"), _I.name.label("item_name"),
                       OrgUnit.name.label("unit_name"), Window.name.label("window_name"),
                       func.coalesce(Staff.staff_no, Staff.username).label("staff_no"), _R.c.level, _R.c.comment,
                       _X.c.status, _X.c.path, _X.c.due_on, review.c.warning.label("warning"), _X.c.review_case_id,
                       _X.c.revisited_at, _X.c.revisit_note, _R.c.rater_account_id.is_not(None).label("real_name"))
                .select_from(_X).join(_R, _R.c.id == _X.c.rating_id).join(OrgUnit, OrgUnit.id == _X.c.org_unit_id)
                .outerjoin(t.case, _C.id == _R.c.case_id).outerjoin(t.item_implementation, _I.id == _C.item_id)
                .outerjoin(Window, Window.id == _R.c.window_id).outerjoin(Staff, Staff.id == _R.c.staff_id)
                .outerjoin(review, review.c.id == _X.c.review_case_id).where(*where))
        total = self.conn.execute(select(func.count()).select_from(_X).where(*where)).scalar_one()
        rows = self.conn.execute(stmt.order_by(_X.c.id.desc()).offset(offset).limit(limit)).all()
        return rows, total

    # --- figures -------------------------------------------------------------------------------
    # an item's name by its code: one row per code (an implementation has several versions, and
    # joining them all would count a rating once per version)
    _ITEM_NAMES = (select(_I.code.label("code"), func.max(_I.name).label("name"))
                   .group_by(_I.code).subquery("item_names"))
    _KEYS = {"unit": (_R.c.org_unit_id, OrgUnit.name), "tier": (OrgUnit.tier, OrgUnit.tier),
             "window": (_R.c.window_id, Window.name), "staff": (_R.c.staff_id, None),
             "department": (_R.c.department_id, Department.name), "item": (_R.c.item_code, _ITEM_NAMES.c.name)}

    def figures(self, group_by: Optional[str], unit_path: Optional[str], since: Optional[datetime],  # noqa: C901
                until: Optional[datetime], month_expr=None) -> list:
        """Counts per group (key, name, then the domain's Counts fields): original ratings, not void."""
        bad = _R.c.level <= 2
        good = _R.c.level >= 4
        active = _R.c.source == "active"
        handled = and_(bad, _X.c.status.in_(("fixed", "explained", "closed")))
        real = and_(bad, _R.c.rater_account_id.is_not(None))

        def n(cond):
            return func.sum(sql_case((cond, 1), else_=0))
        measures = [func.count(), n(good), n(bad), n(active), n(and_(active, good)), n(_R.c.channel == "online"),
                    n(_R.c.source == "default"), n(handled), n(real), n(and_(real, _X.c.revisited_at.is_not(None)))]
        if group_by == "month":
            key = self._month(_R.c.created_at)
            cols = [key, key]
        elif group_by == "staff":
            cols = [_R.c.staff_id, func.max(func.coalesce(Staff.staff_no, Staff.username))]
        elif group_by in self._KEYS:
            k, name = self._KEYS[group_by]
            cols = [k, func.max(name)]
        else:
            cols = [literal("all"), literal("all")]
        stmt = select(*cols, *measures).select_from(_R).join(OrgUnit, OrgUnit.id == _R.c.org_unit_id)
        stmt = stmt.outerjoin(_X, and_(_X.c.rating_id == _R.c.id, bad))
        if group_by == "window":
            stmt = stmt.outerjoin(Window, Window.id == _R.c.window_id)
        elif group_by == "staff":
            stmt = stmt.outerjoin(Staff, Staff.id == _R.c.staff_id)
        elif group_by == "department":
            stmt = stmt.outerjoin(Department, Department.id == _R.c.department_id)
        elif group_by == "item":
            stmt = stmt.outerjoin(self._ITEM_NAMES, self._ITEM_NAMES.c.code == _R.c.item_code)
        where = [_R.c.voided_at.is_(None), _R.c.parent_id.is_(None)]
        if unit_path:
            where.append(OrgUnit.path.like(unit_path + "%"))
        if since is not None:
            where.append(_R.c.created_at >= since)
        if until is not None:
            where.append(_R.c.created_at < until)
        stmt = stmt.where(*where)
        if group_by in self._KEYS or group_by == "month":
            stmt = stmt.group_by(cols[0]).order_by(cols[0])
        return self.conn.execute(stmt).all()

    def _month(self, col):
        # months in Beijing time, as YYYY-MM
        if self.postgres:
            return func.to_char(func.timezone("Asia/Shanghai", col), "YYYY-MM")
        return func.strftime("%Y-%m", col, "+8 hours")

    def public_rectifications(self, unit_path: Optional[str], since: datetime, until: datetime) -> list:
        names = self._ITEM_NAMES
        stmt = (select(_X.c.id, OrgUnit.name.label("unit_name"), names.c.name.label("item_name"), _R.c.created_at,
                       _X.c.status, _X.c.path, _X.c.due_on, _X.c.closed_at)
                .select_from(_X).join(_R, _R.c.id == _X.c.rating_id).join(OrgUnit, OrgUnit.id == _X.c.org_unit_id)
                .outerjoin(names, names.c.code == _R.c.item_code)
                .where(_R.c.created_at >= since, _R.c.created_at < until))
        if unit_path:
            stmt = stmt.where(OrgUnit.path.like(unit_path + "%"))
        return self.conn.execute(stmt.order_by(_X.c.id)).all()

    def unit_path(self, unit_id: int):
        return self.conn.execute(select(OrgUnit.path, OrgUnit.name, OrgUnit.tier).where(OrgUnit.id == unit_id)).first()

    def unit_of_case(self, case_id: int) -> Optional[int]:
        return self.conn.execute(select(_C.origin_org_unit_id).where(_C.id == case_id)).scalar()

