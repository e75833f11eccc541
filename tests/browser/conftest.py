"""What every browser journey shares: a real HTTP server on the demo data (SQLite), Debian's
chromium driven by Playwright at a desk width (1440 px) and a phone width (390 px), a check that
no page logged a console error, screenshots kept as test artifacts (test-artifacts/screenshots/)
and an axe-core accessibility check (web/node_modules/axe-core) with zero serious or critical
violations."""
from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from api import create_app
from demo.loader import load_demo
from demo.org import DEMO_PASSWORD
from engine.config import Settings
from engine.domain.clock import FrozenClock
from engine.services import cases
from engine.services.calendar import seed_from_package
from engine.services.context import Context
from engine.store.schema import upgrade
from tests.conftest import ROOT, staff, window_id
from tests.form_samples import sample

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = {"desk": 1440, "phone": 390}
# a Friday morning in Beijing: working days ahead, nothing overdue yet
NOW = datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("LIANBAN_REQUIRE_BROWSER") != "1",
    reason="Debian's chromium is not installed (CI installs it and sets LIANBAN_REQUIRE_BROWSER=1)")


def start_proxy_case(ctx, applicant: dict | None = None) -> int:
    """A food-licence case taken in by the 清水村 agent (village proxy), as the demo journey starts."""
    started = cases.start_case(ctx, cases.StartCase(
        "620100-XK-SCJG-0001", window_id(ctx, "ZCZ-QS-W01"),
        applicant or {"name": "张三", "id_number": "620102199001011233"},
        sample("apply_food_licence"), "proxy"), staff(ctx, "zcz_qs_agent"))
    return started.case_id


class Server:
    def __init__(self, url: str, ctx: Context):
        self.url, self.ctx = url, ctx


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """The demo data with one proxy case, built once per run: each journey starts from a copy
    (loading the demo deploys every workflow, which took longer than most journeys)."""
    path = tmp_path_factory.mktemp("browser-template") / "demo.db"
    ctx = Context.create(Settings(database_url=f"sqlite:///{path}"), clock=FrozenClock(NOW))
    upgrade(ctx.engine)
    seed_from_package(ctx)
    load_demo(ctx, ROOT / "workflows")
    start_proxy_case(ctx)
    ctx.dispose()
    with closing(sqlite3.connect(path)) as db:           # everything in the main file: copies are whole
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def server(tmp_path, demo_database):
    """The API and the console on a real port, on a fresh copy of the demo data."""
    path = tmp_path / "console.db"
    shutil.copyfile(demo_database, path)
    ctx = Context.create(Settings(database_url=f"sqlite:///{path}"), clock=FrozenClock(NOW))
    httpd = make_server("127.0.0.1", 0, create_app(context=ctx), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Server(f"http://127.0.0.1:{httpd.server_port}", ctx)
    httpd.shutdown()
    ctx.dispose()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield launched
        launched.close()


class Visit:
    """One person's browser tab at one width; collects console errors and takes screenshots."""

    def __init__(self, page, base: str, width_name: str, test_name: str):
        self.page, self.base, self.width_name = page, base, width_name
        self.test_name = re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name)
        self.errors: list[str] = []
        self.expected: list[str] = []          # HTTP statuses the journey provokes on purpose (e.g. "401")
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def expect_status(self, status: int):
        """The journey provokes this HTTP error on purpose (a wrong password): chromium logs the
        failed request as a console error, which is then not the page's fault."""
        self.expected.append(f"status of {status} ")

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(x in e for x in self.expected)]

    def go(self, path: str):
        self.page.goto(self.base + path)
        return self.page

    def login(self, username: str, password: str = DEMO_PASSWORD):
        page = self.go("/login")
        page.get_by_label(re.compile("用户名|Username")).fill(username)
        page.get_by_label(re.compile("密码|Password")).fill(password)
        page.get_by_role("button", name=re.compile("^(登录|Log in)$")).click()
        page.wait_for_url(re.compile(r"/(console|portal)"))
        return page

    def shot(self, name: str) -> Path:
        """A full-page screenshot kept as an artifact: test-artifacts/screenshots/<test>-<name>-<width>.png."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{self.test_name}-{name}-{self.width_name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def no_sideways_scroll(self):
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the page scrolls sideways by {overflow}px at {self.width_name}"

    def axe(self, context: str = "document") -> list:
        """Runs axe-core on the page; fails on any serious or critical violation."""
        self.page.evaluate(AXE.read_text(encoding="utf-8"))
        result = self.page.evaluate(
            f"async () => (await axe.run({context}, {{resultTypes: ['violations']}})).violations"
            ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))")
        bad = [v for v in result if v["impact"] in ("serious", "critical")]
        assert not bad, f"accessibility violations: {bad}"
        return result


@pytest.fixture(params=list(WIDTHS))
def visit(request, browser, server):
    """A fresh browser context (own cookies) at desk or phone width, zh-CN; after the test, no
    console error may have been logged."""
    width = WIDTHS[request.param]
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN", reduced_motion="reduce",
                                  device_scale_factor=1, is_mobile=width < 500, has_touch=width < 500)
    page = context.new_page()
    page.set_default_timeout(10_000)
    tab = Visit(page, server.url, request.param, request.node.originalname)
    yield tab
    context.close()
    assert not tab.unexpected_errors(), f"console errors: {tab.unexpected_errors()}"
