#!/usr/bin/env python3
"""HTTP benchmarks.

1. End to end over HTTP (Flask test client, in process, SQLite): start a linear five-user-task
   case, then five times {inbox query, claim, complete}; per-case time and its ratio to bare
   SpiffWorkflow running the same model in memory, measured interleaved in this run; and the
   same 16 requests against a bare Flask app whose routes do nothing (what Flask and the test
   client cost before any Lianban code runs).
2. The inbox query of one window on PostgreSQL with many open tasks in the table (1,000,000 by
   default; --quick uses 200,000 and says so): p95 through the service layer, at 10,000 and at
   the full size, and the growth ratio between the two.

usage: python bench/bench_http.py [--quick] [--cases N] [--rows N]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import text  # noqa: E402

from api import create_app  # noqa: E402
from bench.bench_engine import LINEAR5, bare_cases, interleaved  # noqa: E402
from bench.common import (  # noqa: E402
    PG_URL,
    deploy_item,
    drop_all,
    fresh_context,
    postgres_available,
    result,
    routed,
    setup_org,
    sqlite_url,
)
from engine.services import tasks  # noqa: E402
from engine.services.accounts import auth

PASSWORD = "bench-password"


def flask_floor(n: int) -> None:
    """The same 16 requests (shapes, headers, JSON bodies) against a bare Flask app whose routes
    do nothing: what Flask and werkzeug's test client cost before any Lianban code runs."""
    c, h = _FLOOR_CLIENT, {"Authorization": "Bearer x"}
    for _ in range(n):
        c.post("/api/v1/cases", headers=h, json={"item_code": "LINEAR5", "window_id": 1,
                                                 "applicant": {"name": "张三"}, "form": {"n": 1}})
        for _ in range(5):
            c.get("/api/v1/tasks?limit=1", headers=h)
            c.post("/api/v1/tasks/t/claim", headers=h)
            c.post("/api/v1/tasks/t/complete", headers=h, json={"data": {"ok": True}})


def _floor_app():
    from flask import Flask
    app = Flask("floor")
    app.add_url_rule("/api/v1/cases", "start", lambda: ({"id": 1}, 201), methods=["POST"])
    app.add_url_rule("/api/v1/tasks", "inbox", lambda: [{"id": "t"}])
    app.add_url_rule("/api/v1/tasks/<task_id>/claim", "claim", lambda task_id: {"id": task_id}, methods=["POST"])
    app.add_url_rule("/api/v1/tasks/<task_id>/complete", "complete", lambda task_id: {"id": task_id},
                     methods=["POST"])
    return app.test_client()


_FLOOR_CLIENT = _floor_app()


class HttpBench:
    def __init__(self):
        self.ctx = fresh_context(sqlite_url())
        self.window, self.agent = setup_org(self.ctx)
        deploy_item(self.ctx, "LINEAR5", "linear5.bpmn", routed(LINEAR5), "linear5")
        auth.set_password(self.ctx, "agent", PASSWORD)
        self.client = create_app(context=self.ctx).test_client()
        self.log_in()
        self.run(1)

    def log_in(self) -> None:
        token = self.client.post("/api/v1/auth/login", json={"username": "agent", "password": PASSWORD}).json["token"]
        self.headers = {"Authorization": f"Bearer {token}"}

    def case(self) -> None:
        c, h = self.client, self.headers
        r = c.post("/api/v1/cases", headers=h, json={"item_code": "LINEAR5", "window_id": self.window,
                                                     "applicant": {"name": "张三"}, "form": {"n": 1}})
        assert r.status_code == 201, r.json
        for _ in range(5):
            inbox = c.get("/api/v1/tasks?limit=1", headers=h).json
            task = inbox[0]["id"]
            assert c.post(f"/api/v1/tasks/{task}/claim", headers=h).status_code == 200
            assert c.post(f"/api/v1/tasks/{task}/complete", headers=h, json={"data": {"ok": True}}).status_code == 200

    def run(self, n: int) -> None:
        for _ in range(n):
            self.case()

    def close(self) -> None:
        drop_all(self.ctx)


def fill_tasks(ctx, rows: int, units: list[int], case_rows: int) -> None:
    with ctx.uow.begin() as conn:
        item_id = conn.conn.execute(text("SELECT id FROM item_implementation LIMIT 1")).scalar_one()
        def_id = conn.conn.execute(text("SELECT id FROM process_definition LIMIT 1")).scalar_one()
        window = conn.conn.execute(text('SELECT id FROM "window" LIMIT 1')).scalar_one()
        conn.conn.execute(text("SELECT setseed(0.7)"))
        conn.conn.execute(text("""
            INSERT INTO "case" (number, item_id, definition_id, origin_window_id, origin_org_unit_id, channel,
                applicant, applicant_name, status, state, version, audit_seq, audit_head, created_at, updated_at,
                clock_status, deemed_accepted, convention, legal_unit, promise_unit, extension_amount, warning,
                deadline_provisional)
            SELECT 'T-' || g, :item, :def, :win, (:units)[1], 'window', '{"name": "x"}'::jsonb, 'x', 'running', '',
                1, 0, repeat('0', 64), now(), now(), 'running', false, 'exclude_start', 'workday', 'workday', 0,
                'none', false
            FROM generate_series(1, :cases) AS g"""), {"item": item_id, "def": def_id, "win": window, "units": units,
                                                       "cases": case_rows})
        first_case = conn.conn.execute(text('SELECT min(id) FROM "case"')).scalar_one()
        conn.conn.execute(text("""
            INSERT INTO task (id, case_id, spec_id, process_key, name, state, candidate_groups, routed_org_unit_id,
                routed_role, created_at, warning)
            SELECT md5(g::text), :first + (g % :cases), 'ut1', 'linear5', 'Step', 'open', 'village:agent',
                (:units)[1 + floor(random() * :nu)::int],
                (ARRAY['agent','receiver','reviewer','approver','issuer'])[1 + floor(random() * 5)::int],
                now() - (g % 100000) * interval '1 minute', 'none'
            FROM generate_series(1, :rows) AS g"""), {"first": first_case, "cases": case_rows, "units": units,
                                                      "nu": len(units), "rows": rows})
    with ctx.engine.connect() as conn:
        conn.execute(text("ANALYZE task"))
        conn.commit()


def inbox_p95(ctx, agent, samples: int) -> float:
    times = []
    for _ in range(samples):
        t0 = time.perf_counter()
        tasks.inbox(ctx, agent, limit=50)
        times.append((time.perf_counter() - t0) * 1e3)
    times.sort()
    return times[max(0, int(len(times) * 0.95) - 1)]


def inbox_bench(rows: int, samples: int) -> tuple[float, float]:
    """p95 of one window's inbox at 10,000 and at `rows` open tasks."""
    out = []
    for size in (10_000, rows):
        ctx = fresh_context(PG_URL)
        try:
            window, agent = setup_org(ctx)
            deploy_item(ctx, "LINEAR5", "linear5.bpmn", routed(LINEAR5), "linear5")
            # 500 more villages so that one window sees a realistic share of the table
            from bench.bench_supervision import build_tree
            _, villages, _ = build_tree(ctx, prefix="X")
            with ctx.uow.read() as conn:
                own_unit = conn.conn.execute(text('SELECT org_unit_id FROM "window" WHERE id = :w'),
                                             {"w": window}).scalar_one()
            fill_tasks(ctx, size, [own_unit] + villages, max(1000, size // 100))
            tasks.inbox(ctx, agent)
            out.append(inbox_p95(ctx, agent, samples))
        finally:
            drop_all(ctx)
    return out[0], out[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--cases", type=int, default=None)
    ap.add_argument("--rows", type=int, default=None)
    args = ap.parse_args()
    n = args.cases or (20 if args.quick else 150)
    rounds = 5 if args.quick else 9
    bench = HttpBench()
    times = interleaved({"bare": (lambda: bare_cases(n * 5), n * 5), "http": (lambda: bench.run(n), n),
                         "floor": (lambda: flask_floor(n), n)}, rounds)
    bench.close()
    http_ms = statistics.median(times["http"]) * 1e3
    ratio = statistics.median(h / b for h, b in zip(times["http"], times["bare"]))
    floor_ms = statistics.median(times["floor"]) * 1e3
    print(f"linear5 over HTTP (start + 5 x inbox/claim/complete, SQLite): {http_ms:.2f} ms per case "
          f"= {ratio:.1f} x bare SpiffWorkflow ({statistics.median(times['bare']) * 1e3:.3f} ms)")
    print(f"  of which Flask + the test client alone (the same 16 requests to routes that do nothing): "
          f"{floor_ms:.2f} ms")
    result("linear5.http.ms_per_case", http_ms)
    result("linear5.http_over_bare", ratio)
    result("linear5.http.flask_floor_ms_per_case", floor_ms)
    if not postgres_available():
        print("PostgreSQL not reachable: inbox benchmark skipped")
        return
    rows = args.rows or (200_000 if args.quick else 1_000_000)
    small, large = inbox_bench(rows, 30 if args.quick else 100)
    print(f"inbox of one window on PostgreSQL: p95 {small:.2f} ms at 10,000 open tasks, {large:.2f} ms at {rows:,}"
          + (" (--quick: fewer rows than the 1,000,000 target)" if rows < 1_000_000 else ""))
    result("inbox.rows", rows)
    result("inbox.p95_ms", large)
    result("inbox.growth_ratio", large / small)


if __name__ == "__main__":
    main()
