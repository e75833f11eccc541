#!/usr/bin/env python3
"""The console in a real browser (Debian's chromium driven by Playwright) against the API on a
real port with the demo data (SQLite) and 40 open cases in the clerk's worklist:

1. console.first_load_kb — the JavaScript a clerk's browser downloads to show the workbench
   after logging in, from an empty cache, gzipped (level 6, what a reverse proxy sends); also the
   CSS (console.first_load_css_kb). Target: ≤ 500 KB of JavaScript.
2. console.inbox_visible_ms — from pressing 登录 to the first row of the worklist on screen, on
   localhost, each run in a fresh browser context (no cache, no cookies); the median. Target ≤ 1 s.

usage: python bench/bench_console.py [--quick] [--runs N]
"""
from __future__ import annotations

import argparse
import gzip
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from werkzeug.serving import make_server  # noqa: E402

from api import create_app  # noqa: E402
from bench.common import result  # noqa: E402
from demo.loader import load_demo  # noqa: E402
from demo.org import DEMO_PASSWORD  # noqa: E402
from engine.config import Settings  # noqa: E402
from engine.services.calendar import seed_from_package  # noqa: E402
from engine.services.context import Context  # noqa: E402
from engine.store.schema import upgrade  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CLERK = "zcz_qs_agent"
WORKLIST_ROW = "[data-test=worklist] .el-table__body tr"          # the first row of the worklist table
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def serve(tmp: Path, cases: int):
    from tests.browser.conftest import start_proxy_case
    ctx = Context.create(Settings(database_url=f"sqlite:///{tmp / 'bench.db'}"))
    upgrade(ctx.engine)
    seed_from_package(ctx)
    load_demo(ctx, ROOT / "workflows")
    for _ in range(cases):
        start_proxy_case(ctx)
    httpd = make_server("127.0.0.1", 0, create_app(context=ctx), threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, ctx


def log_in_and_wait(browser, base: str, record=None) -> float:
    """A fresh context: open /login, log in, wait for the worklist; seconds from the click."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="zh-CN")
    page = context.new_page()
    if record is not None:
        page.on("response", record)
    page.goto(base + "/login")
    page.fill("input[name=username]", CLERK)
    page.fill("input[name=password]", DEMO_PASSWORD)
    started = time.perf_counter()
    page.click("button[type=submit]")
    page.wait_for_selector(WORKLIST_ROW, state="visible", timeout=30_000)
    elapsed = time.perf_counter() - started
    context.close()
    return elapsed


def first_load(browser, base: str) -> dict[str, int]:
    """Gzipped bytes of the scripts and stylesheets fetched from opening /login to the worklist."""
    sizes = {"script": 0, "stylesheet": 0}

    def record(response):
        kind = response.request.resource_type
        if kind in sizes and response.ok:
            sizes[kind] += len(gzip.compress(response.body(), compresslevel=6))
    log_in_and_wait(browser, base, record)
    return sizes


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--runs", type=int, default=None)
    args = ap.parse_args()
    runs = args.runs or (5 if args.quick else 15)
    if not Path(CHROMIUM).exists():
        print("chromium is not installed: console benchmark skipped (./dev test installs it)")
        return
    if not (ROOT / "web" / "dist" / "index.html").is_file():
        print("web/dist is not built: run ./dev bench (it builds the console) or `cd web && npm run build`")
        sys.exit(1)
    from playwright.sync_api import sync_playwright
    with tempfile.TemporaryDirectory() as tmp:
        httpd, ctx = serve(Path(tmp), cases=40)
        base = f"http://127.0.0.1:{httpd.server_port}"
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                sizes = first_load(browser, base)
                log_in_and_wait(browser, base)                       # warm the server's caches once
                times = [log_in_and_wait(browser, base) * 1e3 for _ in range(runs)]
                browser.close()
        finally:
            httpd.shutdown()
            ctx.dispose()
    js_kb, css_kb = sizes["script"] / 1024, sizes["stylesheet"] / 1024
    print(f"first load of the workbench: {js_kb:.0f} KB of JavaScript and {css_kb:.0f} KB of CSS, gzipped "
          f"(target: JavaScript <= 500 KB)")
    print(f"log in -> worklist visible (fresh browser context, localhost, {runs} runs): median "
          f"{statistics.median(times):.0f} ms, max {max(times):.0f} ms (target <= 1000 ms)")
    result("console.first_load_kb", js_kb)
    result("console.first_load_css_kb", css_kb)
    result("console.inbox_visible_ms", statistics.median(times))
    result("console.inbox_visible_max_ms", max(times))


if __name__ == "__main__":
    main()
