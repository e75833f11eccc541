#!/usr/bin/env python3
"""Memory of one API process over many cases (issue 15: a worker grew from 110 to 176 MB over
3,400 cases without levelling off).

Drives linear five-user-task cases end to end through the HTTP app in this one process (Flask
test client, SQLite: start, then five times {inbox, claim, complete}, as bench/bench_http.py)
and reads the process's resident set size (VmRSS) after the first N1 cases and after N2:

    RESULT memory.rss_1k_mb, memory.rss_10k_mb, memory.growth_1k_to_10k (ratio; target <= 1.10)
    (with other counts the names say them: memory.growth_300_to_1500_quick)

--quick runs 300 and 1,500 cases and names its lines memory.*_quick. --trace also prints the
source lines whose Python allocations grew most between the two points (tracemalloc; slower).

--served measures what an operator runs instead: one `lianban serve` (one gthread worker of 4
threads) on a PostgreSQL database of the run's own, 8 clients driving the cases over real HTTP,
and the gunicorn worker's VmRSS read from /proc (memory.served_*).

usage: python bench/bench_memory.py [--quick] [--trace] [--served] [--first N1] [--last N2]
"""
from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_http import HttpBench  # noqa: E402
from bench.bench_engine import LINEAR5  # noqa: E402
from bench.common import deploy_item, result, routed  # noqa: E402
from bench.http_cluster import Client, Cluster, OwnDatabase, prepare, run_clients, server_url  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.services.context import Context  # noqa: E402


class DayShiftedClock:
    """The system clock moved forward by whole days: a case number's daily serial has four digits
    (9,999 cases of one item a day, docs/lifecycle.md), so a run of 10,000 cases moves to the next
    day between its chunks."""

    def __init__(self):
        self.days = 0

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + timedelta(days=self.days)


def _label(cases: int) -> str:
    """1000 -> "1k", 1500 -> "1500": a RESULT name says the count it measured."""
    return f"{cases // 1000}k" if cases % 1000 == 0 else str(cases)


def rss_mb(pid: str = "self") -> float:
    """The process's resident set size now (not its peak), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS in /proc/{pid}/status")


def settled_rss() -> float:
    gc.collect()
    return rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--first", type=int)
    parser.add_argument("--last", type=int)
    parser.add_argument("--served", action="store_true")
    args = parser.parse_args()
    first = args.first or (300 if args.quick else 1_000)
    last = args.last or (1_500 if args.quick else 10_000)
    suffix = "_quick" if args.quick else ""
    if args.served:
        served(first, last, suffix)
        return
    if args.trace:
        tracemalloc.start(8)
    bench = HttpBench()
    bench.ctx.clock = clock = DayShiftedClock()
    started = time.perf_counter()
    try:
        bench.run(first - 1)                  # HttpBench ran one case already (its warm-up)
        at_first = settled_rss()
        traced = tracemalloc.take_snapshot() if args.trace else None
        print(f"{first} cases: RSS {at_first:.1f} MiB, workflow cache {len(bench.ctx.caches.workflows)} entries "
              f"({bench.ctx.caches.workflows.weight / 2 ** 20:.1f} MiB of state)", flush=True)
        step = max((last - first) // 4, 1)
        done = first
        while done < last:
            n = min(step, last - done)
            clock.days += 1            # (a new day: the token of yesterday has expired)
            bench.log_in()
            bench.run(n)
            done += n
            print(f"{done} cases: RSS {settled_rss():.1f} MiB ({time.perf_counter() - started:.0f} s)", flush=True)
        at_last = settled_rss()
        if traced is not None:
            for stat in tracemalloc.take_snapshot().compare_to(traced, "traceback")[:12]:
                print(f"{stat.size_diff / 1024:+.0f} KiB {stat.count_diff:+d} blocks", flush=True)
                for frame in stat.traceback.format()[-6:]:
                    print("   ", frame, flush=True)
    finally:
        bench.close()
    result(f"memory.rss_{_label(first)}_mb{suffix}", round(at_first, 1))
    result(f"memory.rss_{_label(last)}_mb{suffix}", round(at_last, 1))
    result(f"memory.growth_{_label(first)}_to_{_label(last)}{suffix}", round(at_last / at_first, 3))


SERVED_CLIENTS = 8


class _TwoItems(Client):
    LINEAR_ITEMS = ("LINEAR5", "LINEAR5B")     # 10,000 cases in one day: two daily serials


def served(first: int, last: int, suffix: str) -> None:
    server = server_url()
    db = OwnDatabase(server, "lianban_bench_memory")
    cluster = None
    try:
        window = prepare(db.url)
        ctx = Context.create(Settings(database_url=db.url))
        try:
            deploy_item(ctx, "LINEAR5B", "linear5b.bpmn", routed(LINEAR5), "linear5")
        finally:
            ctx.dispose()
        cluster = Cluster(db.url, servers=1, workers=1, threads=4, timer_workers=0,
                          log_dir=Path(tempfile.mkdtemp(prefix="lianban-memory-")))
        [worker] = cluster.api_worker_pids()
        started = time.perf_counter()

        def drive(cases: int) -> None:
            run_clients(cluster.ports, window, SERVED_CLIENTS, 10 ** 6, cases // SERVED_CLIENTS, timer_share=0.0,
                        warmup_seconds=0.0, client_class=_TwoItems)

        drive(first)
        at_first = rss_mb(str(worker))
        print(f"{first} cases over HTTP: gunicorn worker {worker} RSS {at_first:.1f} MiB", flush=True)
        done, step = first, max((last - first) // 4, SERVED_CLIENTS)
        while done < last:
            n = min(step, last - done)
            drive(n)
            done += n
            print(f"{done} cases: RSS {rss_mb(str(worker)):.1f} MiB ({time.perf_counter() - started:.0f} s)",
                  flush=True)
        at_last = rss_mb(str(worker))
    finally:
        if cluster is not None:
            cluster.stop()
        db.drop()
    result(f"memory.served_rss_{_label(first)}_mb{suffix}", round(at_first, 1))
    result(f"memory.served_rss_{_label(last)}_mb{suffix}", round(at_last, 1))
    result(f"memory.served_growth_{_label(first)}_to_{_label(last)}{suffix}", round(at_last / at_first, 3))


if __name__ == "__main__":
    main()
