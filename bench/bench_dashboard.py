#!/usr/bin/env python3
"""The supervisor dashboard's queries on PostgreSQL with a large case table.

One district of 1 + 5 parks + 50 townships + 500 villages, 1,000,000 cases (--quick: 100,000,
and it says so) bulk-loaded with generate_series into a database of its own, created and dropped
by this script: about 8 % running (5 % of those yellow, 5 % red) each with one open step, the
rest completed over the last three years (about 70 % by the promise, 90 % by the legal limit).
What a supervisor's dashboard asks for on opening, for the district, is timed as one:
summary (counts by tier) + the first drill-down level + the on-time rate per month over twelve
months (engine/services/supervision/dashboard.py). Prints the first opening (every month counted)
and the median and p95 of the openings after it (what the page's 20-second poll costs: the
figures of months already over are kept, only the running month is counted again).
--without-indexes drops migration 0012's indexes first: the figure before them.

usage: python bench/bench_dashboard.py [--quick] [--rows N]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench.bench_supervision import build_tree  # noqa: E402
from bench.common import PG_URL, deploy_item, postgres_available, result, routed  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.domain import deadlines as dl  # noqa: E402
from engine.domain.actor import Actor  # noqa: E402
from engine.services import supervision  # noqa: E402
from engine.services.context import Context  # noqa: E402
from engine.store.schema import upgrade  # noqa: E402

HERE = Path(__file__).resolve().parent
DATABASE = "lianban_bench_dashboard"


def server_url():
    """The PostgreSQL server of the benchmarks (LIANBAN_BENCH_POSTGRES_URL), without its schema option."""
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


def fill(ctx, rows: int, window: int, villages: list[int], now) -> None:
    """`rows` cases and the open steps of the running ones, generated in SQL (no workflow state:
    the dashboard never reads it)."""
    with ctx.uow.begin() as tx:
        item_id = tx.conn.execute(text("SELECT id FROM item_implementation LIMIT 1")).scalar_one()
        def_id = tx.conn.execute(text("SELECT id FROM process_definition LIMIT 1")).scalar_one()
        tx.conn.execute(text("SELECT setseed(0.42)"))
        tx.conn.execute(text("""
            INSERT INTO "case" (number, item_id, definition_id, origin_window_id, origin_org_unit_id, channel,
                applicant, applicant_name, status, state, version, audit_seq, audit_head, created_at, updated_at,
                created_by, clock_status, accepted_at, deemed_accepted, convention, legal_unit, promise_unit,
                extension_amount, promise_due, legal_due, warning, deadline_provisional, completed_at)
            SELECT 'BENCH-' || g, :item, :def, :win, (:villages)[1 + (g::bigint * 7919) % :nv], 'window',
                '{"name": "x"}'::jsonb, '申请人' || g,
                CASE WHEN g % 25 < 2 THEN 'running' WHEN g % 50 = 2 THEN 'withdrawn' ELSE 'completed' END, '', 1, 1,
                repeat('0', 64), at - interval '20 days', at, 'agent' || (g % 7), 'running', at - interval '20 days',
                false, 'exclude_start', 'workday', 'workday', 0,
                at + CASE WHEN g % 10 < 7 THEN interval '2 days' ELSE interval '-3 days' END,
                at + CASE WHEN g % 10 < 9 THEN interval '5 days' ELSE interval '-1 day' END,
                CASE WHEN g % 25 < 2 AND (g / 25) % 20 = 0 THEN 'red'
                     WHEN g % 25 < 2 AND (g / 25) % 20 = 1 THEN 'yellow' ELSE 'none' END, false,
                CASE WHEN g % 25 >= 2 AND g % 50 <> 2 THEN at END
            FROM (SELECT g, CAST(:now AS timestamptz) - (g % 1095) * interval '1 day'
                            - (g % 86400) * interval '1 second' AS at
                  FROM generate_series(1, :rows) AS g) AS s
        """), {"item": item_id, "def": def_id, "win": window, "villages": villages, "nv": len(villages),
               "rows": rows, "now": now})
        tx.conn.execute(text("""
            INSERT INTO task (id, case_id, spec_id, process_key, name, state, routed_org_unit_id, routed_role,
                              created_at, due_at, warning)
            SELECT 'bench-' || c.id, c.id, 'review', 'linear5', '审核', 'open', c.origin_org_unit_id, 'reviewer',
                   c.created_at, c.promise_due, c.warning
            FROM "case" c WHERE c.status = 'running'
        """))
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        # what autovacuum does soon after a bulk load: statistics, and the visibility map that
        # lets the partial indexes of migration 0012 answer without reading the table
        conn.execute(text('VACUUM ANALYZE "case"'))
        conn.execute(text("VACUUM ANALYZE task"))


DASHBOARD_INDEXES = ("ix_case_running_unit", "ix_case_completed_at", "ix_task_open_unit")      # migration 0012


def drop_dashboard_indexes(ctx) -> None:
    with ctx.engine.begin() as conn:
        for name in DASHBOARD_INDEXES:
            conn.execute(text(f"DROP INDEX {name}"))


def dashboard(ctx, actor, district: int, since: date, until: date) -> None:
    supervision.summary(ctx, actor, district)
    supervision.drill(ctx, actor, district)
    supervision.on_time_series(ctx, actor, district, since, until)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    ap.add_argument("--without-indexes", action="store_true",
                    help="drop migration 0012's indexes first (the figure before them)")
    args = ap.parse_args()
    if not postgres_available():
        print("PostgreSQL not reachable: dashboard benchmark skipped")
        return
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    ctx = Context.create(Settings(database_url=recreate()))
    try:
        upgrade(ctx.engine)
        deploy_item(ctx, "BENCH", "linear5.bpmn", routed((HERE / "linear5.bpmn").read_bytes(), "township:reviewer"),
                    "linear5")
        window, villages, _township = build_tree(ctx)
        with ctx.uow.read() as tx:
            district = tx.conn.execute(text("SELECT id FROM org_unit WHERE parent_id IS NULL")).scalar_one()
        now = ctx.clock.now()
        t0 = time.perf_counter()
        fill(ctx, rows, window, villages, now)
        print(f"generated {rows:,} cases in {time.perf_counter() - t0:.1f} s"
              + (" (--quick: fewer rows than the 1,000,000 target)" if rows < 1_000_000 else ""))
        if args.without_indexes:
            drop_dashboard_indexes(ctx)
            print("without migration 0012's indexes")
        today = dl.local_date(now)
        since = date(today.year - (today.month < 12), today.month % 12 + 1, 1)       # twelve months to today
        admin = Actor.system("bench")
        t0 = time.perf_counter()
        dashboard(ctx, admin, district, since, today)            # the first opening: every month queried
        first = (time.perf_counter() - t0) * 1e3
        samples = []
        for _ in range(args.rounds or (10 if args.quick else 30)):
            t0 = time.perf_counter()
            dashboard(ctx, admin, district, since, today)
            samples.append((time.perf_counter() - t0) * 1e3)
        samples.sort()
        median, p95 = statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]
        s = supervision.summary(ctx, admin, district)
        series = supervision.on_time_series(ctx, admin, district, since, today)
        print(f"district of {len(villages) + 56} units: {s['cases']['open']:,} open cases "
              f"({s['cases']['red']:,} red), {sum(p['completed'] for p in series):,} completed in 12 months; "
              f"summary + first drill-down level + on-time series: first opening {first:.1f} ms; "
              f"then (closed months kept) median {median:.1f} ms, p95 {p95:.1f} ms")
        result("dashboard.rows", rows)
        suffix = "_without_indexes" if args.without_indexes else ""
        result(f"supervision.dashboard{suffix}_ms", median)
        result(f"supervision.dashboard{suffix}_first_ms", first)
        result(f"supervision.dashboard{suffix}_p95_ms", p95)
    finally:
        ctx.dispose()
        recreate(drop_only=True)


if __name__ == "__main__":
    main()
