#!/usr/bin/env python3
"""The load of bench/load.py while things break, then a check that nothing was lost or done twice.

A PostgreSQL instance of the run's own (bench/private_postgres.py: initdb in a temporary
directory, a free port; the shared cluster is never restarted), 2 x `lianban serve` and 2 x
`lianban worker`, 16 clients driving cases over HTTP; a quarter of the cases wait at a 2-second
timer between their second and third step (bench/http_cluster.py TIMER5), so the timer workers
must fire it. During the measured window, in this order:
  1. SIGKILL of one gunicorn worker of the first server (its master starts another);
  2. SIGKILL of a timer worker (a new one is started, as systemd's Restart= would);
  3. a restart of PostgreSQL (`pg_ctl restart -m fast`: every session cut).
Clients retry a dropped connection or a 5xx (start and complete carry an Idempotency-Key) and
count them. Then, on the database: every case completed or waiting at an open task (or at a
pending timer), every completion a client was told of is there, no task completed twice, every
timer fired exactly once, every case's audit hash chain intact.

Prints `RESULT faults.lost N` and `RESULT faults.duplicated N` (the real counts) and the rest;
exits 1 when anything was lost, duplicated or broken.

usage: python bench/faults.py [--quick] [--clients 16] [--seconds S]
"""
from __future__ import annotations

import argparse
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api import gunicorn_conf  # noqa: E402
from bench import private_postgres  # noqa: E402
from bench.common import result  # noqa: E402
from bench.http_cluster import Cluster, OwnDatabase, prepare, run_clients, server_url, verify  # noqa: E402


class FaultPlan:
    """What breaks when, as shares of the measured window; each fault happens once."""

    def __init__(self, cluster: Cluster, pg: private_postgres.PrivatePostgres, seconds: float):
        self.cluster, self.pg = cluster, pg
        self.steps = [(0.2 * seconds, "SIGKILL an API worker", self.kill_api_worker),
                      (0.4 * seconds, "SIGKILL a timer worker", self.kill_timer_worker),
                      (0.6 * seconds, "restart PostgreSQL", self.restart_postgres)]
        self.log: list[str] = []

    def __call__(self, elapsed: float) -> None:
        while self.steps and elapsed >= self.steps[0][0]:
            _, name, action = self.steps.pop(0)
            t0 = time.monotonic()
            detail = action()
            self.log.append(f"{elapsed:5.1f} s  {name}: {detail} ({time.monotonic() - t0:.1f} s)")
            print(self.log[-1], flush=True)

    def kill_api_worker(self) -> str:
        pids = self.cluster.api_worker_pids()
        if not pids:
            raise RuntimeError("no gunicorn worker found to kill")
        os.kill(pids[0], signal.SIGKILL)
        return f"pid {pids[0]}"

    def kill_timer_worker(self) -> str:
        return f"pid {self.cluster.kill_timer_worker(0)}, a new one started"

    def restart_postgres(self) -> str:
        self.pg.restart()
        return f"port {self.pg.port}"

    @property
    def done(self) -> bool:
        return not self.steps


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="30 s of load instead of 120")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--servers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--timer-workers", type=int, default=2)
    ap.add_argument("--timer-share", type=float, default=0.25, help="share of cases with a 2-second timer")
    ap.add_argument("--seconds", type=float, default=None)
    args = ap.parse_args()
    seconds = args.seconds or (30 if args.quick else 120)
    if not private_postgres.available():
        print(f"PostgreSQL binaries not found in {private_postgres.BIN}: fault benchmark skipped")
        return
    started = time.monotonic()
    pg = private_postgres.PrivatePostgres()
    cluster = None
    try:
        db = OwnDatabase(server_url(pg.url), "lianban_faults")
        window = prepare(db.url)
        log_dir = Path(tempfile.mkdtemp(prefix="lianban-faults-"))
        cluster = Cluster(db.url, args.servers, 1, args.threads or gunicorn_conf.THREADS, args.timer_workers,
                          log_dir)
        plan = FaultPlan(cluster, pg, seconds)
        tally, elapsed, done = run_clients(cluster.ports, window, args.clients, seconds, 10**9,
                                           timer_share=args.timer_share, warmup_seconds=2, during=plan)
        if not plan.done:
            raise RuntimeError(f"the load ended before every fault happened: {plan.log}")
        cluster.stop()
        cluster = None
        verdict = verify(db.url, tally.acknowledged)
    finally:
        if cluster is not None:
            cluster.stop()
        pg.stop()
    failed_5xx = sum(n for status, n in tally.status.items() if status >= 500)
    print(f"{args.clients} clients, {args.servers} x lianban serve, {args.timer_workers} timer workers, "
          f"{elapsed:.0f} s of load with faults (logs in {log_dir}):")
    print(f"  clients: {tally.started} cases started ({tally.timer_cases} with a timer), {tally.completed} driven to "
          f"the end, {done / elapsed:.1f} cases/s; {tally.requests} requests, {tally.connection_errors} dropped "
          f"connections and {failed_5xx} answers 5xx ({dict(tally.status)}) retried; {tally.gave_up} cases given up")
    if tally.timer_waits:
        print(f"  timer waits (completing step 2 to seeing step 3; timer {2} s, sweep every 1 s): median "
              f"{statistics.median(tally.timer_waits):.1f} s, max {max(tally.timer_waits):.1f} s")
    print(f"  database: {verdict.cases} cases, {verdict.completed} completed, {verdict.waiting_at_task} waiting at "
          f"an open task; {verdict.timers_fired_once} of {verdict.timers} timers fired exactly once; "
          f"{verdict.broken_chains} broken audit chains")
    for line in verdict.details:
        print(f"  PROBLEM: {line}")
    result("faults.cases", verdict.cases)
    result("faults.completed", verdict.completed)
    result("faults.waiting_at_task", verdict.waiting_at_task)
    result("faults.lost", verdict.lost)
    result("faults.duplicated", verdict.duplicated)
    result("faults.timers", verdict.timers)
    result("faults.timers_fired_once", verdict.timers_fired_once)
    result("faults.broken_chains", verdict.broken_chains)
    result("faults.task_completions", verdict.task_completions)
    result("faults.acknowledged_completions", len(tally.acknowledged))
    result("faults.http_5xx", failed_5xx)
    result("faults.connection_errors", tally.connection_errors)
    result("faults.gave_up", tally.gave_up)
    result("faults.seconds", time.monotonic() - started)
    if verdict.lost or verdict.duplicated or verdict.broken_chains or verdict.timers_fired_once != verdict.timers:
        sys.exit(1)


if __name__ == "__main__":
    main()
