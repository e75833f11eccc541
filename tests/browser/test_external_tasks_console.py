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
