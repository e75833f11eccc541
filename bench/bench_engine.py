#!/usr/bin/env python3
"""Engine-core benchmark: the linear five-user-task case (reference linear5.bpmn)

  (a) in memory on bare SpiffWorkflow 3.2.0 (create, run, complete five user tasks),
  (b) through Lianban's service layer on SQLite: start_case, then five times claim + complete,
      each command its own transaction (state, task projection, timers, audit events),
  (c) the same on PostgreSQL, with what its time is made of: this process's CPU, the server's
      CPU for its statements (when the server runs on this machine), the same cases with
      PostgreSQL's asynchronous commit (the disk's share), the same cases through the server's
      Unix-domain socket instead of TCP (when the server is on this machine), and the floor that
      durability alone sets: six empty durable transactions, one per command, each one round trip,

all in one process and one run, plus the per-step cost of a 5-task and a 30-task chain (a step
must not cost more as the case grows). Ends with machine-readable `RESULT name value` lines.

usage: python bench/bench_engine.py [--quick] [--cases N] [--no-postgres]
"""
from __future__ import annotations

import argparse
import gc
import os
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402  (bare baseline only)
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402
import psycopg  # noqa: E402
from sqlalchemy import event, text  # noqa: E402

from bench.common import (  # noqa: E402
    HERE,
    PG_SCHEMA,
    PG_URL,
    chain_xml,
    deploy_item,
    drop_all,
    fresh_context,
    postgres_available,
    result,
    routed,
    setup_org,
    sqlite_url,
)
from engine.bpmn.runtime import Runtime  # noqa: E402
from engine.services import cases, tasks  # noqa: E402

LINEAR5 = (HERE / "linear5.bpmn").read_bytes()


def bare_cases(n: int) -> None:
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(LINEAR5)
    spec, subs = parser.get_spec("linear5"), parser.get_subprocess_specs("linear5")
    for i in range(n):
        wf = BpmnWorkflow(spec, subs)
        wf.task_tree.data.update({"case": i, "applicant": {"name": "张三"}})
        wf.do_engine_steps()
        while True:
            ready = wf.get_tasks(state=TaskState.READY, manual=True)
            if not ready:
                break
            for t in ready:
                t.data[t.task_spec.bpmn_id] = {"ok": True}
                t.run()
            wf.do_engine_steps()
        assert wf.is_completed()


def service_case(ctx, window: int, agent, item: str, claim: bool = False) -> int:
    """Start a case and complete every task it opens (each command returns the tasks it
    opened, as the API does). With `claim`, every task is claimed first, as a clerk at a
    shared window would. Returns the number of steps."""
    started = cases.start_case(ctx, cases.StartCase(item, window, {"name": "张三"}, {"n": 1}), agent)
    todo = list(started.tasks)
    steps = 0
    while todo:
        task = todo.pop(0)
        if claim:
            tasks.claim(ctx, task, agent)
        todo.extend(tasks.complete(ctx, task, {"ok": True}, agent).next_tasks)
        steps += 1
    return steps


class ServiceBench:
    """A database with the linear5 item deployed, ready to run cases through the services. On
    PostgreSQL it also adds up this process's CPU time and (when the server is local and its
    backends' /proc entries are readable) the server's, over the runs; `async_commit` runs the
    same commands with `synchronous_commit = off` (the commit is acknowledged before the disk
    has it: PostgreSQL's own trade-off, not Lianban's default)."""

    def __init__(self, url: str, async_commit: bool = False):
        self.ctx = fresh_context(url)
        self.name = f"lianban_bench_{os.getpid()}_{id(self)}"
        if self.ctx.engine.dialect.name == "postgresql":
            event.listen(self.ctx.engine, "connect", self._on_connect(async_commit))
            self.ctx.engine.dispose()
        self.window, self.agent = setup_org(self.ctx)
        deploy_item(self.ctx, "LINEAR5", "linear5.bpmn", routed(LINEAR5), "linear5")
        service_case(self.ctx, self.window, self.agent, "LINEAR5")  # warm-up: spec load, statement caches
        self.cases = 0
        self.client_cpu = 0.0
        self.server_cpu: float | None = 0.0 if self.ctx.engine.dialect.name == "postgresql" else None
        self.backends = self._backends() if self.server_cpu is not None else []

    def run(self, n: int, claim: bool = False) -> None:
        server0, cpu0 = _cpu_of(self.backends), time.process_time()
        for _ in range(n):
            service_case(self.ctx, self.window, self.agent, "LINEAR5", claim=claim)
        self.client_cpu += time.process_time() - cpu0
        server1 = _cpu_of(self.backends)
        if self.server_cpu is not None and server0 is not None and server1 is not None:
            self.server_cpu += server1 - server0
        else:
            self.server_cpu = None
        self.cases += n

    def _backends(self) -> list[int]:
        # every connection of this bench's pool (named at connect, so other processes' backends
        # on the same server are left out); the runs open no new one
        with self.ctx.engine.connect() as conn:
            return list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE application_name = :name"),
                                     {"name": self.name}).scalars())

    def _on_connect(self, async_commit: bool):
        def named(dbapi_conn, _record) -> None:
            dbapi_conn.execute(f"SET application_name = '{self.name}'")
            if async_commit:
                dbapi_conn.execute("SET synchronous_commit = off")
        return named

    def close(self) -> None:
        drop_all(self.ctx)


def _cpu_of(pids: list[int]) -> float | None:
    """User + system CPU seconds of these local processes, None when one cannot be read (the
    server is on another machine, or belongs to a user whose /proc entries are hidden)."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


class CommitFloor:
    """What durability alone costs a linear5 case: six transactions (a start and five
    completions are six commands, each committed on its own) that update one row, each sent as
    BEGIN + UPDATE + COMMIT in one round trip, as Lianban's pipeline sends a command's writes."""

    def __init__(self, ctx):
        self.ctx = ctx
        with ctx.engine.begin() as conn:
            conn.execute(text("CREATE TABLE bench_commit_floor (id int PRIMARY KEY, v int NOT NULL)"))
            conn.execute(text("INSERT INTO bench_commit_floor VALUES (1, 0)"))
        # a connection of its own (not the pool's: the service bench's backends are the pool's)
        url = ctx.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(url, autocommit=True)

    def close(self) -> None:
        self.conn.close()

    def run(self, n: int) -> None:
        conn = self.conn
        for _ in range(n * 6):
            with conn.pipeline():
                conn.execute("BEGIN")
                conn.execute("UPDATE bench_commit_floor SET v = v + 1 WHERE id = 1")
                conn.execute("COMMIT")


def interleaved(runs: dict, rounds: int) -> dict:
    """Time every variant once per round, round after round, so that drift in the machine's
    speed (a shared VM) hits all variants alike; returns per-unit seconds for each round (or
    what the variant returns, when it measures itself)."""
    out = {name: [] for name in runs}
    for _ in range(rounds):
        for name, (fn, units) in runs.items():
            gc.collect()
            t0 = time.perf_counter()
            measured = fn()
            elapsed = time.perf_counter() - t0
            out[name].append(measured if isinstance(measured, float) else elapsed / units)
    return out


class ChainBench:
    """Cases of an n-task chain in one database: start them, then time only their steps
    (claim + complete), so the per-step cost of a long and a short case can be compared."""

    def __init__(self, length: int, incremental_state: bool = True):
        self.ctx = fresh_context(sqlite_url())
        if not incremental_state:      # the stock serializer instead of engine/bpmn/state_json.py
            self.ctx.runtime = Runtime(max_lines=self.ctx.settings.script_max_lines, incremental_state=False)
        self.window, self.agent = setup_org(self.ctx)
        self.item = f"CHAIN{length}"
        deploy_item(self.ctx, self.item, f"chain{length}.bpmn", routed(chain_xml(length, f"chain{length}")),
                    f"chain{length}")
        service_case(self.ctx, self.window, self.agent, self.item)

    def step_seconds(self, cases_: int) -> float:
        todo = []
        for _ in range(cases_):
            todo.extend(cases.start_case(self.ctx, cases.StartCase(self.item, self.window, {"name": "张三"}),
                                         self.agent).tasks)
        steps, t0 = 0, time.perf_counter()
        while todo:
            task = todo.pop()
            tasks.claim(self.ctx, task, self.agent)
            todo.extend(tasks.complete(self.ctx, task, {"ok": True}, self.agent).next_tasks)
            steps += 1
        return (time.perf_counter() - t0) / steps

    def close(self) -> None:
        drop_all(self.ctx)


def postgres_benches() -> dict:
    """The PostgreSQL variants: the service layer, and beside it in a schema of its own the same
    with asynchronous commit (when the URL names its schema, so the two cannot meet)."""
    if not postgres_available():
        print("(c) PostgreSQL not reachable: skipped")
        return {}
    out = {"postgres": ServiceBench(PG_URL)}
    own = f"search_path%3D{PG_SCHEMA}"
    if own in PG_URL:
        out["postgres_async"] = ServiceBench(PG_URL.replace(own, own + "_async"), async_commit=True)
        socket = unix_socket_url(PG_URL)
        if socket is not None:
            out["postgres_unix"] = ServiceBench(socket.replace(own, own + "_unix"))
    return out


def unix_socket_url(url: str):
    """The same server through its Unix-domain socket, when the URL names it on this machine over
    TCP (127.0.0.1) and the socket is there: what an operator running Lianban beside PostgreSQL
    would connect through. None otherwise."""
    local = re.search(r"@127\.0\.0\.1:(\d+)/", url)
    if local is None or not Path(f"{SOCKET_DIR}/.s.PGSQL.{local.group(1)}").exists():
        return None
    return url.replace(local.group(0), "@/") + f"&host={SOCKET_DIR}&port={local.group(1)}"


SOCKET_DIR = "/var/run/postgresql"      # Debian's and the PostgreSQL packages' own


def report_postgres(pg: ServiceBench, med: dict, ratio: dict, bare_cpu: float) -> list[tuple[str, float]]:
    """Print what a PostgreSQL case's time is made of; returns its RESULT lines. CPU is compared
    with the bare run's CPU: on a loaded machine wall time stretches, CPU time much less."""
    client = pg.client_cpu / pg.cases
    print(f"(c) service layer, PostgreSQL     : {med['postgres'] * 1e3:8.3f} ms per case  = "
          f"{ratio['postgres']:.2f} x bare")
    print(f"    of which CPU in this process  : {client * 1e3:8.3f} ms per case  = "
          f"{client / bare_cpu:.2f} x bare's CPU")
    results = [("linear5.postgres.ms_per_case", med["postgres"] * 1e3),
               ("linear5.postgres.service_over_bare", ratio["postgres"]),
               ("linear5.postgres.client_cpu_over_bare", client / bare_cpu)]
    if pg.server_cpu is not None:
        server = pg.server_cpu / pg.cases
        print(f"    CPU of the server's backend   : {server * 1e3:8.3f} ms per case  = "
              f"{server / bare_cpu:.2f} x bare's CPU")
        results.append(("linear5.postgres.server_cpu_over_bare", server / bare_cpu))
    if "postgres_async" in med:
        print(f"    with asynchronous commit      : {med['postgres_async'] * 1e3:8.3f} ms per case  = "
              f"{ratio['postgres_async']:.2f} x bare (synchronous_commit = off: the disk's share)")
        results.append(("linear5.postgres_async_commit.service_over_bare", ratio["postgres_async"]))
    if "postgres_unix" in med:
        print(f"    over the Unix socket          : {med['postgres_unix'] * 1e3:8.3f} ms per case  = "
              f"{ratio['postgres_unix']:.2f} x bare (the same server without TCP: Lianban beside PostgreSQL)")
        results.append(("linear5.postgres_unix_socket.service_over_bare", ratio["postgres_unix"]))
    print(f"    floor: 6 durable commits      : {med['commit_floor'] * 1e3:8.3f} ms per case  = "
          f"{ratio['commit_floor']:.2f} x bare (one empty transaction per command, one round trip each)")
    results.append(("linear5.postgres.commit_floor_over_bare", ratio["commit_floor"]))
    return results


def chain_figures(repeats: int, chain_n: int) -> tuple[float, float, float, float]:
    chains = {5: ChainBench(5), 30: ChainBench(30), "30stock": ChainBench(30, incremental_state=False)}
    chain_times = interleaved({5: (lambda: chains[5].step_seconds(chain_n * 6), 1),
                               30: (lambda: chains[30].step_seconds(chain_n), 1),
                               "30stock": (lambda: chains["30stock"].step_seconds(chain_n), 1)}, repeats)
    for c in chains.values():
        c.close()
    step5, step30 = statistics.median(chain_times[5]), statistics.median(chain_times[30])
    step_ratio = statistics.median(b / a for a, b in zip(chain_times[5], chain_times[30]))
    # what the state writer saves: the same 30-task chain saved by the stock serializer
    stock_ratio = statistics.median(b / a for a, b in zip(chain_times[30], chain_times["30stock"]))
    return step5, step30, step_ratio, stock_ratio


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="small run, well under 30 s")
    ap.add_argument("--cases", type=int, default=None)
    ap.add_argument("--no-postgres", action="store_true")
    args = ap.parse_args()
    n = args.cases or (30 if args.quick else 200)
    bare_n = n * 5
    repeats = 5 if args.quick else 9
    chain_n = 2 if args.quick else 10

    benches = {"sqlite": ServiceBench(sqlite_url())}
    if args.no_postgres:
        print("(c) PostgreSQL: skipped (--no-postgres)")
    else:
        benches.update(postgres_benches())
    bare_cpu = []

    def bare_timed() -> None:
        cpu0 = time.process_time()
        bare_cases(bare_n)
        bare_cpu.append((time.process_time() - cpu0) / bare_n)

    runs = {"bare": (bare_timed, bare_n)}
    for name, b in benches.items():
        runs[name] = (lambda b=b: b.run(n), n)
    runs["sqlite_claims"] = (lambda: benches["sqlite"].run(n, claim=True), n)
    floor = CommitFloor(benches["postgres"].ctx) if "postgres" in benches else None
    if floor is not None:
        runs["commit_floor"] = (lambda: floor.run(n), n)
    times = interleaved(runs, repeats)
    if floor is not None:
        floor.close()
    for b in benches.values():
        b.close()
    med = {name: statistics.median(v) for name, v in times.items()}
    ratio = {name: statistics.median(s / b for s, b in zip(times[name], times["bare"])) for name in times}
    print(f"(a) bare SpiffWorkflow, in memory : {med['bare'] * 1e3:8.3f} ms per case "
          f"({bare_n} cases x {repeats} rounds)")
    print(f"(b) service layer, SQLite         : {med['sqlite'] * 1e3:8.3f} ms per case  = {ratio['sqlite']:.2f} x bare "
          f"(start + 5 completes: 6 transactions with state, projection, audit)")
    print(f"    ... with a claim before each  : {med['sqlite_claims'] * 1e3:8.3f} ms per case  = "
          f"{ratio['sqlite_claims']:.2f} x bare (11 transactions)")
    pg_results = report_postgres(benches["postgres"], med, ratio, statistics.median(bare_cpu)) \
        if "postgres" in med else []
    step5, step30, step_ratio, stock_ratio = chain_figures(repeats, chain_n)
    print(f"per step (claim + complete), SQLite: 5-task chain {step5 * 1e3:.3f} ms, "
          f"30-task chain {step30 * 1e3:.3f} ms ({stock_ratio:.2f} x that with the stock serializer)")

    result("linear5.bare.ms_per_case", med["bare"] * 1e3)
    result("linear5.sqlite.ms_per_case", med["sqlite"] * 1e3)
    result("linear5.sqlite.service_over_bare", ratio["sqlite"])
    result("linear5.sqlite_with_claims.ms_per_case", med["sqlite_claims"] * 1e3)
    result("linear5.sqlite_with_claims.service_over_bare", ratio["sqlite_claims"])
    for name, value in pg_results:
        result(name, value)
    result("chain5.sqlite.ms_per_step", step5 * 1e3)
    result("chain30.sqlite.ms_per_step", step30 * 1e3)
    result("chain.step_cost_30_over_5", step_ratio)
    result("chain30.stock_serializer_over_state_writer", stock_ratio)


if __name__ == "__main__":
    main()
