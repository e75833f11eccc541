"""The window console in a real browser (Debian's chromium driven by Playwright) against a real
HTTP server: log in, claim, complete, read the trail, switch to English."""
import json
import os
import shutil
import threading
from datetime import datetime, timezone

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
pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM) and os.environ.get("LIANBAN_REQUIRE_BROWSER") != "1",
    reason="Debian's chromium is not installed (CI installs it and sets LIANBAN_REQUIRE_BROWSER=1)")


@pytest.fixture
def server(tmp_path):
    ctx = Context.create(Settings(database_url=f"sqlite:///{tmp_path / 'console.db'}"),
                         clock=FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)))
    upgrade(ctx.engine)
    seed_from_package(ctx)
    load_demo(ctx, ROOT / "workflows")
    cases.start_case(ctx, cases.StartCase("620100-XK-SCJG-0001", window_id(ctx, "ZCZ-QS-W01"),
                                          {"name": "张三", "id_number": "620102199001011233"},
                                          sample("apply_food_licence"), "proxy"),
                     staff(ctx, "zcz_qs_agent"))
    httpd = make_server("127.0.0.1", 0, create_app(context=ctx), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()
    ctx.dispose()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(locale="zh-CN")
        yield page
        browser.close()


def test_a_clerk_claims_and_completes_in_the_browser(server, page, tmp_path):
    page.goto(f"{server}/console")
    assert page.title() == "联办 · 窗口工作台"
    page.fill("input[name=username]", "zcz_qs_agent")
    page.fill("input[name=password]", "wrong password")
    page.click("#login button[type=submit]")
    page.wait_for_selector("#login-error:has-text('login_failed')")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login button[type=submit]")
    row = page.wait_for_selector("#inbox tbody tr")
    assert "代办收件" in row.inner_text()
    page.click("#inbox button.claim")
    page.wait_for_selector("#notice:has-text('已签收')")
    page.click("#inbox button.open")
    page.wait_for_selector("#trail li")
    assert "case_started" in page.inner_text("#trail") and "task_claimed" in page.inner_text("#trail")
    page.fill("#formdata", "{not json")
    page.click("#complete")
    page.wait_for_selector("#detail-error:has-text('JSON')")
    assert "mandate_no" in page.inner_text("#form-fields")           # the task's form, from its schema
    page.fill("#formdata", '{"note": "材料齐全"}')
    page.click("#complete")
    page.wait_for_selector("#detail-error:has-text('form_invalid')")
    assert "data.mandate_no" in page.inner_text("#field-errors")
    page.fill("#formdata", json.dumps(sample("proxy_intake", note="材料齐全"), ensure_ascii=False))
    page.click("#complete")
    page.wait_for_selector("#notice:has-text('已办结')")
    assert page.is_visible("#empty")                    # the next step is the township's
    page.click("#lang")
    assert page.inner_text("header strong") == "Lianban · Window console"
    assert page.inner_text("#work h2") == "My tasks"
    page.screenshot(path=str(tmp_path / "console.png"))


def test_the_overview_page_links_the_console_and_shows_no_personal_data(server, page):
    page.goto(server + "/")
    assert "兰州新区" in page.inner_text("body")
    assert "620102199001011233" not in page.content()
    page.click("text=窗口工作台 Window console")
    page.wait_for_selector("#login")
