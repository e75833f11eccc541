"""A supervisor's page in the console: counts of yellow and red, the carded cases, the channel
statistics against the plan's targets, CSV links that work with the cookie session."""
import re


def test_a_supervisor_sees_the_cards_and_the_channel_statistics_of_her_subtree(visit):
    page = visit.login("zcz_supervisor")
    if visit.width_name == "phone":
        page.get_by_role("button", name="菜单").click()
    page.get_by_role("link", name="电子监察").click()
    page.get_by_role("heading", name="电子监察").wait_for()
    counts = page.locator("[data-test=supervision-counts]")
    counts.wait_for()
    assert "红牌办件" in counts.inner_text() and "黄牌环节" in counts.inner_text()
    page.get_by_text("没有亮牌的办件").wait_for()            # the demo case was received this morning
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot("cases")
    page.get_by_role("tab", name="办理渠道").click()
    table = page.locator("[data-test=channel-stats]")
    table.get_by_text("乡镇").first.wait_for()
    assert re.search(r"达标|未达标|不设目标", table.inner_text())
    visit.axe()
    visit.shot("channels")
    href = page.get_by_role("link", name=re.compile("下载 CSV")).last.get_attribute("href")
    download = page.request.get(visit.base + href)             # the cookie goes with it
    assert download.ok and download.headers["content-type"].startswith("text/csv")
    assert "tier" in download.text()
