"""The public pages a citizen reads without logging in: the landing page (purpose, search, ways in,
the service network per tier) and the service guide (list with filters, one item's guide); both in
English after the language switch."""
import re

FOOD = "620100-XK-SCJG-0001"


def check(visit, name):
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot(name)


def test_the_landing_page_explains_lianban_and_its_search_leads_into_the_guide(visit):
    page = visit.go("/")
    page.get_by_role("heading", name="联办政务服务").wait_for()
    assert "任一窗口都能受理任一事项" in page.inner_text("main")
    network = page.locator("[data-test=network]")
    network.wait_for()
    tiers = network.inner_text()
    for tier, count in (("新区", 1), ("园区", 2), ("乡镇", 3), ("村（社区）", 6)):
        assert re.search(rf"{count}\s*{re.escape(tier)}", tiers), tiers
    assert "中川镇" in tiers
    for entry in ("办事指南", "网上办事", "窗口工作台"):
        assert page.locator("main").get_by_role("link", name=re.compile(entry)).count() >= 1
    assert page.locator("[data-test=item-card]").count() >= 3
    check(visit, "landing")

    page.get_by_label("搜索办事事项").fill("食品经营")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url(re.compile(r"/guide\?keyword="))
    page.get_by_role("link", name="食品经营许可").wait_for()
    assert "共 1 项" in page.locator("[data-test=guide-count]").inner_text()
    check(visit, "guide-search")

    page.get_by_role("link", name="食品经营许可").click()
    page.get_by_role("heading", name="食品经营许可", level=1).wait_for()
    main = page.inner_text("main")
    for text in ("承诺办结时限", "10个工作日", "法定办结时限", "20个工作日", "营业执照", "申请材料",
                 "兰州新区政务服务中心", "不收费",
                 # the district hall's 办公时间: two seasons, a lunch break, Saturday mornings
                 "兰州新区政务服务中心 · 办公时间", "冬季", "10月1日—4月30日", "周一至周五", "09:00–12:00，13:30–17:30",
                 "周六", "09:00–12:00", "视为下一个工作日收件"):
        assert text in main, text
    assert page.get_by_role("link", name="在线办理").is_visible()
    check(visit, "guide-item")


def test_the_guide_filters_by_tier_and_a_window_only_item_has_no_online_button(visit):
    page = visit.go("/guide?tier=village")
    page.locator("[data-test=item-card]").first.wait_for()
    cards = page.locator("[data-test=item-card]")
    assert cards.count() == 6 and "共 6 项" in page.inner_text("main")
    assert all("村（社区）" in cards.nth(i).inner_text() for i in range(cards.count()))
    check(visit, "guide-village")
    page.get_by_role("link", name="农村危房改造申请").click()
    page.get_by_text("本事项需到窗口办理").wait_for()
    assert page.get_by_role("link", name="在线办理").count() == 0
    check(visit, "guide-window-only")


def test_english_switch_turns_landing_and_guide_into_english(visit):
    page = visit.go("/")
    page.get_by_role("heading", name="联办政务服务").wait_for()
    if visit.width_name == "phone":
        page.get_by_role("button", name="菜单").click()
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="Lianban government services").wait_for()
    # the items and the network arrive after the heading (two requests): wait for them, then read
    page.locator("main").get_by_text("Popular items").first.wait_for()
    page.locator("main").get_by_text("District").first.wait_for()
    main = page.inner_text("main")
    assert "Service network" in main and "Popular items" in main and "District" in main
    check(visit, "landing-en")
    page.goto(visit.base + f"/guide/{FOOD}")
    page.locator("main").get_by_role("link", name="Apply online").wait_for()
    main = page.inner_text("main")
    assert "Promised limit" in main and "10 working days" in main and "Materials" in main
    check(visit, "guide-item-en")

    # one working day is singular, three are plural; the guide's filters stay in the address
    page.goto(visit.base + "/guide?keyword=" + "环境影响登记表")
    card = page.locator("[data-test=item-card]").first
    card.get_by_text("Promised in 1 working day").wait_for()
    assert "1 working days" not in page.inner_text("main")
    page.get_by_label("Keyword").fill("建筑工程施工许可")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"keyword=%E5%BB%BA"))
    page.locator("[data-test=item-card]").first.get_by_text("Promised in 3 working days").wait_for()
    assert page.locator("[data-test=guide-count]").inner_text() == "1 item"
    page.reload()
    assert page.get_by_label("Keyword").input_value() == "建筑工程施工许可"
    page.locator("[data-test=item-card]").first.get_by_text("Promised in 3 working days").wait_for()
    check(visit, "guide-plural-en")
