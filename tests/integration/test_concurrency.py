"""Races: two schedulers sweeping at once, a scheduler killed mid-sweep, clerks claiming the
same task at once. On PostgreSQL these run truly in parallel (row locks, SKIP LOCKED); on
SQLite the single writer serializes them, and the outcome must be the same."""
import subprocess
import sys
import threading
from datetime import timedelta

import pytest

from sqlalchemy import func, select

from engine.config import Settings
from engine.domain.errors import Conflict
from engine.services import tasks
from engine.services.context import Context
from engine.services.time_limits import timers
from engine.store.models import Event, Timer
from tests.conftest import ROOT, staff
from tests.form_samples import task_data
from tests.integration.helpers import at_once
from tests.integration.test_case_flow import only_task, start_food

N_CASES = 12


def make_due_timers(ctx, clock, n=N_CASES):
    for _ in range(n):
        start_food(ctx)
        intake = tasks.inbox(ctx, staff(ctx, "zcz_qs_agent"))[0].id
        tasks.complete(ctx, intake, task_data(ctx, intake), staff(ctx, "zcz_qs_agent"))
    clock.advance(timedelta(days=3))


def fired_once_each(ctx):
    with ctx.uow.begin() as s:
        states = s.conn.execute(select(Timer.state, func.count()).where(Timer.kind == "bpmn")
                                .group_by(Timer.state)).all()
        per_case = s.conn.execute(select(Event.case_id, func.count()).where(Event.type == "timer_fired")
                             .group_by(Event.case_id)).all()
    return dict(states), per_case


@pytest.mark.parametrize("pool", [1, 4])
def test_two_workers_fire_each_timer_exactly_once(demo, clock, db_url, pool):
    """Two workers sweep at once, each firing its batch one timer at a time or on a pool of
    threads (as `lianban worker` does on PostgreSQL)."""
    ctx = demo
    make_due_timers(ctx, clock)
    workers = [Context.create(Settings(database_url=db_url), clock=clock) for _ in range(2)]

    def sweep(worker_ctx, name):
        total = 0
        while True:   # keep sweeping until nothing is left, like a scheduler would
            n = timers.fire_due(worker_ctx, name, threads=pool)
            total += n
            if n == 0 and not timers.due_timer_ids(worker_ctx, 1):
                return total

    results, errors = at_once(sweep, [(w, f"w{i}") for i, w in enumerate(workers)])
    for w in workers:
        w.dispose()
    assert errors == []
    assert sum(results) == N_CASES
    states, per_case = fired_once_each(ctx)
    assert states == {"fired": N_CASES}
    assert len(per_case) == N_CASES and all(count == 1 for _, count in per_case)
    assert len(tasks.inbox(ctx, staff(ctx, "zcz_supervisor"))) == N_CASES


def test_worker_killed_mid_sweep_loses_and_duplicates_nothing(demo, clock, db_url):
    ctx = demo
    make_due_timers(ctx, clock)
    proc = subprocess.run([sys.executable, "-m", "tests.integration.kill_worker", db_url, clock.now().isoformat(), "4"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == -9, proc.stderr
    assert "killing myself" in proc.stdout
    states, _ = fired_once_each(ctx)
    assert states == {"fired": 4, "pending": N_CASES - 4}   # the fifth was rolled back with the process
    assert timers.fire_due(ctx, "survivor") == N_CASES - 4
    states, per_case = fired_once_each(ctx)
    assert states == {"fired": N_CASES}
    assert all(count == 1 for _, count in per_case)


def test_concurrent_claims_exactly_one_wins(demo, db_url):
    ctx = demo
    start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    agent = staff(ctx, "zcz_qs_agent")
    clerks = [Context.create(Settings(database_url=db_url), clock=ctx.clock) for _ in range(6)]
    barrier = threading.Barrier(len(clerks))
    outcomes = []

    def claim(c):
        barrier.wait()
        try:
            tasks.claim(c, task.id, agent)
            outcomes.append("won")
        except Conflict as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=claim, args=(c,)) for c in clerks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for c in clerks:
        c.dispose()
    assert sorted(outcomes) == ["task_already_claimed"] * (len(clerks) - 1) + ["won"]


def test_concurrent_starts_get_distinct_consecutive_numbers(demo, db_url):
    """Case numbers: N starts at once, each on its own connection, get N distinct numbers whose daily
    serials are exactly 1..N (the counter upsert serializes them on PostgreSQL)."""
    n = 8
    contexts = [Context.create(Settings(database_url=db_url), clock=demo.clock) for _ in range(n)]
    numbers, errors = [], []
    barrier = threading.Barrier(n)

    def start(ctx):
        barrier.wait()
        for attempt in range(20):
            try:
                numbers.append(start_food(ctx).number)
                return
            except Exception as exc:  # noqa: BLE001 - SQLite's single writer may report busy
                if "locked" not in str(exc) or attempt == 19:
                    errors.append(exc)
                    return

    threads = [threading.Thread(target=start, args=(c,)) for c in contexts]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for c in contexts:
        c.dispose()
    assert errors == []
    assert len(set(numbers)) == n
    assert sorted(int(number[-4:]) for number in numbers) == list(range(1, n + 1))
    assert {number[:-4] for number in numbers} == {"11620100MB1234567E2001XK001010020261127"}
