#!/usr/bin/env python3
"""The heatmap of a process version on a realistic history, on PostgreSQL (docs/diagrams.md).

Generates N cases (200,000 by default; --quick 20,000) with five steps each over one year, half
of them on the food licence's version and half on another version, ~5 % of the steps still open,
due five days after they arrived and completed 0–10 days after; then times
engine.services.diagrams.heatmap (the GROUP BY in SQL plus the working days per group in
Python) and prints the number of groups the database returned.

usage: python bench/bench_heatmap.py [--quick] [--rows N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from demo.loader import load_demo  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.domain.actor import Actor  # noqa: E402
from engine.services import cases, diagrams  # noqa: E402
from engine.services.calendar import seed_from_package  # noqa: E402
from engine.services.context import Context  # noqa: E402
from engine.store.schema import upgrade  # noqa: E402
from tests import run_database  # noqa: E402
from tests.conftest import PG_SERVER_URL, ROOT, staff, window_id  # noqa: E402
from tests.form_samples import sample  # noqa: E402

STEPS = ("proxy_intake", "township_pre_review", "district_accept", "district_decide", "issue_licence")


def columns(conn, table: str) -> list[str]:
    return [r[0] for r in conn.execute(text("SELECT column_name FROM information_schema.columns WHERE table_name = :t "
                                            "ORDER BY ordinal_position"), {"t": table})]


def generate(ctx, n: int) -> int:
    template = cases.start_case(ctx, cases.StartCase("620100-XK-SCJG-0001", window_id(ctx, "ZCZ-QS-W01"),
                                                     {"name": "张三"}, sample("apply_food_licence"), "proxy"),
                                staff(ctx, "zcz_qs_agent")).case_id
    with ctx.uow.begin() as tx:
        conn = tx.conn
        food = conn.execute(text('SELECT definition_id FROM "case" WHERE id = :id'), {"id": template}).scalar_one()
        other = conn.execute(text("SELECT min(id) FROM process_definition WHERE id <> :f"), {"f": food}).scalar_one()
        case_cols = columns(conn, "case")
        over = {"id": "(1000 + g)", "number": "'B' || g", "definition_id": f"CASE WHEN g % 2 = 0 THEN {food} "
                f"ELSE {other} END"}
        conn.execute(text(f'INSERT INTO "case" ({", ".join(case_cols)}) SELECT '
                          + ", ".join(over.get(c, f'c."{c}"') + f' AS "{c}"' for c in case_cols)
                          + f' FROM "case" c, generate_series(1, {n}) g WHERE c.id = {template}'))
        task_cols = columns(conn, "task")
        steps = "ARRAY[" + ", ".join(f"'{s}'" for s in STEPS) + "]"
        created = "(TIMESTAMPTZ '2026-01-01 01:00+00' + (g % 365) * INTERVAL '1 day' + k * INTERVAL '2 day')"
        over = {"id": "md5(g || '-' || k)", "case_id": "(1000 + g)", "spec_id": f"({steps})[k + 1]",
                "state": "CASE WHEN (g + k) % 20 = 0 THEN 'open' ELSE 'completed' END",
                "created_at": created, "due_at": f"{created} + INTERVAL '5 day'",
                "completed_at": f"CASE WHEN (g + k) % 20 = 0 THEN NULL ELSE {created} + ((g * 7 + k) % 11) "
                                "* INTERVAL '1 day' END"}
        conn.execute(text(f"INSERT INTO task ({', '.join(task_cols)}) SELECT "
                          + ", ".join(over.get(c, f't."{c}"') + f' AS "{c}"' for c in task_cols)
                          + f" FROM task t, generate_series(1, {n}) g, generate_series(0, 4) k "
                          f"WHERE t.case_id = {template}"))
    with ctx.engine.begin() as conn:
        conn.execute(text('ANALYZE "case"'))
        conn.execute(text("ANALYZE task"))
    return food


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rows", type=int)
    args = parser.parse_args()
    n = args.rows or (20_000 if args.quick else 200_000)
    url = run_database.create(PG_SERVER_URL)
    ctx = Context.create(Settings(database_url=url))
    try:
        upgrade(ctx.engine)
        seed_from_package(ctx)
        load_demo(ctx, ROOT / "workflows")
        started = time.perf_counter()
        food = generate(ctx, n)
        print(f"generated {n} cases, {5 * n} steps in {time.perf_counter() - started:.1f} s")
        admin = Actor.system("bench")
        times = []
        for _ in range(5):
            started = time.perf_counter()
            result = diagrams.heatmap(ctx, food, admin)
            times.append(time.perf_counter() - started)
        sql = []
        for _ in range(5):
            started = time.perf_counter()
            with ctx.uow.read() as tx:
                groups = len(tx.diagrams.step_groups(food, ctx.clock.now()))
            sql.append(time.perf_counter() - started)
        print(f"the GROUP BY alone: median {statistics.median(sql) * 1000:.0f} ms")
        print(f"heatmap of {result.cases} cases: median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms; {groups} groups from the database")
        for step in result.steps:
            print(f"  {step.element_id:22} {step.completed:7} done  mean {step.mean_days}  median {step.median_days}  "
                  f"overdue {step.overdue}  open {step.open}")
    finally:
        ctx.dispose()
        run_database.drop(PG_SERVER_URL, url)


if __name__ == "__main__":
    main()
