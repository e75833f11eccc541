"""Incidents in a browser (docs/integration.md#incidents): a supervisor sees the open-incident
tile on her dashboard, follows it to 异常事件, reads an incident's details, retries an external
task's and resolves a script's with a note (an empty note is refused in place). Data is arranged
through the services (a worker's failures), not clicked together."""
import re

import pytest
from sqlalchemy import insert

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import Conflict
from engine.services import cases, definitions, external_tasks
from engine.store.models import ItemImplementation
from tests.conftest import ROOT, staff, window_id

FEE = ROOT / "tests" / "fixtures" / "fee_payment_check.bpmn"


def two_incidents(ctx) -> None:
    """One fee case whose worker gave up (external_task), one whose script failed after it (script)."""
    definitions.deploy(ctx, [SourceFile(FEE.name, FEE.read_bytes())], Actor.system("test"), name="fee")
    with ctx.uow.begin() as tx:
        tx.conn.execute(insert(ItemImplementation).values(code="TEST-FEE", name="缴费核验", category="test",
                                                          process_key="fee_payment_check", deciding_tier="township",
                                                          attrs={}))
    for name in ("甲", "乙"):
        cases.start_case(ctx, cases.StartCase("TEST-FEE", window_id(ctx, "ZCZ-W01"), {"name": name}),
                         staff(ctx, "zcz_receiver"))
    worker = staff(ctx, "integration")
    first, second = external_tasks.fetch_and_lock(ctx, worker, "fee-1", 2,
                                                  [external_tasks.TopicRequest("fee-payment-check", 60_000)])
    external_tasks.failure(ctx, worker, first.id, "fee-1", "缴费平台无响应", "ConnectionError: timed out\n  at check()",
                           0, 0)
    with pytest.raises(Conflict):        # the script after it divides by zero: a script incident
        external_tasks.complete(ctx, worker, second.id, "fee-1", {"amount": 0})


def check(visit, name):
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot(name)


def test_a_supervisor_follows_the_tile_retries_and_resolves_incidents(visit, server):
    two_incidents(server.ctx)
    page = visit.login("zcz_supervisor")
    visit.go("/console/supervision")
    tile = page.locator("[data-test=incidents-tile]")
    tile.wait_for()
    assert "2" in tile.inner_text() and "未处理异常" in tile.inner_text()
    tile.click()
    page.wait_for_url(re.compile(r"/console/incidents\?.*state=open"))
    table = page.locator("[data-test=incident-table]")
    table.get_by_text("缴费平台无响应").wait_for()
    assert "共 2 条" in page.locator("[data-test=incident-total]").inner_text()
    listed = table.inner_text()
    assert "ZeroDivisionError" in listed and "外部任务" in listed and "脚本" in listed
    check(visit, "list")

    phone = visit.width_name == "phone"
    item = "li" if phone else "tr"
    row = table.locator(item, has_text="缴费平台无响应").first
    if phone:
        row.get_by_role("button", name="详细信息").click()
    else:
        row.locator(".el-table__expand-icon").click()
    table.get_by_text("ConnectionError: timed out").wait_for()
    check(visit, "details")
    row.locator("[data-test=retry]").click()
    page.locator("[data-test=notice]").get_by_text("外部任务可被重新获取").wait_for()
    page.get_by_text("共 1 条").wait_for()

    table.locator(item, has_text="ZeroDivisionError").first.locator("[data-test=resolve]").click()
    dialog = page.locator(".el-dialog")
    dialog.locator("[data-test=confirm-resolve]").click()
    dialog.get_by_text("请填写处理说明").wait_for()                  # an empty note is refused in place
    check(visit, "resolve-dialog")
    dialog.get_by_label("处理说明").fill("已线下核实缴费，流程已修正")
    dialog.locator("[data-test=confirm-resolve]").click()
    page.locator("[data-test=notice]").get_by_text("已标记为已处理").wait_for()
    page.locator("[data-test=incident-table]").get_by_text("没有符合条件的异常事件").wait_for()

    page.locator("[data-test=state-filter]").click()
    page.get_by_role("option", name="已处理").click()
    page.get_by_text("共 2 条").wait_for()
    resolved = page.locator("[data-test=incident-table]").inner_text()
    assert "已重试" in resolved and "已处理" in resolved and "zcz_supervisor" in resolved
    check(visit, "resolved")

    # the filters live in the address: a reload shows the same list; a cleared state is every state
    page.wait_for_url(re.compile(r"state=resolved"))
    page.reload()
    page.get_by_text("共 2 条").wait_for()
    assert "已处理" in page.locator("[data-test=state-filter]").inner_text()
    page.locator("[data-test=state-filter]").hover()
    page.locator("[data-test=state-filter] .el-select__clear").click()
    page.wait_for_url(re.compile(r"state=(&|$)"))
    page.get_by_text("共 2 条").wait_for()
    page.reload()
    page.get_by_text("共 2 条").wait_for()
    assert "state=" in page.url and "state=open" not in page.url

    # the kind filter lists every kind the server raises, signals and messages thrown between cases too
    page.locator("[data-test=kind-filter]").click()
    for label in ("外部任务", "定时器", "脚本", "信号", "消息"):
        page.get_by_role("option", name=label, exact=True).wait_for()
    check(visit, "kind-filter")
    page.get_by_role("option", name="消息", exact=True).click()
    page.locator("[data-test=incident-table]").get_by_text("没有符合条件的异常事件").wait_for()
    page.wait_for_url(re.compile(r"kind=message"))
