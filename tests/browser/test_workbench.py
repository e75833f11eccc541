"""The clerk's workbench in a browser: the worklist, a task from claim to completion, the case page
(history in words, documents, materials, only the allowed commands), delegation and return. Each
journey runs at a desk and on a phone and checks what a person reads, accessibility and that
nothing scrolls sideways."""
import re

from sqlalchemy import select

from engine.services import tasks
from engine.services.accounts.org import add_post, add_staff, invalidate
from engine.store.models import Window
from tests.conftest import staff

AGENT = "zcz_qs_agent"
AGENT_NAME = "ZCZ-QS代办员"            # the timeline names people by their display names
INTAKE = {"mandate_no": "WT202611270001", "agent_name": "清水村代办员", "materials_received": ["申请书", "营业执照"]}
RAW_CODES = re.compile(r"\b(case|task|clock|material|document|lifecycle|timer)_[a-z_]+\b")


def first_task(ctx, username=AGENT):
    """The open task in someone's queue (the demo case's 代办收件 for the agent)."""
    return tasks.inbox(ctx, staff(ctx, username))[0]


def case_json(visit, case_id):
    """The case as the logged-in person's API sees it (the page's cookies)."""
    return visit.page.request.get(f"{visit.base}/api/v1/cases/{case_id}").json()


def events_of(visit, case_id):
    return visit.page.request.get(f"{visit.base}/api/v1/cases/{case_id}/events").json()["events"]


def check_page(visit, name):
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot(name)


def pick(page, label, option):
    """Chooses an option of an Element Plus select named by its label."""
    page.get_by_role("combobox", name=label, exact=True).click(force=True)   # its placeholder covers the input
    page.get_by_role("option", name=option).click()


def test_a_clerk_finds_claims_fills_and_completes_her_task(visit, server):
    task = first_task(server.ctx)
    page = visit.login(AGENT)
    number = case_json(visit, task.case_id)["number"]
    rows = page.locator('[data-test="worklist"]')
    rows.get_by_text(number).wait_for()
    for text in ("食品经营许可", "张*", "代办收件"):
        assert rows.get_by_text(text, exact=True).first.is_visible()
    assert rows.get_by_text(re.compile("今日到期|剩 \\d+ 个工作日|超期")).first.is_visible()
    assert page.get_by_text("待签收（1）").is_visible()
    check_page(visit, "inbox")

    # a red-card filter leaves nothing; the search by case number finds it again and stays in the URL
    if visit.width_name == "phone":            # the list comes first; the other filters fold away
        assert not page.get_by_role("combobox", name="预警").is_visible()
        page.get_by_role("button", name="更多筛选").click()
    pick(page, "预警", "红牌")
    page.get_by_text("没有符合条件的待办").first.wait_for()
    assert "card=red" in page.url
    page.get_by_role("button", name="清除筛选").click()
    page.get_by_placeholder("输入办件编号或申请人姓名").fill(number[-8:])
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(re.compile(r"[?&]q=" + number[-8:]))
    rows.get_by_text(number).wait_for()
    page.reload()
    assert page.get_by_placeholder("输入办件编号或申请人姓名").input_value() == number[-8:]
    rows.get_by_text(number).wait_for()

    rows.get_by_role("button", name="签收").click()
    page.get_by_text("已签收「代办收件」").wait_for()
    rows.get_by_text("我", exact=True).wait_for()
    rows.get_by_role("link", name="办理").click()
    page.wait_for_url(re.compile(r"/console/tasks/"))
    page.get_by_role("heading", name="办理：代办收件").wait_for()
    page.go_back()                             # Back returns to the list as it was filtered
    page.wait_for_url(re.compile(r"/console\?(.*&)?q=" + number[-8:]))
    rows.get_by_text(number).wait_for()
    assert page.get_by_placeholder("输入办件编号或申请人姓名").input_value() == number[-8:]
    page.go_forward()
    page.get_by_role("heading", name="办理：代办收件").wait_for()
    for label in ("委托书编号", "代办员姓名", "已收材料"):
        assert page.get_by_text(label, exact=True).first.is_visible()

    page.get_by_role("button", name="提交办理").click()
    page.get_by_text("请填写「委托书编号」").wait_for()
    assert page.get_by_text("请填写「代办员姓名」").is_visible()
    assert page.get_by_text("请按提示修改标红的内容").is_visible()
    check_page(visit, "task-invalid")

    page.get_by_label("委托书编号").fill(INTAKE["mandate_no"])
    page.get_by_label("代办员姓名").fill(INTAKE["agent_name"])
    page.get_by_label("已收材料").fill("\n".join(INTAKE["materials_received"]))
    page.get_by_role("button", name="提交办理").click()
    page.get_by_text("已提交「代办收件」").wait_for()
    check_page(visit, "task-done")
    assert any(e["type"] == "task_completed" for e in events_of(visit, task.case_id))

    page.locator('[data-test="back-to-inbox"]').click()
    page.wait_for_url(re.compile(r"/console$"))
    page.get_by_text("暂无待办").first.wait_for()
    assert not page.get_by_text(number).count()


def test_a_double_click_on_submit_completes_the_step_once(visit, server):
    task = first_task(server.ctx)
    tasks.claim(server.ctx, task.id, staff(server.ctx, AGENT))
    page = visit.login(AGENT)
    visit.go(f"/console/tasks/{task.id}")
    page.get_by_label("委托书编号").fill(INTAKE["mandate_no"])
    page.get_by_label("代办员姓名").fill(INTAKE["agent_name"])
    page.get_by_label("已收材料").fill("申请书")
    page.get_by_role("button", name="提交办理").dblclick()
    page.get_by_text("已提交「代办收件」").wait_for()
    page.wait_for_timeout(300)                    # a second request, had one been sent, has landed
    completed = [e for e in events_of(visit, task.case_id) if e["type"] == "task_completed"]
    assert len(completed) == 1
    visit.no_sideways_scroll()


def test_the_case_page_tells_the_history_in_words_and_offers_only_what_is_allowed(visit, server):
    task = first_task(server.ctx)
    tasks.claim(server.ctx, task.id, staff(server.ctx, AGENT))
    page = visit.login(AGENT)
    visit.go(f"/console/cases/{task.case_id}")
    timeline = page.locator('[data-test="timeline"]')
    timeline.get_by_text(re.compile("张\\* 的申请已收件（帮办代办）")).wait_for()
    assert timeline.get_by_text(f"{AGENT_NAME} 签收了「代办收件」").is_visible()
    assert timeline.get_by_text("已从申请人云档案自动调取「营业执照」").is_visible()
    assert not RAW_CODES.search(page.locator("main").inner_text())
    assert page.get_by_text("尚未出具文书").is_visible()
    completeness = page.locator('[data-test="completeness"]')
    assert completeness.get_by_text("材料不齐：缺 2 项").is_visible()
    assert completeness.get_by_text("代办案件尚缺代办委托书").is_visible()
    assert page.locator('[data-test="materials"]').get_by_text("食品经营许可申请书").is_visible()

    buttons = page.locator('[data-test="lifecycle-actions"]').get_by_role("button")
    shown = sorted(buttons.all_inner_texts())
    allowed = case_json(visit, task.case_id)["allowed_actions"]
    names = {"withdraw": "撤件", "return": "退件", "not_accept": "不予受理", "accept": "受理",
             "correction_notice": "一次性补正告知",
             "pause": "中止计时", "resume": "恢复计时", "extend": "延长办理时限", "deliver": "送达"}
    assert shown == sorted(names[a] for a in allowed if a in names)
    assert "送达" not in shown
    check_page(visit, "case")

    # 受理 asks once, then the acceptance notice is listed and 受理 is gone
    page.locator('[data-test="lifecycle-actions"]').get_by_role("button", name="受理", exact=True).click()
    page.get_by_role("dialog").get_by_role("button", name="确定受理").click()
    page.locator('[data-test="action-done"]').get_by_text("已受理").wait_for()
    page.locator('[data-test="documents"]').get_by_role("link", name=re.compile("受理通知书")).wait_for()
    assert page.locator('[data-test="timeline"]').get_by_text(re.compile("受理了申请")).is_visible()
    assert not page.locator('[data-test="lifecycle-actions"]').get_by_role("button", name="受理", exact=True).count()
    check_page(visit, "case-accepted")

    # 退件 needs a reason and one more confirmation
    page.locator('[data-test="lifecycle-actions"]').get_by_role("button", name="退件").click()
    dialog = page.get_by_role("dialog", name="退件")
    dialog.get_by_role("button", name="确定退件").click()
    dialog.get_by_text("请填写理由").wait_for()
    check_page(visit, "case-return-dialog")
    dialog.get_by_label("理由").fill("申请人要求取回材料")
    dialog.get_by_role("button", name="确定退件").click()
    page.get_by_role("dialog", name="请确认").get_by_role("button", name="确定退件").click()
    page.locator('[data-test="action-done"]').get_by_text(re.compile("已退件")).wait_for()
    page.locator('[data-test="no-actions"]').wait_for()
    assert page.locator('[data-test="timeline"]').get_by_text(f"{AGENT_NAME} 退件：申请人要求取回材料").is_visible()


def test_a_task_is_delegated_to_a_colleague_of_the_queue(visit, server):
    ctx = server.ctx
    with ctx.uow.begin() as tx:
        window = tx.conn.execute(select(Window.id).where(Window.code == "ZCZ-QS-W01")).scalar_one()
        add_post(tx, add_staff(tx, "zcz_qs_agent2", "第二代办员"), window, "agent")
    invalidate(ctx)
    task = first_task(ctx)
    page = visit.login(AGENT)
    visit.go(f"/console/tasks/{task.id}")
    page.locator('[data-test="claim"]').click()
    page.get_by_text("已签收，可以办理。").wait_for()
    page.get_by_role("button", name="转交同事").click()
    dialog = page.get_by_role("dialog", name="转交给同事")
    dialog.locator('[data-test="dialog-submit"]').click()
    dialog.get_by_text("请选择同事").first.wait_for()
    pick(page, "转交给", "第二代办员（zcz_qs_agent2）")
    check_page(visit, "delegate-dialog")
    dialog.locator('[data-test="dialog-submit"]').click()
    page.get_by_text("已转交给 第二代办员。").wait_for()
    page.locator('[data-test="timeline"]').get_by_text(f"{AGENT_NAME} 将「代办收件」转交给 zcz_qs_agent2").wait_for()
    page.get_by_text("本任务已由 第二代办员 签收，您只能查看。").wait_for()


def test_a_step_is_returned_with_a_reason_after_one_more_confirmation(visit, server):
    ctx = server.ctx
    agent = staff(ctx, AGENT)
    intake = first_task(ctx)
    tasks.claim(ctx, intake.id, agent)
    tasks.complete(ctx, intake.id, INTAKE, agent)
    review = first_task(ctx, "zcz_reviewer")
    page = visit.login("zcz_reviewer")
    visit.go(f"/console/tasks/{review.id}")
    page.get_by_role("heading", name="办理：乡镇初审").wait_for()
    page.get_by_role("button", name="退回上一环节").click()
    dialog = page.get_by_role("dialog", name="退回上一环节")
    dialog.locator('[data-test="dialog-submit"]').click()
    dialog.get_by_text("请填写退回理由").wait_for()
    dialog.get_by_label("退回理由").fill("委托书编号与原件不符")
    check_page(visit, "return-dialog")
    dialog.locator('[data-test="dialog-submit"]').click()
    page.get_by_role("dialog", name="请确认").get_by_role("button", name="退回上一环节").click()
    page.get_by_text("已退回上一环节。").wait_for()
    timeline = page.locator('[data-test="timeline"]')
    timeline.get_by_text("ZCZ审核员 退回了「乡镇初审」，理由：委托书编号与原件不符").wait_for()
    check_page(visit, "returned")
