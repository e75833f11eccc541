"""What may not be deactivated or ended while something still needs it (docs/organisation.md
"What cannot be removed"). Each check raises Conflict (409) with a code naming what needs it and
a `detail` counting or naming it; nothing is ever deleted: rows are deactivated or ended, so
closed cases and the audit trail keep pointing at what they pointed at."""

from __future__ import annotations

from engine.domain.errors import Conflict
from engine.domain.org import TargetError, lane_targets, parse_target
from engine.services.accounts import org
from engine.store.uow import Transaction


def _refuse(*, code: str, message: str, **detail) -> None:
    raise Conflict(message, code=code, field="active", detail={"needed_by": detail} if detail else None)


def unit(tx: Transaction, unit_id: int) -> None:
    below = {k: n for k, n in tx.org_admin.active_below(unit_id).items() if n}
    if below:
        _refuse(
            code="org_unit_not_empty",
            message="deactivate the units, departments, halls and windows below it first "
            f"({', '.join(f'{n} {k}' for k, n in below.items())})",
            **below,
        )
    cases = tx.org_admin.open_cases_at_unit(unit_id)
    if cases:
        _refuse(code="org_unit_has_open_cases", message=f"{cases} open case(s) were received at this unit", cases=cases)
    tasks = tx.org_admin.open_tasks_at_unit(unit_id)
    if tasks:
        _refuse(code="org_unit_has_open_tasks", message=f"{tasks} open task(s) are routed to this unit", tasks=tasks)


def hall(tx: Transaction, hall_id: int) -> None:
    windows = tx.org_admin.active_windows_of_hall(hall_id)
    if windows:
        _refuse(code="hall_has_windows", message=f"deactivate its {windows} window(s) first", windows=windows)


def window(tx: Transaction, window_id: int) -> None:
    cases = tx.org_admin.open_cases_at_window(window_id)
    if cases:
        _refuse(
            code="window_has_open_cases",
            message=f"{cases} open case(s) were received at this window and are still handled from it (出件, notices)",
            cases=cases,
        )
    posts = tx.org_admin.current_posts_at_window(window_id)
    if posts:
        _refuse(code="window_has_posts", message=f"end or move its {posts} current post(s) first", posts=posts)


def department(tx: Transaction, department) -> None:
    """`department`: its row (id, org_unit_id, code, …)."""
    others = [d for d in tx.org_admin.departments() if d.code == department.code and d.active and d.id != department.id]
    if not others:  # routing and the catalogue name a department by its code: none would be left
        items = tx.org_admin.published_items_deciding_in(department.code)
        if items:
            _refuse(
                code="department_in_use",
                message=f"published catalogue entries decide in {department.code}: {', '.join(items[:5])}",
                items=items,
            )
        processes = sorted(
            key for key, targets in _targets(tx) if any(t.department == department.code for t in targets)
        )
        if processes:
            _refuse(
                code="department_in_use",
                message=f"the current versions of {', '.join(processes)} route tasks to @{department.code}",
                processes=processes,
            )
    windows = tx.org_admin.active_windows_of_department(department.id)
    if windows:
        _refuse(
            code="department_has_windows",
            message=f"{windows} active window(s) belong to this department",
            windows=windows,
        )
    tasks = tx.org_admin.open_tasks_in_department(department.id)
    if tasks:
        _refuse(
            code="department_has_open_tasks", message=f"{tasks} open task(s) are routed to this department", tasks=tasks
        )


def role(tx: Transaction, code: str) -> None:
    processes = sorted(key for key, targets in _targets(tx) if any(t.role == code for t in targets))
    if processes:
        _refuse(
            code="role_in_use",
            message=f"the current versions of {', '.join(processes)} route tasks to the role {code}",
            processes=processes,
        )
    posts = tx.org_admin.current_posts_with_role(code)
    if posts:
        _refuse(code="role_has_posts", message=f"{posts} current post(s) hold this role", posts=posts)
    tasks = tx.org_admin.open_tasks_with_role(code)
    if tasks:
        _refuse(code="role_has_open_tasks", message=f"{tasks} open task(s) are routed to this role", tasks=tasks)


def staff(tx: Transaction, staff_id: int) -> None:
    claimed = len(tx.org_admin.claimed_tasks(staff_id))
    if claimed:
        _refuse(
            code="staff_has_claimed_tasks",
            message=f"this person holds {claimed} claimed task(s): unclaim or delegate them first",
            tasks=claimed,
        )


def ending_posts(ctx, tx: Transaction, staff_id: int, ending: set[int], opening=()) -> None:
    """Ending the posts `ending` (ids) of a staff member, and taking up `opening` ((unit, dept,
    role) tuples): refused when a task she has claimed is one only an ending post lets her do."""
    claimed = tx.org_admin.claimed_tasks(staff_id)
    if not claimed:
        return
    directory = org.directory(ctx, tx)
    current = tx.org_admin.posts(staff_id=staff_id)
    before = [(p.org_unit_id, p.department_id, p.role) for p in current]
    after = [(p.org_unit_id, p.department_id, p.role) for p in current if p.id not in ending] + list(opening)
    stranded = [
        t
        for t in claimed
        if org.may_work_on(directory, before, t.routed_org_unit_id, t.routed_department_id, t.routed_role)
        and not org.may_work_on(directory, after, t.routed_org_unit_id, t.routed_department_id, t.routed_role)
    ]
    if stranded:
        _refuse(
            code="post_has_claimed_tasks",
            message=f"this person holds {len(stranded)} claimed task(s) only this post lets "
            "her do: unclaim or delegate them first",
            tasks=len(stranded),
        )


def _targets(tx: Transaction):
    """(process key, routing targets of its newest version): what a new case of it routes to."""
    for row in tx.org_admin.latest_user_tasks():
        targets = []
        for task in row.user_tasks or ():
            for text in task.get("candidate_groups") or lane_targets(task.get("lane")):
                try:
                    targets.append(parse_target(text))
                except TargetError:
                    continue
        yield row.key, targets
