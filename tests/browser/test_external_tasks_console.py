"""External tasks in a browser (docs/integration.md#in-the-console): a supervisor goes from 异常事件
to 外部任务, reads per topic how many tasks wait, are locked, are out of retries, and in the list
which worker holds a lock until when and how many retries are left; she narrows the list to the
locked ones. Data is arranged through the services (a worker's fetch and failure)."""
import re

from engine.services import cases, external_tasks
from tests.browser.test_incidents import two_incidents
from tests.conftest import staff, window_id


def arrange(ctx) -> None:
    """Two fee cases out of retries / failed in a script (two_incidents), one locked by fee-2, one waiting."""
    two_incidents(ctx)
    for name in ("丙", "丁"):
        cases.start_case(ctx, cases.StartCase("TEST-FEE", window_id(ctx, "ZCZ-W01"), {"name": name}),
                         staff(ctx, "zcz_receiver"))
    external_tasks.fetch_and_lock(ctx, staff(ctx, "integration"), "fee-2", 1,
                                  [external_tasks.TopicRequest("fee-payment-check", 3_600_000)])


def check(visit, name):
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot(name)


def test_a_supervisor_reads_the_external_tasks_per_topic_and_their_locks(visit, server):
    arrange(server.ctx)
    page = visit.login("zcz_supervisor")
    visit.go("/console/incidents")
    page.locator("[data-test=to-external-tasks]").click()
    page.wait_for_url(re.compile(r"/console/external-tasks"))
    topics = page.locator("[data-test=topics]")
    topics.get_by_text("fee-payment-check").wait_for()
    assert topics.locator("[data-test=locked]").inner_text() == "1"
    assert topics.locator("[data-test=available]").inner_text() == "1"
    assert topics.locator("[data-test=out-of-retries]").inner_text() == "2"
    table = page.locator("[data-test=task-table]")
    table.get_by_text("由 fee-2 锁定").wait_for()
    assert "共 4 条" in page.locator("[data-test=task-total]").inner_text()
    listed = table.inner_text()
    assert "等待获取" in listed and "重试用尽" in listed and "缴费平台无响应" in listed and "异常事件 #" in listed
    check(visit, "list")

    page.locator("[data-test=lock-filter]").click()
    page.get_by_role("option", name="已锁定").click()
    page.get_by_text("共 1 条").wait_for()
    page.wait_for_url(re.compile(r"lock=locked"))
    assert "由 fee-2 锁定" in page.locator("[data-test=task-table]").inner_text()
    check(visit, "locked")


def test_the_lists_filters_survive_a_reload_and_the_back_button(visit, server):
    arrange(server.ctx)
    page = visit.login("zcz_supervisor")
    visit.go("/console/external-tasks?lock=locked")
    page.get_by_text("共 1 条").wait_for()
    page.reload()
    page.get_by_text("共 1 条").wait_for()
    assert "已锁定" in page.locator("[data-test=lock-filter]").inner_text()
    page.locator("[data-test=show-fee-payment-check]").click()          # another filter: still one list, page 1
    page.wait_for_url(re.compile(r"topic=fee-payment-check"))
    assert "lock=locked" in page.url
    page.get_by_text("共 1 条").wait_for()
    history = page.evaluate("history.length")
    page.locator("[data-test=task-table]").get_by_role("link").first.click()
    page.wait_for_url(re.compile(r"/console/cases/\d+"))
    page.go_back()
    page.wait_for_url(re.compile(r"/console/external-tasks\?.*lock=locked"))
    page.get_by_text("共 1 条").wait_for()
    assert "fee-payment-check" in page.locator("[data-test=topic-filter]").inner_text()
    assert page.evaluate("history.length") == history + 1             # the filters replaced, never piled up
    page.go_back()                                                    # so Back leaves the list
    page.wait_for_url(re.compile(r"/console$"))


def _menu(visit, page):
    if visit.width_name == "phone":
        page.get_by_role("button", name=re.compile("^(菜单|Menu)$")).click()


def test_the_navigation_offers_external_tasks_to_a_supervisor_and_not_to_a_clerk(visit, server):
    arrange(server.ctx)
    page = visit.login("zcz_supervisor")
    _menu(visit, page)
    link = page.locator("[data-test=nav-external-tasks]")
    assert link.inner_text() == "外部任务"
    visit.shot("nav-open-zh")
    link.click()
    page.wait_for_url(re.compile(r"/console/external-tasks$"))
    page.get_by_role("heading", name="外部任务", level=1).wait_for()
    page.locator("[data-test=topics]").get_by_text("fee-payment-check").wait_for()
    check(visit, "nav-zh")
    _menu(visit, page)
    page.get_by_role("button", name="English").click()
    page.get_by_role("heading", name="External tasks", level=1).wait_for()
    assert page.locator("[data-test=nav-external-tasks]").inner_text() == "External tasks"
    _menu(visit, page)                                                 # (a phone's menu stays open: close it)
    page.get_by_text("4 in total").wait_for()
    page.locator("[data-test=lock-filter]").click()
    page.get_by_role("option", name="Locked", exact=True).click()
    page.get_by_text("1 in total").wait_for()
    check(visit, "external-tasks-en")
    page.locator("[data-test=to-incidents]").click()
    page.get_by_role("heading", name="Incidents", level=1).wait_for()
    page.get_by_text("2 in total").wait_for()
    check(visit, "incidents-en")
    _menu(visit, page)
    page.locator("[data-test=logout]").click()

    visit.expect_status(403)
    page = visit.login("zcz_receiver")                                 # a clerk: no post as supervisor
    _menu(visit, page)
    page.locator("[data-test=nav-ratings]").wait_for()
    assert page.locator("[data-test=nav-external-tasks]").count() == 0
    assert page.locator("[data-test=nav-incidents]").count() == 0
    # the navigation follows the API's rule: the clerk may not read external tasks
    assert page.request.get(visit.base + "/api/v1/external-tasks/topics").status == 403
    check(visit, "nav-clerk-en")
