"""The supervisor dashboard (电子监察 大屏): what is open and carded in a supervisor's part of the
tree, a drill-down from a unit through its departments and windows to one person's carded work,
and the on-time rate per month or week (docs/time-limits.md#the-supervisor-dashboard).

Where a piece of work counts:
- a **case** (its clock card, against the promised deadline) counts at the unit and window that
  received it (受理), and under the person who took it in (`created_by`): the receiving window
  answers for the whole case's time limit;
- a **step** (its own card, 环节超时) counts at the unit and department it is routed to, and under
  the person holding it, at that person's window of the unit; an unclaimed step counts at its
  unit and department under "not claimed" (window 0).

Reads only indexed columns of `case` and `task` (bench/bench_dashboard.py)."""
from __future__ import annotations

import math
import weakref
from datetime import date, datetime, timedelta
from typing import Optional

from engine.domain import deadlines as dl
from engine.domain.actor import Actor
from engine.domain.clock import as_utc
from engine.domain.errors import NotFound, ValidationError
from engine.domain.identity import mask_name
from engine.domain.org import TIERS
from engine.services import incidents, ratings
from engine.services.accounts import access, org
from engine.services.caches import Immutable
from engine.services.supervision.warnings import LEVELS, subtree

PERIODS = ("month", "week")
MAX_PERIODS = {"month": 36, "week": 106}
NONE = 0               # the id of "no department", "no window / not claimed", "nobody" in a drill-down path


def _load() -> dict:
    return {"open": 0, "yellow": 0, "red": 0}


def _add(load: dict, warning: str, n: int) -> None:
    load["open"] += n
    if warning in LEVELS:
        load[warning] += n


def _unit_ref(directory, names: dict, unit_id: int) -> dict:
    return {"kind": "unit", "id": unit_id, "name": names.get(unit_id, ""), "tier": directory.units[unit_id].tier}


def summary(ctx, actor: Actor, unit_id: int) -> dict:
    """Open cases and steps of the subtree of `unit_id` with their yellow and red cards, in total
    and per tier, and the subtree's 好差评 figures in total (docs/ratings.md#figures)."""
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, None, actor)
        directory = org.directory(ctx, tx)
        case_rows = tx.supervision.open_cases_by_unit(units)
        step_rows = tx.supervision.open_steps_by_unit(units)
        names = tx.supervision.unit_names([unit_id])
        rated = ratings.subtree_total(tx, unit_id)
        open_incidents = incidents.count_open(tx, units)
    present = {directory.units[u].tier for u in units}
    by_tier = {tier: {"tier": tier, "cases": _load(), "steps": _load()} for tier in TIERS if tier in present}
    totals = {"cases": _load(), "steps": _load()}
    for key, rows in (("cases", case_rows), ("steps", step_rows)):
        for unit, warning, n in rows:
            _add(totals[key], warning, n)
            _add(by_tier[directory.units[unit].tier][key], warning, n)
    return {"unit": _unit_ref(directory, names, unit_id), "as_of": ctx.clock.now(), **totals,
            "by_tier": list(by_tier.values()), "ratings": rated, "open_incidents": open_incidents}


def _crumbs(ctx, tx, directory, actor: Actor, unit_id: int) -> list[int]:
    """The unit and its ancestors the actor also supervises, top first."""
    chain, at = [], unit_id
    roots = None if actor.has_role("admin") else access.supervised_units(ctx, tx, actor)
    while at is not None:
        if roots is not None and not any(directory.in_subtree(at, r) for r in roots):
            break
        chain.append(at)
        at = directory.units[at].parent_id
    return chain[::-1]


def _check_path(department_id, window_id, staff_id) -> None:
    if window_id is not None and department_id is None:
        raise ValidationError("a window is reached through its department: give department_id",
                              code="drill_path_incomplete", field="department_id")
    if staff_id is not None and window_id is None:
        raise ValidationError("a person is reached through a window: give window_id",
                              code="drill_path_incomplete", field="window_id")


def _days_over(now: datetime, due: Optional[datetime]) -> int:
    """Calendar days since the deadline passed, a part-day counting as one; 0 before it."""
    if due is None or now <= due:
        return 0
    return math.ceil((now - due).total_seconds() / 86400)


class _Work:
    """One unit's own open work (cases received there, steps routed there) with the names and posts
    that place each piece under a department, a window and a person: key = (dept, window, person)."""

    def __init__(self, tx, unit_id: int, staff_id: Optional[int], leaf: bool):
        self.departments = tx.supervision.departments_at(unit_id)
        self.windows = {w.id: w for w in tx.supervision.windows_at(unit_id)}
        self.posts = tx.supervision.posts_at(unit_id)
        self.case_rows = tx.supervision.open_cases_at(unit_id)
        self.step_rows = tx.supervision.open_steps_at(unit_id)
        self.carded_cases = tx.supervision.carded_cases_at(unit_id, LEVELS) if leaf else []
        self.carded_steps = tx.supervision.carded_steps_at(unit_id, LEVELS) if leaf else []
        self.step_names = tx.supervision.open_step_names([r.id for r in self.carded_cases])
        creators = {r[1] for r in self.case_rows if r[1]} | {r.created_by for r in self.carded_cases if r.created_by}
        self.people = {s.username: s for s in tx.supervision.staff_named(sorted(creators))}
        held = {r[1] for r in self.step_rows if r[1]} | {p.staff_id for p in self.posts} | {staff_id or NONE}
        self.people_by_id = {s.id: s for s in tx.supervision.staff_by_id(sorted(held - {NONE}))}
        self.people_by_id.update({s.id: s for s in self.people.values()})

    def check(self, department_id, window_id, staff_id) -> None:
        if department_id not in (None, NONE) and department_id not in self.departments:
            raise NotFound(f"department {department_id} is not a department of this unit",
                           code="department_not_found", field="department_id")
        if window_id not in (None, NONE) and window_id not in self.windows:
            raise NotFound(f"window {window_id} is not a window of this unit", code="window_not_found",
                           field="window_id")
        if staff_id not in (None, NONE) and staff_id not in self.people_by_id:
            raise NotFound(f"staff {staff_id} does not exist", code="staff_not_found", field="staff_id")

    def window_department(self, window: int) -> int:
        return (self.windows[window].department_id if window in self.windows else None) or NONE

    def post_window(self, person: Optional[int], dept: int) -> int:
        """Where the holder of a step sits at this unit: a post in the step's department first, else
        any post here; none when nobody holds it (or the holder has no post here)."""
        mine = [p for p in self.posts if p.staff_id == person] if person else []
        same = [p for p in mine if (p.department_id or NONE) == dept]
        return (same or mine)[0].window_id if mine else NONE

    def case_key(self, window: int, creator: Optional[str]) -> tuple:
        person = self.people.get(creator) if creator else None
        return self.window_department(window), window, person.id if person else NONE

    def step_key(self, dept: Optional[int], person: Optional[int]) -> tuple:
        return dept or NONE, self.post_window(person, dept or NONE), person or NONE

    def name(self, kind: str, cid: int) -> Optional[str]:
        if kind == "department":
            return self.departments.get(cid)
        if kind == "window":
            return self.windows[cid].name if cid in self.windows else None
        return self.people_by_id[cid].name if cid in self.people_by_id else None

    def keyed(self):
        """(key, "cases" | "steps", card, count) of every group of open work here."""
        for r in self.case_rows:
            yield self.case_key(r[0], r[1]), "cases", r[2], r[3]
        for r in self.step_rows:
            yield self.step_key(r[0], r[1]), "steps", r[2], r[3]

    def items(self, now: datetime, inside) -> list[dict]:
        out = []
        for r in self.carded_cases:
            if inside(self.case_key(r.origin_window_id, r.created_by)):
                due = r.promise_due or r.legal_due
                due = as_utc(due) if due else None
                out.append({"kind": "case", "case_id": r.id, "task_id": None, "number": r.number, "item": r.name,
                            "applicant": mask_name(r.applicant_name), "step": "、".join(self.step_names.get(r.id, [])),
                            "warning": r.warning, "due": due, "days_overdue": _days_over(now, due),
                            "deemed_accepted": bool(r.deemed_accepted)})
        for r in self.carded_steps:
            if inside(self.step_key(r.routed_department_id, r.assignee_id)):
                due = as_utc(r.due_at) if r.due_at else None
                out.append({"kind": "step", "case_id": r.case_id, "task_id": r.id, "number": r.number,
                            "item": r.item, "applicant": mask_name(r.applicant_name), "step": r.name,
                            "warning": r.warning, "due": due, "days_overdue": _days_over(now, due),
                            "deemed_accepted": False})
        return sorted(out, key=lambda i: (i["warning"] != "red", -i["days_overdue"], i["number"], i["kind"]))


class _Children:
    def __init__(self):
        self.rows: dict = {}

    def add(self, kind: str, cid: int, name: Optional[str], tier: Optional[str] = None) -> dict:
        # every row has the same keys (the CSV's columns), a tier only for a unit
        return self.rows.setdefault((kind, cid), {"kind": kind, "id": cid, "name": name, "tier": tier,
                                                  "cases": _load(), "steps": _load()})

    def sorted(self) -> list[dict]:
        order = {"unit": 0, "department": 1, "window": 2, "staff": 3}
        return sorted(self.rows.values(), key=lambda c: (order[c["kind"]], c["id"] == NONE, c["id"]))


def _child_units(directory, names, children: _Children, unit_id: int, units, rows) -> None:
    """The unit's child units, each with the load of its whole subtree."""
    top = {}
    for u in units:
        at = u
        while at is not None and directory.units[at].parent_id != unit_id:
            at = directory.units[at].parent_id
        if at is not None:
            top[u] = at
    for u in units:
        if directory.units[u].parent_id == unit_id:
            children.add("unit", u, names.get(u, ""), tier=directory.units[u].tier)
    for key, found in (("cases", rows[0]), ("steps", rows[1])):
        for unit, warning, n in found:
            if unit in top:
                _add(children.rows[("unit", top[unit])][key], warning, n)


def _idle_children(work: _Work, children: _Children, path: tuple, depth: int) -> None:
    """Departments, windows and people with posts are listed even when they have nothing open."""
    department_id, window_id, _ = path
    if depth == 0:
        for d, name in sorted(work.departments.items()):
            children.add("department", d, name)
    elif depth == 1:
        for w in sorted(work.windows):
            if work.window_department(w) == department_id:
                children.add("window", w, work.windows[w].name)
    elif depth == 2 and window_id != NONE:
        for p in work.posts:
            if p.window_id == window_id and p.staff_id in work.people_by_id:
                children.add("staff", p.staff_id, work.people_by_id[p.staff_id].name)


def _own_children(work: _Work, children: _Children, path: tuple, depth: int, inside) -> None:
    """The next level of the unit's own work below `path`: departments, windows or people, each
    with its load."""
    _idle_children(work, children, path, depth)
    if depth == 3 or path[1] == NONE:                    # a person, or "not claimed": nothing below
        return
    level = ("department", "window", "staff")[depth]
    for key, what, warning, n in work.keyed():
        if inside(key):
            _add(children.add(level, key[depth], work.name(level, key[depth]))[what], warning, n)


def drill(ctx, actor: Actor, unit_id: int, department_id: Optional[int] = None, window_id: Optional[int] = None,
          staff_id: Optional[int] = None) -> dict:
    """One level of the drill-down. At a unit: its child units (their whole subtree) and its own
    departments; at a department: its windows (and `not claimed`); at a window: its people. At a
    window or a person, also the yellow and red cases and steps there (`items`)."""
    _check_path(department_id, window_id, staff_id)
    now = ctx.clock.now()
    path = (department_id, window_id, staff_id)
    depth = sum(p is not None for p in path)
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, None, actor)
        directory = org.directory(ctx, tx)
        chain = _crumbs(ctx, tx, directory, actor, unit_id)
        child_units = [u for u in units if directory.units[u].parent_id == unit_id]
        names = tx.supervision.unit_names([*chain, *child_units])
        work = _Work(tx, unit_id, staff_id, leaf=window_id is not None)
        work.check(department_id, window_id, staff_id)
        sub_rows = ((tx.supervision.open_cases_by_unit(units), tx.supervision.open_steps_by_unit(units))
                    if depth == 0 else None)

    def inside(key: tuple) -> bool:
        return all(key[i] == path[i] for i in range(depth))

    children = _Children()
    if depth == 0:
        _child_units(directory, names, children, unit_id, units, sub_rows)
    _own_children(work, children, path, depth, inside)
    crumbs = [_unit_ref(directory, names, u) for u in chain]
    crumbs += [{"kind": kind, "id": cid, "name": work.name(kind, cid), "tier": None}
               for kind, cid in zip(("department", "window", "staff"), path) if cid is not None]
    return {"path": crumbs, "node": ("unit", "department", "window", "staff")[depth],
            "leaf": depth == 3 or window_id == NONE,
            "as_of": now, "children": children.sorted(), "items": work.items(now, inside) if window_id is not None
            else []}


def _start(day: date) -> datetime:
    """The first instant of a day in Beijing."""
    return dl.due_instant(day - timedelta(days=1))


def periods(since: date, until: date, period: str) -> list[date]:
    """The first days of the periods that cover since..until, and the day after the last one."""
    if period not in PERIODS:
        raise ValidationError(f"period is one of {', '.join(PERIODS)}", code="period_unknown", field="period")
    if until < since:
        raise ValidationError("until is on or after since", code="date_range_invalid", field="until")
    if period == "month":
        first = since.replace(day=1)
        out = [first]
        while out[-1] <= until:
            d = out[-1]
            out.append(date(d.year + (d.month == 12), d.month % 12 + 1, 1))
    else:
        out = [since - timedelta(days=since.weekday())]
        while out[-1] <= until:
            out.append(out[-1] + timedelta(days=7))
    if len(out) - 1 > MAX_PERIODS[period]:
        raise ValidationError(f"at most {MAX_PERIODS[period]} {period}s", code="date_range_too_long", field="until")
    return out


def _rate(part: int, whole: int) -> Optional[float]:
    return round(part / whole, 4) if whole else None


# The figures of a period that ended are immutable: a case is completed at the instant its last
# step commits (the clock's now), so no completion lands in a period already past, and a completed
# case's deadlines no longer change. They are kept per process (the rule of engine/services/
# caches.py for immutable entries), keyed by the exact units and bounds (an org change gives a new
# key), so a dashboard polled every 20 s scans only the running period. A period counts as ended
# an hour after its end: a completion committed late by another process still falls in.
_SETTLED = timedelta(hours=1)
_CLOSED: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()      # per Context's caches


def _closed_periods(ctx) -> Immutable:
    found = _CLOSED.get(ctx.caches)
    if found is None:
        found = _CLOSED[ctx.caches] = Immutable(max_entries=2_000)
    return found


def on_time_series(ctx, actor: Actor, unit_id: int, since: date, until: date, period: str = "month") -> list[dict]:
    """Per month (or week, Monday first) of Beijing calendar days: the cases received in the
    subtree and completed in it, and how many by the promised deadline and by the legal one."""
    firsts = periods(since, until, period)
    bounds = [_start(d) for d in firsts]
    settled = ctx.clock.now() - _SETTLED
    cache = _closed_periods(ctx)
    with ctx.uow.read() as tx:
        units = subtree(ctx, tx, unit_id, None, actor)
        key = (tuple(units), period)
        known = {i: cache.get((key, bounds[i])) for i in range(len(firsts) - 1) if bounds[i + 1] <= settled}
        open_from = next((i for i in range(len(firsts) - 1) if known.get(i) is None), len(firsts) - 1)
        rows = {}
        if open_from < len(firsts) - 1:          # one query from the first period not known to the end
            found = {r[0]: tuple(r[1:]) for r in tx.supervision.completions(units, bounds[open_from:])}
            rows = {open_from + i: v for i, v in found.items()}
    out = []
    for i, first in enumerate(firsts[:-1]):
        figures = known.get(i) or rows.get(i) or (0, 0, 0, 0, 0)
        if i in known and known[i] is None and bounds[i + 1] <= settled:
            cache.put((key, bounds[i]), figures)
        completed, promised, on_promise, legal, on_legal = (figures[0], figures[1], figures[2] or 0, figures[3],
                                                            figures[4] or 0)
        out.append({"period": first.strftime("%Y-%m") if period == "month" else first.isoformat(),
                    "first_day": first, "last_day": firsts[i + 1] - timedelta(days=1), "completed": completed,
                    "with_promise": promised, "on_promise": on_promise, "promise_rate": _rate(on_promise, promised),
                    "with_legal": legal, "on_legal": on_legal, "legal_rate": _rate(on_legal, legal)})
    return out


def flat(rows: list[dict]) -> list[dict]:
    """Rows with nested loads ({"cases": {"open": …}}) as flat columns (cases_open, …) for CSV."""
    out = []
    for r in rows:
        row = {}
        for k, v in r.items():
            if isinstance(v, dict):
                row.update({f"{k}_{kk}": vv for kk, vv in v.items()})
            else:
                row[k] = v
        out.append(row)
    return out
