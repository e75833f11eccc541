"""Issue 5's pages in a real browser (Debian's chromium driven by Playwright) against one real HTTP
server for the module: the public 办事指南, the applicant portal (apply online with the item's
JSON-Schema form, my cases, my vault), a clerk's case panel (deliver by mail, 送达回执), and a
supervisor's channel statistics."""
import threading
from datetime import datetime, timezone

import pytest
from werkzeug.serving import make_server

from api import create_app
from demo.loader import load_demo
from demo.materials import ZHANG_ID_NUMBER
from demo.org import DEMO_PASSWORD
from engine.config import Settings
from engine.domain.clock import FrozenClock
from engine.services import cases, tasks
from engine.services.calendar import seed_from_package
from engine.services.context import Context
from engine.store.schema import upgrade
from tests.conftest import ROOT, staff, window_id
from tests.e2e.test_console_browser import CHROMIUM, pytestmark  # noqa: F401  (same skip rule)
from tests.form_samples import sample, task_data

FOOD = "620100-XK-SCJG-0001"


def decided_case(ctx) -> str:
    """A food licence case walked through the services to its decision (granted) and 制证 (办结, so
    that no task blocks its delivery); its number."""
    started = cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), {"name": "王五"},
                                                    sample("apply_food_licence"), "proxy"), staff(ctx, "zcz_qs_agent"))
    task = started.tasks[0]
    for who, data in (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True}), ("lzxq_receiver", {}),
                      ("lzxq_market_approver", {"decision": "granted"}), ("lzxq_issuer", {})):
        task = (tasks.complete(ctx, task, task_data(ctx, task, **data), staff(ctx, who)).next_tasks or [None])[0]
    return started.number


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    ctx = Context.create(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('portal') / 'portal.db'}"),
                         clock=FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)))
    upgrade(ctx.engine)
    seed_from_package(ctx)
    load_demo(ctx, ROOT / "workflows")
    number = decided_case(ctx)
    httpd = make_server("127.0.0.1", 0, create_app(context=ctx), threaded=True)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}", number
    httpd.shutdown()
    ctx.dispose()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)   # own storage: own login, own language
    yield context.new_page()
    context.close()


def login(page, base, username):
    page.goto(f"{base}/console")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login button[type=submit]")
    page.wait_for_selector("#who:has-text('%s')" % username)


def test_the_public_guide_lists_filters_and_shows_an_item(server, page):
    base, _ = server
    page.goto(base + "/")
    page.click("text=办事指南 Service guide")
    page.wait_for_selector("#items tbody tr >> nth=19")                   # no login, ≥ 20 published items
    assert page.title() == "联办 · 办事指南"
    everything = page.locator("#items tbody tr").count()
    assert everything >= 20 and page.inner_text("#count") == f"共 {everything} 项"
    page.select_option("#filters select[name=tier]", "village")
    page.click("#filters button[type=submit]")
    page.wait_for_function(f"document.querySelectorAll('#items tbody tr').length < {everything}")
    tiers = page.locator("#items tbody tr td:nth-child(3)").all_inner_texts()
    assert tiers and set(tiers) == {"村（社区）"}
    page.select_option("#filters select[name=tier]", "")
    page.fill("#filters input[name=keyword]", "食品经营")
    page.click("#filters button[type=submit]")
    page.wait_for_function("document.querySelectorAll('#items tbody tr').length === 1")
    page.click("#items a.item-link")
    page.wait_for_selector("#detail-name:has-text('食品经营许可')")
    detail = page.inner_text("#detail")
    for text in ("法定办结时限", "个工作日", "承诺时限", "市场", "Ⅲ级 网上受理办理", "受理条件", "投诉电话", "12345",
                 "窗口办理、网上办理、邮寄办理"):
        assert text in detail, text
    materials = page.locator("#detail table.materials tbody tr")
    assert materials.count() == 5
    assert "business_licence" in materials.nth(1).inner_text()        # an e-licence type that satisfies it
    assert "必要" in detail and ("免费" in detail or "收费标准" in detail)
    page.click("#lang")
    page.wait_for_selector("#detail h3:has-text('Materials')")
    assert "Legal limit" in page.inner_text("#detail") and " working days" in page.inner_text("#detail")
    assert page.inner_text("header strong") == "Lianban · Service guide"
    page.click("#back")
    page.wait_for_selector("#items tbody tr")
    assert page.inner_text("#items thead") .startswith("Item")


def test_an_applicant_applies_online_sees_her_cases_and_her_vault(server, page):
    base, _ = server
    login(page, base, "applicant_zhang")
    assert page.is_hidden("#work") and page.is_visible("#portal")
    page.wait_for_selector("#vault tbody tr")
    vault = page.inner_text("#vault")
    assert "A 电子证照" in vault and ZHANG_ID_NUMBER not in page.content()   # trust levels, masked numbers
    page.wait_for_selector("#apply-item option:has-text('高龄津贴申领')", state="attached")
    page.select_option("#apply-item", label=page.locator("#apply-item option", has_text="高龄津贴申领").inner_text())
    page.wait_for_selector("#apply-fields input[name=id_card_no]")
    assert "老年人姓名 *" in page.inner_text("#apply-fields")              # rendered from the JSON Schema
    page.select_option("#apply-form select[name=window_id]", label="中川镇 · 综合受理窗口（乡镇）")
    page.fill("#apply-form input[name='applicant.name']", "张三")
    page.fill("#apply-fields input[name=elder_name]", "李秀英")
    page.fill("#apply-fields input[name=id_card_no]", "12345")          # not an ID number
    page.fill("#apply-fields input[name=birth_date]", "1940-01-01")
    page.fill("#apply-fields input[name=household_address]", "兰州新区中川镇清水村3组")
    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("#apply-error:has-text('form_invalid')")
    assert page.inner_text(".field-error[data-field='form.id_card_no']")       # the pattern, at its field
    assert page.inner_text(".field-error[data-field='form.bank_account']")     # required, at its field
    assert not page.inner_text(".field-error[data-field='form.elder_name']")
    assert page.locator("#my-cases tbody tr").count() == 0                      # nothing was started
    page.fill("#apply-fields input[name=id_card_no]", "620102194001011234")
    page.fill("#apply-fields input[name=bank_account]", "6228480402564890018")
    page.click("#apply-form button[type=submit]")
    page.wait_for_selector("#notice:has-text('已提交申请')")
    row = page.wait_for_selector("#my-cases tbody tr")
    assert "高龄津贴申领" in row.inner_text() and row.inner_text().split("\t")[0] in page.inner_text("#notice")
    assert page.inner_text("#my-cases tbody tr td.lifecycle") == "已收件"
    page.click("#my-cases button.case-documents")
    page.wait_for_selector("#my-documents li")
    page.click("#lang")
    page.wait_for_selector("#portal h2:has-text('My cases')")
    page.wait_for_selector("#my-cases td.lifecycle:has-text('Received')")
    assert "A e-licence" in page.inner_text("#vault")


def test_a_clerk_delivers_a_decided_case_by_mail(server, page):
    base, number = server
    login(page, base, "lzxq_issuer")
    page.click(f"#cases tr:has-text('{number}') button.open-case")
    page.wait_for_selector("#case-title:has-text('%s')" % number)
    assert page.inner_text("#case-facts .fact-lifecycle") == "已办结"
    assert "准予行政许可决定书" in page.inner_text("#case-documents")
    assert page.locator("#case-materials tbody tr").count() >= 1 and page.inner_text("#completeness")
    form = "#deliver-form"
    page.select_option(f"{form} select[name=method]", "mail")
    page.fill(f"{form} input[name=address]", "兰州新区中川镇清水村1号")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector(f"{form} p.error:has-text('delivery_tracking_required')")   # the API's problem
    assert "tracking_number" in page.inner_text(f"{form} p.error")
    page.select_option(f"{form} select[name=method]", "mail")
    page.fill(f"{form} input[name=tracking_number]", "SF1234567890")
    page.fill(f"{form} input[name=carrier]", "顺丰速运")
    page.fill(f"{form} input[name=phone]", "13800001234")
    page.click(f"{form} button[type=submit]")
    page.wait_for_selector("#case-documents li:has-text('送达回执')")
    assert page.inner_text("#case-facts .fact-lifecycle") == "已送达"
    page.click("#case-documents li:has-text('送达回执') button.open-document")
    frame = page.frame_locator("#case-document")
    assert "SF1234567890" in frame.locator("body").inner_text()
    assert "138****1234" in frame.locator("body").inner_text()
    page.fill("#return-form input[name=reason]", "材料不全")          # after delivery no return: the API says why
    page.click("#return-form button[type=submit]")
    page.wait_for_function("document.querySelector('#return-form p.error').textContent.length > 0")
    assert page.inner_text("#case-facts .fact-lifecycle") == "已送达"


def test_a_supervisor_sees_the_channel_statistics(server, page):
    base, _ = server
    login(page, base, "zcz_supervisor")
    page.wait_for_selector("#channel-stats tbody tr[data-tier=township]")
    assert page.is_visible("#stats")
    township = page.inner_text("#channel-stats tr[data-tier=township]")
    assert township.startswith("乡镇") and "≥ 95%" in township and ("达标" in township or "未达标" in township)
    assert page.locator("#channel-stats tbody tr").count() == 2          # 中川镇 and its villages
    page.wait_for_function("document.getElementById('stats-csv').href.startsWith('blob:')")
    with page.expect_download() as download:
        page.click("#stats-csv")
    content = open(download.value.path(), encoding="utf-8-sig").read()
    assert content.splitlines()[0].startswith("tier,") and "township" in content
    page.click("#logout")
    page.wait_for_selector("#login input[name=username]")
    login(page, base, "applicant_zhang")                                 # applicants have no statistics
    page.wait_for_selector("#portal h2")
    assert page.is_hidden("#stats")
