#!/usr/bin/env python3
"""Timer burst: N cases whose BPMN timers all fall due at the same moment, fired by two real
`lianban worker` processes against one PostgreSQL database (issue 15).

Each case waits at a review step with a non-interrupting boundary timer (timeDate = the moment
T, from the application form); firing it opens an escalation step. The cases are started
before T, the two workers are started, and the benchmark then watches the timer table until
every timer fired. It verifies that each fired exactly once (one `fired` row, one
`timer_fired` event and one escalation step per case) and prints

  RESULT timers.burst_<N>_s          seconds from T until the last timer fired
  RESULT timers.lateness_p95_s       95th percentile of (fired at - due at)
  RESULT timers.lateness_max_s
  RESULT timers.fired_once           1 when every timer fired exactly once, else 0

It works in a database of its own (named after its process id, dropped at the end), so it
never collides with the test suite or another run.

usage: python bench/bench_timers.py [--quick] [--timers N] [--workers 2] [--interval 1]
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.common import PG_URL, deploy_item, postgres_available, result, routed, setup_org  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.services import cases  # noqa: E402
from engine.services.context import Context  # noqa: E402
from engine.store.schema import upgrade  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATABASE = f"lianban_bench_timers_{os.getpid()}"
BPMN = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="http://bench">
  <bpmn:process id="burst" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:userTask id="review" name="review"/>
    <bpmn:boundaryEvent id="late" attachedToRef="review" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDate>form["fire_at"]</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:userTask id="chase" name="chase"/>
    <bpmn:endEvent id="end"/>
    <bpmn:endEvent id="end2"/>
    <bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="review"/>
    <bpmn:sequenceFlow id="f1" sourceRef="review" targetRef="end"/>
    <bpmn:sequenceFlow id="f2" sourceRef="late" targetRef="chase"/>
    <bpmn:sequenceFlow id="f3" sourceRef="chase" targetRef="end2"/>
  </bpmn:process>
</bpmn:definitions>"""


def server_url():
    url = make_url(os.environ.get("LIANBAN_BENCH_POSTGRES_URL", PG_URL))
    return url.set(query={k: v for k, v in url.query.items() if k != "options"})


def recreate(drop_only: bool = False) -> str:
    admin = create_engine(server_url().set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        if not drop_only:
            conn.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    return server_url().set(database=DATABASE).render_as_string(hide_password=False)


def start_cases(ctx, window, agent, n: int, fire_at: datetime) -> None:
    form = {"fire_at": fire_at.isoformat()}
    for _ in range(n):
        cases.start_case(ctx, cases.StartCase("BURST", window, {"name": "张三"}, form), agent)


def start_workers(url: str, n: int, interval: float, logs: Path) -> list[subprocess.Popen]:
    """`n` real `lianban worker` processes, each logging to a file of its own (a pipe nobody reads
    would fill up and stall the worker); returns once each has started its scheduler."""
    env = {**os.environ, "LIANBAN_DATABASE_URL": url, "LIANBAN_SCHEDULER_INTERVAL_SECONDS": str(interval)}
    lianban = Path(sys.executable).with_name("lianban")
    command = [str(lianban)] if lianban.exists() else [sys.executable, "-m", "api.cli"]
    workers = []
    for i in range(n):
        log = open(logs / f"worker{i}.log", "w")
        workers.append(subprocess.Popen([*command, "worker"], cwd=ROOT, env=env, stdout=log,
                                        stderr=subprocess.STDOUT, text=True))
        workers[-1].log_path = log.name
    deadline = time.monotonic() + 120
    while not all("worker started" in Path(w.log_path).read_text() for w in workers):
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            raise SystemExit("the workers did not start:\n" + "".join(_tail(w) for w in workers))
        time.sleep(0.2)
    return workers


def _tail(worker, lines: int = 5) -> str:
    text_ = Path(worker.log_path).read_text(errors="replace").strip().splitlines()[-lines:]
    return " | ".join(text_) + "\n"


def stop_workers(workers: list[subprocess.Popen]) -> None:
    for w in workers:
        if w.poll() is None:
            w.send_signal(signal.SIGTERM)
    for w in workers:
        try:
            w.wait(30)
        except subprocess.TimeoutExpired:
            w.kill()


def fired_count(ctx) -> int:
    with ctx.uow.read() as tx:
        return tx.conn.execute(text("SELECT count(*) FROM timer WHERE kind = 'bpmn' AND state = 'fired'")).scalar()


def verify(ctx, n: int) -> dict:
    """What the burst left: timer states, and per case the fired events and escalation steps."""
    with ctx.uow.read() as tx:
        c = tx.conn
        # (the cases that measured how fast cases start wait until 2100)
        states = dict(c.execute(text("SELECT state, count(*) FROM timer WHERE kind = 'bpmn' "
                                     "AND due_at < '2099-01-01' GROUP BY state")).all())
        events = c.execute(text("SELECT count(*), count(DISTINCT case_id) FROM event WHERE type = 'timer_fired'")).one()
        chases = c.execute(text("SELECT count(*), count(DISTINCT case_id) FROM task WHERE spec_id = 'chase'")).one()
        lateness = [r[0] for r in c.execute(text(
            "SELECT EXTRACT(EPOCH FROM fired_at - due_at) FROM timer WHERE kind = 'bpmn' AND state = 'fired' "
            "ORDER BY 1"))]
        last = c.execute(text("SELECT max(fired_at) FROM timer WHERE kind = 'bpmn'")).scalar()
        stuck = c.execute(text("SELECT id, case_id, due_at, attempts, retry_at, last_error FROM timer "
                               "WHERE kind = 'bpmn' AND state <> 'fired' AND due_at < now() LIMIT 5")).all()
    once = (states.get("fired") == n and len(states) == 1 and tuple(events) == (n, n) and tuple(chases) == (n, n))
    return {"states": states, "events": tuple(events), "chases": tuple(chases), "lateness": lateness,
            "last": last, "once": once, "stuck": stuck}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="400 timers instead of 2,000")
    ap.add_argument("--timers", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--interval", type=float, default=1.0, help="the workers' LIANBAN_SCHEDULER_INTERVAL_SECONDS")
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args()
    n = args.timers or (400 if args.quick else 2000)
    if not postgres_available():
        print("PostgreSQL not reachable: nothing to measure")
        return
    url = recreate()
    ctx = Context.create(Settings(database_url=url))
    workers: list[subprocess.Popen] = []
    try:
        upgrade(ctx.engine)
        window, agent = setup_org(ctx)
        deploy_item(ctx, "BURST", "burst.bpmn", routed(BPMN), "burst")
        workers = start_workers(url, args.workers, args.interval, Path(tempfile.mkdtemp(prefix="lianban-timers-")))
        # how fast cases start here, to put T just after the last one
        t0 = time.perf_counter()
        start_cases(ctx, window, agent, 20, datetime(2100, 1, 1, tzinfo=timezone.utc))
        per_case = (time.perf_counter() - t0) / 20
        fire_at = datetime.now(timezone.utc) + timedelta(seconds=per_case * n * 1.5 + 5)
        start_cases(ctx, window, agent, n, fire_at)
        if datetime.now(timezone.utc) >= fire_at:
            raise SystemExit("starting the cases overran the due moment; run again on a quieter machine")
        print(f"{n} cases started ({per_case * 1e3:.1f} ms each); all due at {fire_at:%H:%M:%S.%f}; "
              f"{args.workers} workers sweeping every {args.interval:g} s")
        deadline = time.monotonic() + (fire_at - datetime.now(timezone.utc)).total_seconds() + args.timeout
        while fired_count(ctx) < n and time.monotonic() < deadline:
            if any(w.poll() is not None for w in workers):
                raise SystemExit("a worker died:\n" + "".join(_tail(w) for w in workers))
            time.sleep(0.2)
        stop_workers(workers)
        found = verify(ctx, n)
        for w in workers:
            print("worker:", _tail(w, 2), end="")
    finally:
        stop_workers(workers)
        ctx.dispose()
        recreate(drop_only=True)
    lateness = found["lateness"]
    burst = (found["last"] - fire_at).total_seconds() if found["last"] else float("nan")
    print(f"timer states {found['states']}; timer_fired events (rows, cases) {found['events']}; "
          f"escalation steps (rows, cases) {found['chases']}")
    if lateness:
        p95 = float(lateness[min(len(lateness) - 1, int(len(lateness) * 0.95))])
        print(f"all {len(lateness)} fired {burst:.2f} s after the due moment; lateness p95 {p95:.2f} s, "
              f"max {float(lateness[-1]):.2f} s")
        result(f"timers.burst_{n}_s", burst)
        result("timers.lateness_p95_s", p95)
        result("timers.lateness_max_s", float(lateness[-1]))
    for row in found["stuck"]:
        print("not fired:", tuple(row))
    result("timers.fired_once", 1 if found["once"] else 0)


if __name__ == "__main__":
    main()
