"""External tasks under contention on PostgreSQL: 4 worker processes fetch one topic's tasks
(FOR UPDATE SKIP LOCKED), every task is completed exactly once; a worker SIGKILLed while holding a
batch of locks loses nothing, its tasks come back to the others once the locks expire. The full
size (2,000 tasks) is bench/bench_external.py; here 200 keep CI quick."""
import os
import signal
from collections import Counter

import pytest
from sqlalchemy import func, select

from bench.common import deploy_item, setup_org
from bench.external_worker import BPMN, run_round
from engine.services import cases
from engine.store.models import Case, Event, ExternalTask

N_TASKS = int(os.environ.get("LIANBAN_CONTENTION_TASKS", "200"))


@pytest.fixture
def waiting_tasks(ctx, db_url):
    if not db_url.startswith("postgresql"):
        pytest.skip("contention between processes is a PostgreSQL matter: SQLite has one writer")
    window, agent = setup_org(ctx)
    deploy_item(ctx, "BENCH-EXT", "external_bench.bpmn", BPMN, "external_bench")
    for i in range(N_TASKS):
        cases.start_case(ctx, cases.StartCase("BENCH-EXT", window, {"name": f"申请人{i}"}), agent)
    return ctx


def completed_once_each(ctx) -> None:
    with ctx.uow.read() as tx:
        states = dict(tx.conn.execute(select(ExternalTask.state, func.count()).group_by(ExternalTask.state)).all())
        done_events = Counter(tx.conn.execute(select(Event.case_id).where(Event.type == "external_task_completed"))
                              .scalars())
        ended = tx.conn.execute(select(func.count()).select_from(Case).where(Case.status == "completed")).scalar()
    assert states == {"completed": N_TASKS}
    assert len(done_events) == N_TASKS and set(done_events.values()) == {1}
    assert ended == N_TASKS


def test_four_worker_processes_complete_every_task_exactly_once(waiting_tasks, db_url):
    result = run_round(db_url, workers=4, batch=10, lock_ms=60_000)
    ids = [i for done in result.completed.values() for i in done]
    assert len(ids) == N_TASKS and len(set(ids)) == N_TASKS
    assert sum(1 for done in result.completed.values() if done) >= 2      # the work was shared
    completed_once_each(waiting_tasks)


def test_a_worker_killed_holding_locks_loses_nothing(waiting_tasks, db_url):
    result = run_round(db_url, workers=4, batch=10, lock_ms=3_000, kill_first_after=5)
    assert result.return_codes["w0"] == -signal.SIGKILL
    ids = [i for done in result.completed.values() for i in done]
    assert len(ids) == N_TASKS and len(set(ids)) == N_TASKS    # its batch was finished by the others
    completed_once_each(waiting_tasks)
