"""Read-side queries of the supervision dashboards (电子监察). They read only indexed columns of
`case`, `task` and `timer` — never workflow state — so they stay fast on a large table
(bench/bench_supervision.py). Supervision writes nothing: every method here is a read model."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy import case as sql_case

from engine.domain.catalogue import INTERNAL_PROCESS_KEYS
from engine.store import tables as t
from engine.store.models import Department, OrgUnit, Staff, StaffPost, Window
from engine.store.repositories.base import Repository

_C, _I, _K, _T = t.case.c, t.item_implementation.c, t.task.c, t.timer.c
_UNITS = bindparam("units", expanding=True)
_LEVELS = bindparam("levels", expanding=True)
_SINCE, _UNTIL = bindparam("since"), bindparam("until")
_UNIT = bindparam("unit")
# open cases with a card, received in a set of units
_WARNED_CASES = (select(_C.id, _C.number, _I.code, _I.name, _C.warning, _C.clock_status, _C.promise_due, _C.legal_due,
                        OrgUnit.name.label("unit"), Window.name.label("window"), _C.applicant_name,
                        _C.deemed_accepted)
                 .join(t.item_implementation, _I.id == _C.item_id)
                 .join(OrgUnit, OrgUnit.id == _C.origin_org_unit_id)
                 .join(Window, Window.id == _C.origin_window_id)
                 .where(_C.status == "running", _C.warning.in_(_LEVELS), _C.origin_org_unit_id.in_(_UNITS)))
# open steps with a card, routed into a set of units
_WARNED_STEPS = (select(_K.id, _K.case_id, _C.number, _K.name, _K.warning, _K.due_at, OrgUnit.name.label("unit"),
                        Department.name.label("dept"), _K.routed_role, _K.assignee_id)
                 .join(t.case, _C.id == _K.case_id)
                 .join(OrgUnit, OrgUnit.id == _K.routed_org_unit_id)
                 .outerjoin(Department, Department.id == _K.routed_department_id)
                 .where(_K.state == "open", _K.warning.in_(_LEVELS), _K.routed_org_unit_id.in_(_UNITS)))
_CASE_WARNINGS = (select(_C.origin_org_unit_id, _C.warning, func.count())
                  .where(_C.status == "running", _C.warning.in_(_LEVELS), _C.origin_org_unit_id.in_(_UNITS))
                  .group_by(_C.origin_org_unit_id, _C.warning))
_STEP_WARNINGS = (select(_K.routed_org_unit_id, _K.warning, func.count())
                  .where(_K.state == "open", _K.warning.in_(_LEVELS), _K.routed_org_unit_id.in_(_UNITS))
                  .group_by(_K.routed_org_unit_id, _K.warning))
_ON_TIME = (select(func.count(), func.sum(sql_case((_C.completed_at <= _C.promise_due, 1), else_=0)))
            .where(_C.status == "completed", _C.promise_due.is_not(None), _C.completed_at >= _SINCE,
                   _C.completed_at < _UNTIL, _C.origin_org_unit_id.in_(_UNITS)))
# granted cases not yet delivered whose Art. 44 delivery card fired
_FIRED_DELIVERY_CARDS = (
    select(_C.id, _C.number, _I.code, _I.name, _C.decided_at, OrgUnit.name.label("unit"), _C.applicant_name,
           _T.kind, _T.due_at)
    .join(t.item_implementation, _I.id == _C.item_id).join(OrgUnit, OrgUnit.id == _C.origin_org_unit_id)
    .join(t.timer, _T.case_id == _C.id)
    .where(_T.kind.in_(bindparam("kinds", expanding=True)), _T.state == "fired", _C.delivered_at.is_(None),
           _C.decision == "granted", _C.status.in_(("running", "completed")), _C.origin_org_unit_id.in_(_UNITS)))
_DELIVERY_DUES = (select(_T.case_id, func.max(_T.due_at))
                  .where(_T.kind == "delivery_red", _T.case_id.in_(bindparam("case_ids", expanding=True)))
                  .group_by(_T.case_id))
# item cases (not a 一件事 package's own parent case) received / delivered in [since, until)
_ITEM_CASES = _C.item_id.in_(select(_I.id).where(_I.category != "package"))
_RECEIVED = (select(_C.origin_org_unit_id, _C.channel, func.count())
             .where(_C.created_at >= _SINCE, _C.created_at < _UNTIL, _C.origin_org_unit_id.in_(_UNITS), _ITEM_CASES)
             .group_by(_C.origin_org_unit_id, _C.channel))
_DELIVERED = (select(_C.origin_org_unit_id, _C.delivery_method, func.count())
              .where(_C.delivered_at >= _SINCE, _C.delivered_at < _UNTIL, _C.origin_org_unit_id.in_(_UNITS),
                     _ITEM_CASES)
              .group_by(_C.origin_org_unit_id, _C.delivery_method))
# a 一件事 package's own entry is not a service item of the catalogue
_PUBLISHED_CHANNELS = (select(_I.id, _I.org_unit_id, _I.accepting_tiers, _I.handle_forms, _I.online_depth, _I.mobile,
                              _I.express)
                       .where(_I.status == "published", _I.category != "package",
                              or_(_I.process_key.is_(None), _I.process_key.notin_(INTERNAL_PROCESS_KEYS))))
# the supervisor dashboard (engine/services/supervision/dashboard.py): the open load of a subtree
# per unit and card, then one unit's own work per window/department and person
_OPEN_CASES_BY_UNIT = (select(_C.origin_org_unit_id, _C.warning, func.count())
                       .where(_C.status == "running", _C.origin_org_unit_id.in_(_UNITS))
                       .group_by(_C.origin_org_unit_id, _C.warning))
_OPEN_STEPS_BY_UNIT = (select(_K.routed_org_unit_id, _K.warning, func.count())
                       .where(_K.state == "open", _K.routed_org_unit_id.in_(_UNITS))
                       .group_by(_K.routed_org_unit_id, _K.warning))
_OPEN_CASES_AT = (select(_C.origin_window_id, _C.created_by, _C.warning, func.count())
                  .where(_C.status == "running", _C.origin_org_unit_id == _UNIT)
                  .group_by(_C.origin_window_id, _C.created_by, _C.warning))
_OPEN_STEPS_AT = (select(_K.routed_department_id, _K.assignee_id, _K.warning, func.count())
                  .where(_K.state == "open", _K.routed_org_unit_id == _UNIT)
                  .group_by(_K.routed_department_id, _K.assignee_id, _K.warning))
_CARDED_CASES_AT = (select(_C.id, _C.number, _I.name, _C.applicant_name, _C.warning, _C.promise_due, _C.legal_due,
                           _C.deemed_accepted, _C.origin_window_id, _C.created_by)
                    .join(t.item_implementation, _I.id == _C.item_id)
                    .where(_C.status == "running", _C.warning.in_(_LEVELS), _C.origin_org_unit_id == _UNIT)
                    .order_by(_C.id))
_CARDED_STEPS_AT = (select(_K.id, _K.case_id, _C.number, _I.name.label("item"), _C.applicant_name, _K.name,
                           _K.warning, _K.due_at, _K.routed_department_id, _K.assignee_id)
                    .join(t.case, _C.id == _K.case_id).join(t.item_implementation, _I.id == _C.item_id)
                    .where(_K.state == "open", _K.warning.in_(_LEVELS), _K.routed_org_unit_id == _UNIT)
                    .order_by(_K.due_at, _K.id))
_OPEN_STEP_NAMES = (select(_K.case_id, _K.name)
                    .where(_K.state == "open", _K.case_id.in_(bindparam("case_ids", expanding=True)))
                    .order_by(_K.case_id, _K.created_at))
_UNIT_NAMES = select(OrgUnit.id, OrgUnit.name).where(OrgUnit.id.in_(_UNITS))
_DEPARTMENTS_AT = select(Department.id, Department.name).where(Department.org_unit_id == _UNIT)
_WINDOWS_AT = select(Window.id, Window.name, Window.department_id).where(Window.org_unit_id == _UNIT)
_POSTS_AT = (select(StaffPost.staff_id, StaffPost.window_id, StaffPost.department_id)
             .where(StaffPost.org_unit_id == _UNIT).order_by(StaffPost.id))
# staff only: an applicant's account (an online application) is no person of the agency
_STAFF_BY_NAME = (select(Staff.id, Staff.username, Staff.name)
                  .where(Staff.username.in_(bindparam("usernames", expanding=True)), Staff.kind == "staff"))
_STAFF_BY_ID = select(Staff.id, Staff.username, Staff.name).where(Staff.id.in_(bindparam("ids", expanding=True)))


# the public overview page
_ALL_UNITS = select(OrgUnit.__table__).order_by(OrgUnit.path)
_CASE_COUNT = select(func.count()).select_from(t.case)
_OPEN_TASKS = select(func.count()).select_from(t.task).where(_K.state == "open")
_PENDING_TIMERS = select(func.count()).select_from(t.timer).where(_T.state == "pending")


class Supervision(Repository):
    __slots__ = ()

    # --- cards ----------------------------------------------------------------------------------

    def warned_cases(self, units: list[int], levels: tuple, *, item_code: Optional[str] = None,
                     window_id: Optional[int] = None, after_id: Optional[int] = None, limit: int) -> list:
        """Open cases with a card of `levels` received in `units`, in case order after `after_id`."""
        q = _WARNED_CASES
        if item_code:
            q = q.where(_I.code == item_code)
        if window_id:
            q = q.where(_C.origin_window_id == window_id)
        if after_id:
            q = q.where(_C.id > after_id)
        return self.conn.execute(q.order_by(_C.id).limit(limit), {"units": units, "levels": list(levels)}).all()

    def warned_steps(self, units: list[int], levels: tuple, *, department_id: Optional[int] = None,
                     role: Optional[str] = None, staff_id: Optional[int] = None, limit: int) -> list:
        """Open steps with a card of `levels` routed into `units`, soonest due first."""
        q = _WARNED_STEPS
        if department_id:
            q = q.where(_K.routed_department_id == department_id)
        if role:
            q = q.where(_K.routed_role == role)
        if staff_id:
            q = q.where(_K.assignee_id == staff_id)
        return self.conn.execute(q.order_by(_K.due_at, _K.id).limit(limit),
                                 {"units": units, "levels": list(levels)}).all()

    def case_warnings(self, units: list[int], levels: tuple) -> list:
        """(unit, level, count) of open cases with a card, per receiving unit."""
        return self.conn.execute(_CASE_WARNINGS, {"units": units, "levels": list(levels)}).all()

    def step_warnings(self, units: list[int], levels: tuple) -> list:
        """(unit, level, count) of open steps with a card, per unit they are routed to."""
        return self.conn.execute(_STEP_WARNINGS, {"units": units, "levels": list(levels)}).all()

    def on_time(self, units: list[int], since: datetime, until: datetime) -> tuple[int, int]:
        """(completed, completed by the promised deadline) of cases with one, completed in
        [since, until) and received in `units`."""
        row = self.conn.execute(_ON_TIME, {"units": units, "since": since, "until": until}).one()
        return row[0] or 0, row[1] or 0

    def fired_delivery_cards(self, units: list[int], kinds: tuple) -> list:
        """(case id, number, item code and name, decided_at, unit, applicant, card kind, due_at) of
        each fired delivery card of a granted, undelivered case received in `units`."""
        return self.conn.execute(_FIRED_DELIVERY_CARDS, {"units": units, "kinds": list(kinds)}).all()

    def delivery_dues(self, case_ids: set[int]) -> dict:
        """case id -> the due time of its red delivery card (the Art. 44 deadline)."""
        return dict(self.conn.execute(_DELIVERY_DUES, {"case_ids": list(case_ids)}).all())

    # --- channel statistics -------------------------------------------------------------------

    def received_by_channel(self, units: list[int], since: datetime, until: datetime) -> list:
        """(unit, channel, count) of item cases received in `units` in [since, until)."""
        return self.conn.execute(_RECEIVED, {"units": units, "since": since, "until": until}).all()

    def delivered_by_method(self, units: list[int], since: datetime, until: datetime) -> list:
        """(unit, delivery method, count) of item cases received in `units`, delivered in [since, until)."""
        return self.conn.execute(_DELIVERED, {"units": units, "since": since, "until": until}).all()

    def published_channels(self) -> list:
        """(id, org_unit_id, accepting_tiers, handle_forms, online_depth, mobile, express) of every
        published service item (not a 一件事 package's own entry)."""
        return self.conn.execute(_PUBLISHED_CHANNELS).all()

    # --- the dashboard ------------------------------------------------------------------------

    def open_cases_by_unit(self, units: list[int]) -> list:
        """(receiving unit, card, count) of the running cases received in `units` (card `none` too)."""
        return self.conn.execute(_OPEN_CASES_BY_UNIT, {"units": units}).all()

    def open_steps_by_unit(self, units: list[int]) -> list:
        """(unit, card, count) of the open steps routed into `units` (card `none` too)."""
        return self.conn.execute(_OPEN_STEPS_BY_UNIT, {"units": units}).all()

    def open_cases_at(self, unit: int) -> list:
        """(origin window, created_by username, card, count) of the running cases received at `unit`."""
        return self.conn.execute(_OPEN_CASES_AT, {"unit": unit}).all()

    def open_steps_at(self, unit: int) -> list:
        """(department, assignee, card, count) of the open steps routed to `unit` itself."""
        return self.conn.execute(_OPEN_STEPS_AT, {"unit": unit}).all()

    def carded_cases_at(self, unit: int, levels: tuple) -> list:
        """The running cases received at `unit` with a card of `levels`, in case order."""
        return self.conn.execute(_CARDED_CASES_AT, {"unit": unit, "levels": list(levels)}).all()

    def carded_steps_at(self, unit: int, levels: tuple) -> list:
        """The open steps routed to `unit` with a card of `levels`, soonest due first."""
        return self.conn.execute(_CARDED_STEPS_AT, {"unit": unit, "levels": list(levels)}).all()

    def completions(self, units: list[int], bounds: list[datetime]) -> list:
        """Per period [bounds[i], bounds[i+1]): (i, completed, with a promise, by the promise, with a
        legal deadline, by the legal deadline) of the cases received in `units` and completed in it.
        The period is worked out in SQL by comparing with the bounds, which reads the same on
        SQLite and PostgreSQL (no date functions, no time zones)."""
        params = {f"b{i}": b for i, b in enumerate(bounds)}
        period = sql_case(*[(_C.completed_at < bindparam(f"b{i}"), i - 1) for i in range(1, len(bounds))])
        on_promise = sql_case((_C.completed_at <= _C.promise_due, 1), else_=0)
        on_legal = sql_case((_C.completed_at <= _C.legal_due, 1), else_=0)
        q = (select(period.label("period"), func.count(), func.count(_C.promise_due), func.sum(on_promise),
                    func.count(_C.legal_due), func.sum(on_legal))
             .where(_C.status == "completed", _C.completed_at >= bindparam("b0"),
                    _C.completed_at < bindparam(f"b{len(bounds) - 1}"), _C.origin_org_unit_id.in_(_UNITS))
             .group_by(period))
        return self.conn.execute(q, {**params, "units": units}).all()

    def open_step_names(self, case_ids: list[int]) -> dict[int, list[str]]:
        """case id -> the names of its open steps, oldest first."""
        out: dict[int, list[str]] = {}
        for case_id, name in (self.conn.execute(_OPEN_STEP_NAMES, {"case_ids": case_ids}).all() if case_ids else ()):
            out.setdefault(case_id, []).append(name)
        return out

    def unit_names(self, units: list[int]) -> dict[int, str]:
        return dict(self.conn.execute(_UNIT_NAMES, {"units": units}).all())

    def departments_at(self, unit: int) -> dict[int, str]:
        return dict(self.conn.execute(_DEPARTMENTS_AT, {"unit": unit}).all())

    def windows_at(self, unit: int) -> list:
        """(id, name, department_id) of the windows of `unit`."""
        return self.conn.execute(_WINDOWS_AT, {"unit": unit}).all()

    def posts_at(self, unit: int) -> list:
        """(staff, window, department) of every post at `unit`, oldest first."""
        return self.conn.execute(_POSTS_AT, {"unit": unit}).all()

    def staff_named(self, usernames: list[str]) -> list:
        """(id, username, name) of the accounts with these usernames."""
        return self.conn.execute(_STAFF_BY_NAME, {"usernames": usernames}).all() if usernames else []

    def staff_by_id(self, ids: list[int]) -> list:
        """(id, username, name) of these accounts."""
        return self.conn.execute(_STAFF_BY_ID, {"ids": ids}).all() if ids else []

    # --- the public overview ------------------------------------------------------------------

    def org_units(self) -> list:
        """Every org unit, whole rows, in tree order (by path)."""
        return self.conn.execute(_ALL_UNITS).all()

    def totals(self) -> dict[str, int]:
        """{cases, open_tasks, pending_timers} over the whole database."""
        return {"cases": self.conn.execute(_CASE_COUNT).scalar(),
                "open_tasks": self.conn.execute(_OPEN_TASKS).scalar(),
                "pending_timers": self.conn.execute(_PENDING_TIMERS).scalar()}
