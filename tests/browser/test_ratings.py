"""好差评 in a browser (docs/ratings.md "Pages"): an applicant rates her completed case online on a
phone and sees the 差评's rectification; a clerk invites a rating at her window and the window's
QR page leads to the public rating page, which rates the visit once; the supervisor's ledger shows
the 差评 and records a 回访; the public disclosure page carries no personal data. Data is arranged
through the services, not clicked together."""
import re

from engine.services import cases, ratings
from tests.conftest import staff, window_id
from tests.form_samples import sample
from tests.integration.helpers import FOOD_TO_ISSUED, complete_steps

FOOD = "620100-XK-SCJG-0001"
ZHANG = {"name": "张三", "id_number": "620102199001011233", "phone": "13800138000"}
WINDOW = "ZCZ-QS-W01"                       # 清水村 代办 window; zcz_qs_agent works there


def check(visit, name):
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot(name)


def completed_case_of_zhang(ctx) -> int:
    """A food licence applied for online by applicant_zhang, walked to 办结 (the invitation opens)."""
    started = cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, WINDOW), ZHANG, sample("apply_food_licence"),
                                                    "online"), staff(ctx, "applicant_zhang"))
    complete_steps(ctx, started.tasks[0], FOOD_TO_ISSUED)
    return started.case_id


def bad_visit_rating(ctx) -> None:
    """A 差评 at the village window: the clerk opens the visit, the visitor rates it 非常不满意."""
    visit = ratings.open_visit(ctx, WINDOW, None, staff(ctx, "zcz_qs_agent"))
    body = {"level": 1, "indicators": {"efficiency": 1, "competence": 2, "attitude": 1}, "comment": "等了很久没人理"}
    ratings.rate_visit(ctx, visit["token"], body)


def choose(scope, level: int, indicator: str | None = None):
    where = scope.locator(f"[data-test=indicator-{indicator}]") if indicator else scope.locator("[data-test=overall]")
    where.locator(f"[data-test=level-{level}]").click()


def test_an_applicant_rates_her_completed_case_online(visit, server):
    case_id = completed_case_of_zhang(server.ctx)
    page = visit.login("applicant_zhang")
    invitation = page.locator("[data-test=invitation]")
    assert "食品经营许可" in invitation.inner_text()
    check(visit, "invitations")
    invitation.get_by_role("link", name=re.compile("去评价")).click()
    page.wait_for_url(re.compile(f"/portal/cases/{case_id}"))
    form = page.locator("[data-test=case-rating]")
    assert "工作人员看不到评价人是谁" in form.inner_text()
    form.locator("[data-test=rating-submit]").click()                    # nothing chosen: told, nothing sent
    form.get_by_text("请选择总体评价等级").wait_for()
    choose(form, 2)
    for code in ("efficiency", "guide_accuracy", "convenience", "usability"):
        choose(form, 2, code)
    form.get_by_label("意见或建议（选填）").fill("材料要求写得不清楚")
    check(visit, "rate-form")
    form.locator("[data-test=rating-submit]").dblclick()                 # a double press makes one rating
    form.locator("[data-test=rating-thanks]").wait_for()
    assert form.locator("[data-test=rated-level]").inner_text() == "不满意"
    assert form.locator("[data-test=rectification-status]").inner_text() == "核实中"
    assert not form.locator("[data-test=rating-form]").count()
    mine = page.evaluate(f"async () => (await (await fetch('/api/v1/cases/{case_id}/ratings')).json())")
    assert len(mine) == 1 and mine[0]["bad"] is True
    check(visit, "rated")


def test_a_clerk_invites_a_rating_and_the_window_qr_page_rates_the_visit(visit, server):
    page = visit.login("zcz_qs_agent")
    page.locator("[data-test=invite-rating-button]").click()
    assert "已发起评价" in page.locator("[data-test=invite-notice]").inner_text()
    page.locator("[data-test=invite-rating]").get_by_role("link", name="窗口二维码").click()
    page.locator("[data-test=qr-image]").wait_for()
    url = page.locator("[data-test=qr-url]").inner_text()
    assert url == f"{visit.base}/rate/window/{WINDOW}"
    assert page.locator("[data-test=qr-image]").get_attribute("src").startswith("data:image/png;base64,")
    check(visit, "window-qr")

    page.goto(url)                                                       # what the phone opens after scanning
    form = page.locator("[data-test=window-form]")
    staff_no = page.locator("[data-test=staff-no]").inner_text()
    assert staff_no.strip()
    choose(form, 5)
    for code in ("efficiency", "competence", "attitude"):
        choose(form, 5, code)
    check(visit, "window-form")
    form.locator("[data-test=rating-submit]").click()
    page.locator("[data-test=window-thanks]").wait_for()
    check(visit, "window-thanks")
    page.reload()                                                         # rated: nothing left to rate
    page.locator("[data-test=window-none]").wait_for()
    assert not page.locator("[data-test=staff-no]").count()
    visit.expect_status(404)
    page.goto(f"{visit.base}/rate/window/NO-SUCH-WINDOW")
    page.get_by_text("没有找到这个窗口").wait_for()


def test_the_supervisor_ledger_shows_the_bad_rating_and_records_a_revisit(visit, server):
    bad_visit_rating(server.ctx)
    page = visit.login("lzxq_supervisor")
    visit.go("/console/ratings")
    table = page.locator("[data-test=ledger-table]")
    table.get_by_text("非常不满意").wait_for()
    row_text = table.inner_text()
    assert "核实中" in row_text and "等了很久没人理" in row_text and "打开复核办件" in row_text
    check(visit, "ledger")
    table.locator("[data-test=revisit]").first.click()
    dialog = page.get_by_role("dialog", name="记录回访")
    dialog.get_by_label("回访情况").fill("已电话联系，说明了排队原因")
    dialog.locator("[data-test=revisit-save]").click()
    table.get_by_text("已回访").wait_for()
    page.get_by_role("tab", name="评价统计").click()
    figures = page.locator("[data-test=figures-table]")
    figures.get_by_text("100.0%").first.wait_for()                        # the one rating is bad: 差评率 100 %
    check(visit, "figures")


def test_the_public_disclosure_shows_no_personal_data(visit, server):
    completed_case_of_zhang(server.ctx)
    bad_visit_rating(server.ctx)
    page = visit.go("/")
    page.locator("[data-test=landing-ratings]").click()
    page.get_by_role("heading", name="政务服务“好差评”公示").wait_for()
    visit.go("/ratings?month=2026-11")                                   # the month of the server's frozen clock
    page.locator("[data-test=public-rectifications]").get_by_text("核实中").wait_for()
    html = page.content()
    for personal in ("张三", "13800138000", "620102199001011233", "620102", "1233"):
        assert personal not in html, personal
    check(visit, "public")
