#!/usr/bin/env python3
"""Time-limit benchmarks.

1. Deadline arithmetic: microseconds per `deadline()` call for limits of 5..400 working days
   (precomputed working-day ordinals make it O(log n); a day-by-day loop is O(n)).
2. Supervision: the overdue (red) cases of one township subtree, on PostgreSQL, with N cases in
   the table (1,000,000 by default; --quick uses 100,000 and says so). Cases are generated in
   SQL across a four-tier tree of 1 district, 5 parks, 50 townships and 500 villages; about 5 %
   are red, 5 % yellow. Prints the p50/p95 of the query and its plan's top node.

usage: python bench/bench_supervision.py [--quick] [--rows N]
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench.common import PG_URL, deploy_item, drop_all, fresh_context, postgres_available, result, routed  # noqa: E402
from engine.domain import deadlines as dl  # noqa: E402
from engine.domain.actor import Actor  # noqa: E402
from engine.domain.calendar import DayRule, WorkCalendar  # noqa: E402
from engine.services import supervision  # noqa: E402
from engine.services.accounts import org

HERE = Path(__file__).resolve().parent


def deadline_bench(calls: int) -> float:
    from chinese_calendar import constants
    rules = ([DayRule(d, False, n) for d, n in constants.holidays.items()]
             + [DayRule(d, True, n) for d, n in constants.workdays.items()])
    cal = WorkCalendar(rules, range(2004, 2027))
    rng = random.Random(7)
    args = [(date(2010, 1, 1) + timedelta(days=rng.randrange(6000)), dl.Limit(rng.choice((5, 20, 45, 120, 400))))
            for _ in range(calls)]
    t0 = time.perf_counter()
    for start, limit in args:
        dl.deadline(cal, start, limit)
    return (time.perf_counter() - t0) / calls * 1e6


def build_tree(ctx, prefix: str = "") -> tuple[int, list[int], int]:
    """Returns (window id, village unit ids, one township id); `prefix` keeps codes unique."""
    villages, townships = [], []
    with ctx.uow.begin() as conn:
        district = org.add_unit(conn, f"{prefix}D", "新区", "district", None)
        hall = org.add_hall(conn, district, f"{prefix}D-H", "政务服务中心", "service_center")
        window = org.add_window(conn, hall, f"{prefix}D-W", "综合受理窗口", "comprehensive")
        for p in range(5):
            park = org.add_unit(conn, f"{prefix}P{p}", f"园区{p}", "park", district)
            for tw in range(10):
                town = org.add_unit(conn, f"{prefix}P{p}T{tw}", f"乡镇{p}-{tw}", "township", park)
                townships.append(town)
                for v in range(10):
                    villages.append(org.add_unit(conn, f"{prefix}P{p}T{tw}V{v}", f"村{p}-{tw}-{v}", "village", town))
    org.invalidate(ctx)
    return window, villages, townships[17]


def fill_cases(ctx, rows: int, window: int, villages: list[int]) -> None:
    """Generate `rows` cases in SQL (no workflow state needed for supervision queries)."""
    with ctx.uow.begin() as conn:
        item_id = conn.conn.execute(text("SELECT id FROM item_implementation LIMIT 1")).scalar_one()
        def_id = conn.conn.execute(text("SELECT id FROM process_definition LIMIT 1")).scalar_one()
        conn.conn.execute(text("SELECT setseed(0.42)"))
        conn.conn.execute(text("""
            INSERT INTO "case" (number, item_id, definition_id, origin_window_id, origin_org_unit_id, channel,
                applicant, applicant_name, status, stage, state, version, audit_seq, audit_head, created_at,
                updated_at, clock_status, accepted_at, deemed_accepted, convention, legal_unit, promise_unit,
                extension_amount, promise_due, legal_due, warning, deadline_provisional, completed_at)
            SELECT 'BENCH-' || g, :item, :def, :win, (:villages)[1 + floor(random() * :nv)::int], 'window',
                '{"name": "x"}'::jsonb, '申请人' || g,
                CASE WHEN g % 10 < 6 THEN 'completed' ELSE 'running' END, NULL, '', 1, 1, repeat('0', 64),
                now() - (g % 400) * interval '1 day', now(), 'running', now() - (g % 400) * interval '1 day',
                false, 'exclude_start', 'workday', 'workday', 0,
                now() + ((g % 40) - 5) * interval '1 day', now() + ((g % 40) + 10) * interval '1 day',
                CASE WHEN g % 20 = 7 THEN 'red' WHEN g % 20 = 8 THEN 'yellow' ELSE 'none' END, false,
                CASE WHEN g % 10 < 6 THEN now() - (g % 300) * interval '1 day' END
            FROM generate_series(1, :rows) AS g
        """), {"item": item_id, "def": def_id, "win": window, "villages": villages, "nv": len(villages),
               "rows": rows})
    with ctx.engine.connect() as conn:
        conn.execute(text('ANALYZE "case"'))
        conn.commit()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    args = ap.parse_args()
    us = deadline_bench(20_000 if args.quick else 200_000)
    print(f"deadline(): {us:.2f} us per call (limits 5..400 working days)")
    result("deadline.us_per_call", us)
    if not postgres_available():
        print("PostgreSQL not reachable: supervision benchmark skipped")
        return
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    ctx = fresh_context(PG_URL)
    try:
        deploy_item(ctx, "BENCH", "linear5.bpmn", routed((HERE / "linear5.bpmn").read_bytes(), "township:reviewer"),
                    "linear5")
        window, villages, township = build_tree(ctx)
        t0 = time.perf_counter()
        fill_cases(ctx, rows, window, villages)
        print(f"generated {rows:,} cases in {time.perf_counter() - t0:.1f} s"
              + (" (--quick: fewer rows than the 1,000,000 target)" if rows < 1_000_000 else ""))
        admin = Actor.system("bench")
        supervision.cases(ctx, admin, township, level="red", limit=100)       # warm the org directory
        samples = []
        for _ in range(30 if args.quick else 100):
            t0 = time.perf_counter()
            found = supervision.cases(ctx, admin, township, level="red", limit=100)
            samples.append((time.perf_counter() - t0) * 1e3)
        samples.sort()
        p50, p95 = statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
        with ctx.engine.connect() as conn:
            units = supervision.subtree(ctx, conn, township)
            plan = conn.execute(text(
                'EXPLAIN SELECT id FROM "case" WHERE status = \'running\' AND warning = \'red\' '
                'AND origin_org_unit_id = ANY(:u) ORDER BY id LIMIT 100'), {"u": units}).scalars().all()
        last_step = plan[-1].strip() if len(plan) > 1 else ''
        print(f"overdue cases of one township ({len(found)} returned, subtree of {len(units)} units): "
              f"p50 {p50:.2f} ms, p95 {p95:.2f} ms; plan: {plan[0].strip()} / {last_step}")
        result("supervision.rows", rows)
        result("supervision.overdue_township.ms", p95)
        result("supervision.overdue_township.p50_ms", p50)
    finally:
        drop_all(ctx)


if __name__ == "__main__":
    main()
