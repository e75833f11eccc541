#!/usr/bin/env python3
"""Memory of one API process over many cases (issue 15: a worker grew from 110 to 176 MB over
3,400 cases without levelling off).

Drives linear five-user-task cases end to end through the HTTP app in this one process (Flask
test client, SQLite: start, then five times {inbox, claim, complete}, as bench/bench_http.py)
and reads the process's resident set size (VmRSS) after the first N1 cases and after N2:

    RESULT memory.rss_1k_mb, memory.rss_10k_mb, memory.growth_1k_to_10k (ratio; target <= 1.10)

--quick runs 300 and 1,500 cases and names its lines memory.*_quick. --trace also prints the
source lines whose Python allocations grew most between the two points (tracemalloc; slower).

usage: python bench/bench_memory.py [--quick] [--trace] [--first N1] [--last N2]
"""
from __future__ import annotations

import argparse
import gc
import sys
import time
from datetime import datetime, timedelta, timezone
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_http import PASSWORD, HttpBench  # noqa: E402
from bench.common import result  # noqa: E402


class DayShiftedClock:
    """The system clock moved forward by whole days: a case number's daily serial has four digits
    (9,999 cases of one item a day, docs/lifecycle.md), so a run of 10,000 cases moves to the next
    day between its chunks."""

    def __init__(self):
        self.days = 0

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + timedelta(days=self.days)


def rss_mb() -> float:
    """The process's resident set size now (not its peak), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def settled_rss() -> float:
    gc.collect()
    return rss_mb()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--first", type=int)
    parser.add_argument("--last", type=int)
    args = parser.parse_args()
    first = args.first or (300 if args.quick else 1_000)
    last = args.last or (1_500 if args.quick else 10_000)
    suffix = "_quick" if args.quick else ""
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
            token = bench.client.post("/api/v1/auth/login", json={"username": "agent", "password": PASSWORD}).json
            bench.headers = {"Authorization": f"Bearer {token['token']}"}
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
    result(f"memory.rss_{first // 1000 or first}{'k' if first >= 1000 else ''}_mb{suffix}", round(at_first, 1))
    result(f"memory.rss_{last // 1000 or last}{'k' if last >= 1000 else ''}_mb{suffix}", round(at_last, 1))
    result(f"memory.growth_1k_to_10k{suffix}", round(at_last / at_first, 3))


if __name__ == "__main__":
    main()
