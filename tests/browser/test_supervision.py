"""The supervisor dashboard (电子监察): the district supervisor sees the counts and charts of the
whole district, drills from the district down to the person whose case is red, and opens the
case. The red card comes from the demo's proxy case left unaccepted past its 5-working-day
acceptance deadline (deemed accepted, 行政许可法 Art. 32): the server's frozen clock is moved
to 2026-12-11 and the due timers fired, as the scheduler would."""
import re
from datetime import datetime, timezone

import pytest

from engine.services.time_limits import timers

LATER = datetime(2026, 12, 11, 0, 0, tzinfo=timezone.utc)        # 08:00 in Beijing


@pytest.fixture
def red_case(server):
    server.ctx.clock.set(LATER)
    timers.fire_due(server.ctx)
    return server


def test_the_district_supervisor_drills_down_to_a_red_case_and_opens_it(visit, red_case):
    page = visit.login("lzxq_supervisor")
    if visit.width_name == "phone":
        page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="电子监察").click()
    page.get_by_role("heading", name="电子监察").wait_for()
    tiles = page.locator("[data-test=dashboard-summary]")
    tiles.wait_for()
    assert re.search(r"红牌办件\s*1", tiles.inner_text())
    # 好差评: the tile shows the scope's rates (none yet in the demo data: dashes, nothing invented)
    assert "好评率" in page.locator("[data-test=ratings-tile]").inner_text()
    page.locator("[data-test=updated-at]").get_by_text(re.compile(r"更新于 \d\d:\d\d:\d\d")).wait_for()
    page.locator("canvas").nth(2).wait_for()                       # three charts drawn by ECharts
    table = page.locator("[data-test=tier-table]")
    assert "村" in table.inner_text()
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot("dashboard")
    drill = page.locator("[data-test=drill-table]")
    for name in ("中川园区", "中川镇", "清水村", "不属部门的窗口", "帮办代办窗口", "ZCZ-QS代办员"):
        drill.get_by_role("link", name=name, exact=True).click()
        page.locator("[data-test=breadcrumb]").get_by_text(name, exact=True).wait_for()
    crumbs = page.locator("[data-test=breadcrumb]").inner_text()
    assert re.sub(r"\s+", "", crumbs) == "兰州新区›中川园区›中川镇›清水村›不属部门的窗口›帮办代办窗口›ZCZ-QS代办员"
    items = page.locator("[data-test=items-table]")
    items.get_by_text("红牌办件").wait_for()
    assert "张*" in items.inner_text() and "张三" not in items.inner_text()      # the applicant masked
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot("drilled")
    href = page.locator("[data-test=drill] a[download]").last.get_attribute("href")
    download = page.request.get(visit.base + href)                   # the cookie goes with it
    assert download.ok and download.headers["content-type"].startswith("text/csv")
    assert download.text().startswith("\ufeffkind,case_id") and ",red," in download.text()
    page.go_back()                                                   # Back walks up one level
    page.locator("[data-test=breadcrumb]").get_by_text("帮办代办窗口", exact=True).wait_for()
    page.go_forward()
    items.get_by_role("link", name=re.compile(r"^11620100MB")).first.click()
    page.wait_for_url(re.compile(r"/console/cases/\d+$"))
    page.get_by_text("红牌").first.wait_for()
    # ... and opens its diagram: the overdue step is marked on the drawing, and said in words
    page.locator("[data-test=case-diagram]").get_by_role("button", name="显示流程图").click()
    page.locator('g.djs-element.lb-overdue[data-element-id="proxy_intake"]').wait_for()
    assert "超期" in page.locator("[data-test=case-diagram]").inner_text()
    visit.shot("diagram")
