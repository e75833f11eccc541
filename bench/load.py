#!/usr/bin/env python3
"""Load over real HTTP: N clients against `lianban serve` servers and `lianban worker` timer
workers on a PostgreSQL database of the run's own (created and dropped by this script).

Each client is one clerk on a keep-alive connection driving linear5 cases (bench/linear5.bpmn)
to the end: start, then claim + complete of each of the five steps (11 requests a case), for
`--seconds` after a warm-up (or until `--max-cases` each). The same database then runs the same
commands through the service layer in this one process, no HTTP, before and after the load: the
bound the cluster is compared with (`load.over_service_bound` = cluster cases/s over that bound,
the better of the two measurements; target >= 0.5 with 16 clients, 2 servers, 2 workers).

usage: python bench/load.py [--quick] [--clients 16] [--servers 2] [--workers-per-server 1]
                            [--threads N] [--timer-workers 2] [--seconds S] [--max-cases N]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from api import gunicorn_conf  # noqa: E402
from bench.common import result  # noqa: E402
from bench.http_cluster import Cluster, OwnDatabase, prepare, run_clients, server_url, service_bound  # noqa: E402
from engine.store.db import reachable  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="10 s of load instead of 40, a smaller bound sample")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--servers", type=int, default=2, help="`lianban serve` processes (clients spread over them)")
    ap.add_argument("--workers-per-server", type=int, default=1, help="gunicorn workers of each serve")
    ap.add_argument("--threads", type=int, default=gunicorn_conf.THREADS)
    ap.add_argument("--timer-workers", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=None)
    ap.add_argument("--max-cases", type=int, default=None, help="per client (default: bounded by time only)")
    ap.add_argument("--bound-cases", type=int, default=None, help="cases of each service-layer measurement")
    args = ap.parse_args()
    seconds = args.seconds or (10 if args.quick else 40)
    bound_cases = args.bound_cases or (20 if args.quick else 60)
    server = server_url()
    if not reachable(server.set(database="postgres").render_as_string(hide_password=False)):
        print("PostgreSQL not reachable: load benchmark skipped")
        return
    db = OwnDatabase(server, "lianban_bench_load")
    cluster = None
    try:
        window = prepare(db.url)
        bound_before = service_bound(db.url, bound_cases)
        log_dir = Path(tempfile.mkdtemp(prefix="lianban-load-"))
        cluster = Cluster(db.url, args.servers, args.workers_per_server, args.threads, args.timer_workers, log_dir)
        tally, elapsed, done = run_clients(cluster.ports, window, args.clients, seconds,
                                           args.max_cases or 10**9, timer_share=0.0)
        cluster.stop()
        cluster = None
        bound_after = service_bound(db.url, bound_cases)
    finally:
        if cluster is not None:
            cluster.stop()
        db.drop()
    bound = max(bound_before, bound_after)
    rate = done / elapsed
    failures = sum(tally.status.values()) + tally.connection_errors
    print(f"{args.clients} clients over HTTP, {args.servers} x lianban serve ({args.workers_per_server} gthread "
          f"worker(s) x {args.threads} threads), {args.timer_workers} timer workers, PostgreSQL, "
          f"{os.cpu_count()} cores: {done} linear5 cases in {elapsed:.1f} s = {rate:.1f} cases/s "
          f"({tally.requests} requests, {failures} failed and retried)")
    print(f"service layer in one process, same database (before / after the load): {bound_before:.1f} / "
          f"{bound_after:.1f} cases/s; the cluster = {rate / bound:.2f} x the better")
    result("load.clients", args.clients)
    result("load.cases_per_s", rate)
    result("load.service_bound_cases_per_s", bound)
    result("load.over_service_bound", rate / bound)
    result("load.retried_requests", failures)


if __name__ == "__main__":
    main()
