#!/usr/bin/env python3
"""好差评 figures on PostgreSQL with a large rating table.

One district of 1 + 5 parks + 50 townships + 500 villages (bench/bench_supervision.py's tree),
1,000,000 ratings (--quick: 100,000, and it says so) over three years bulk-loaded with
generate_series into a database of its own, created and dropped by this script: about 70 %
online (an eighth of those the default 满意), 3 % 差评 each with its ledger row (half fixed, a
third of the real-name ones revisited), 0.2 % voided and 0.5 % re-ratings beside them.
What is timed is one district's monthly figures: the figures of the last full month, by unit,
for the whole district (engine/services/ratings/figures.py → the repository's one GROUP BY).
Prints the median and p95 of repeated runs; the same month by tier and twelve months by month
are printed for reference.

usage: python bench/bench_ratings.py [--quick] [--rows N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from bench.bench_dashboard import server_url  # noqa: E402
from bench.bench_supervision import build_tree  # noqa: E402
from bench.common import postgres_available, result  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.domain import deadlines as dl  # noqa: E402
from engine.domain.actor import Actor  # noqa: E402
from engine.services import ratings  # noqa: E402
from engine.services.context import Context  # noqa: E402
from engine.store.schema import upgrade  # noqa: E402

DATABASE = "lianban_bench_ratings"


def recreate(drop_only: bool = False) -> str:
    from sqlalchemy import create_engine
    admin = create_engine(server_url().set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        if not drop_only:
            conn.execute(text(f"CREATE DATABASE {DATABASE}"))
    admin.dispose()
    return server_url().set(database=DATABASE).render_as_string(hide_password=False)


def fill(ctx, rows: int, window: int, villages: list[int], now) -> None:
    """`rows` ratings spread over the villages and three years, and the ledger rows of the 差评,
    generated in SQL (cases are not needed: the figures read the rating table alone)."""
    with ctx.uow.begin() as tx:
        tx.conn.execute(text("""
            INSERT INTO rating (item_code, window_id, org_unit_id, channel, level, indicators, source,
                                scheme_version, rater_account_id, created_at, voided_at, parent_id)
            SELECT 'ITEM' || (g % 40), :win, (:villages)[1 + (g::bigint * 7919) % :nv],
                   CASE WHEN g % 10 < 7 THEN 'online' ELSE 'on_site' END,
                   CASE WHEN g % 100 < 3 THEN 1 + g % 2 WHEN g % 100 < 10 THEN 3 WHEN g % 100 < 50 THEN 4 ELSE 5 END,
                   '{}'::jsonb,
                   CASE WHEN g % 10 < 7 AND g % 8 = 5 AND g % 100 >= 50 THEN 'default' ELSE 'active' END, 1,
                   NULL, CAST(:now AS timestamptz) - (g % 1095) * interval '1 day' - (g % 86400) * interval '1 second',
                   CASE WHEN g % 500 = 1 THEN CAST(:now AS timestamptz) END, NULL
            FROM generate_series(1, :rows) AS g
        """), {"win": window, "villages": villages, "nv": len(villages), "rows": rows, "now": now})
        # re-ratings of a fix (beside their 差评, in no figure)
        tx.conn.execute(text("""
            INSERT INTO rating (item_code, window_id, org_unit_id, channel, level, indicators, source,
                                scheme_version, created_at, parent_id)
            SELECT item_code, window_id, org_unit_id, channel, 4, '{}'::jsonb, 'active', 1, created_at, id
            FROM rating WHERE level <= 2 AND id % 6 = 0
        """))
        tx.conn.execute(text("""
            INSERT INTO rectification (rating_id, org_unit_id, status, created_at, revisited_at)
            SELECT id, org_unit_id, CASE WHEN id % 2 = 0 THEN 'fixed' WHEN id % 5 = 1 THEN 'explained'
                                         ELSE 'verifying' END,
                   created_at, CASE WHEN id % 3 = 0 THEN created_at END
            FROM rating WHERE level <= 2 AND parent_id IS NULL
        """))
    with ctx.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE rating"))          # what autovacuum does soon after a bulk load
        conn.execute(text("VACUUM ANALYZE rectification"))


def timed(call, rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        call()
        samples.append((time.perf_counter() - t0) * 1e3)
    samples.sort()
    return statistics.median(samples), samples[max(0, int(len(samples) * 0.95) - 1)]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--rows", type=int, default=None)
    ap.add_argument("--rounds", type=int, default=None)
    args = ap.parse_args()
    if not postgres_available():
        print("PostgreSQL not reachable: ratings benchmark skipped")
        return
    rows = args.rows or (100_000 if args.quick else 1_000_000)
    rounds = args.rounds or (10 if args.quick else 30)
    ctx = Context.create(Settings(database_url=recreate()))
    try:
        upgrade(ctx.engine)
        window, villages, _township = build_tree(ctx)
        with ctx.uow.read() as tx:
            district = tx.conn.execute(text("SELECT id FROM org_unit WHERE parent_id IS NULL")).scalar_one()
        now = ctx.clock.now()
        t0 = time.perf_counter()
        fill(ctx, rows, window, villages, now)
        print(f"generated {rows:,} ratings in {time.perf_counter() - t0:.1f} s"
              + (" (--quick: fewer rows than the 1,000,000 target)" if rows < 1_000_000 else ""))
        today = dl.local_date(now)
        last_day = today.replace(day=1) - timedelta(days=1)
        first_day = last_day.replace(day=1)
        admin = Actor.system("bench")

        def month_by_unit():
            return ratings.figures(ctx, admin, "unit", district, first_day, last_day)
        month_by_unit()                                             # warm the caches (organisation, plans)
        median, p95 = timed(month_by_unit, rounds)
        by_unit = month_by_unit()["rows"]
        total = sum(r["total"] for r in by_unit)
        tier_median, _ = timed(lambda: ratings.figures(ctx, admin, "tier", district, first_day, last_day), rounds)
        year_since = date(last_day.year - 1, last_day.month, 1) + timedelta(days=32)
        year_median, _ = timed(lambda: ratings.figures(ctx, admin, "month", district, year_since.replace(day=1),
                                                       last_day), max(3, rounds // 3))
        print(f"district of {len(villages) + 56} units, {first_day:%Y-%m}: {total:,} ratings in {len(by_unit)} units; "
              f"figures by unit median {median:.1f} ms, p95 {p95:.1f} ms; by tier median {tier_median:.1f} ms; "
              f"twelve months by month median {year_median:.1f} ms")
        result("ratings.rows", rows)
        result("ratings.figures_ms", median)
        result("ratings.figures_p95_ms", p95)
        result("ratings.figures_by_tier_ms", tier_median)
        result("ratings.figures_year_by_month_ms", year_median)
    finally:
        ctx.dispose()
        recreate(drop_only=True)


if __name__ == "__main__":
    main()
