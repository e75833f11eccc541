#!/usr/bin/env python3
"""External tasks under contention on PostgreSQL (docs/integration.md#external-tasks).

2,000 cases (--quick: 200, and it says so) each wait at one service task of topic `bench-check`;
4 worker processes fetch and lock batches of 10 (FOR UPDATE SKIP LOCKED) and complete each task
through the service layer, which runs the workflow on to its end and saves the case in one
transaction. Prints every task completed exactly once (a check, not a figure), the throughput
from the first completion to the last (`external.tasks_per_s`) and the wall time including the
workers' start-up; then bare SpiffWorkflow completing the same service task in memory, one
process (parse once, then per case: start, complete the waiting task, run to the end), and the
ratio between the two. The bare figure has no database, no lock, no audit: the ratio is what
durability and exactly-once cost per task, not a like-for-like race.

With --long-poll the workers long-poll (asyncResponseTimeout 2 s, docs/integration.md#long-polling)
instead of sleeping 0.1 s when nothing is available, and the figure is `external.long_poll_tasks_per_s`.
The tasks are all waiting before the workers start, so this measures what long polling costs a busy
topic (nothing should change), not how fast a new task is picked up
(tests/integration/test_external_long_polling.py checks that: within a second).

usage: python bench/bench_external.py [--quick] [--tasks N] [--workers N] [--long-poll]
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.common import PG_URL, deploy_item, drop_all, fresh_context, postgres_available, result, setup_org  # noqa: E402
from bench.external_worker import BPMN, run_round  # noqa: E402
from engine.bpmn import external  # noqa: E402
from engine.bpmn.specs import LianbanParser  # noqa: E402
from engine.services import cases  # noqa: E402
from engine.store.models import ExternalTask  # noqa: E402


def bare_tasks_per_s(n: int) -> float:
    parser = LianbanParser()
    parser.add_bpmn_str(BPMN)
    spec = parser.get_spec("external_bench")
    t0 = time.perf_counter()
    for _ in range(n):
        wf = BpmnWorkflow(spec)
        wf.do_engine_steps()
        [task] = [t for t in wf.get_tasks(state=TaskState.STARTED)]
        external.complete(task, {"checked": True})
        wf.do_engine_steps()
        assert wf.is_completed()
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--tasks", type=int)
    ap.add_argument("--workers", type=int, default=4)
    ap.add_argument("--long-poll", action="store_true")
    args = ap.parse_args()
    n = args.tasks or (200 if args.quick else 2000)
    if not postgres_available():
        print("PostgreSQL is not reachable: the contention benchmark needs it", file=sys.stderr)
        sys.exit(1)
    ctx = fresh_context(PG_URL)
    try:
        window, agent = setup_org(ctx)
        deploy_item(ctx, "BENCH-EXT", "external_bench.bpmn", BPMN, "external_bench")
        t0 = time.perf_counter()
        for i in range(n):
            cases.start_case(ctx, cases.StartCase("BENCH-EXT", window, {"name": f"申请人{i}"}), agent)
        print(f"started {n} cases waiting at the service task in {time.perf_counter() - t0:.1f} s"
              + (" (--quick: fewer than the 2,000 target)" if n < 2000 else ""))
        done = run_round(PG_URL, workers=args.workers, batch=10, lock_ms=60_000,
                         wait_ms=2_000 if args.long_poll else 0)
        ids = [i for per in done.completed.values() for i in per]
        with ctx.uow.read() as tx:
            states = dict(tx.conn.execute(select(ExternalTask.state, func.count())
                                          .group_by(ExternalTask.state)).all())
        once = len(ids) == n and len(set(ids)) == n and states == {"completed": n}
        print(f"{args.workers} workers: {', '.join(f'{w} {len(v)}' for w, v in done.completed.items())}; "
              f"every task completed exactly once: {once}")
        if not once:
            sys.exit(f"NOT exactly once: {len(ids)} completions, {len(set(ids))} distinct, states {states}")
        per_s = n / done.busy_seconds
        result("external.long_poll_tasks_per_s" if args.long_poll else "external.tasks_per_s", per_s)
        result("external.wall_s", done.seconds)
        bare = bare_tasks_per_s(min(n, 2000))
        result("external.bare_spiff_tasks_per_s", bare)
        result("external.ratio_bare_over_lianban", bare / per_s)
    finally:
        drop_all(ctx)


if __name__ == "__main__":
    main()
