"""An administrator's organisation pages: import a small addition to the demo organisation (a file
with a problem first: nothing written, the problem named with its row and field), add a window and
a post for the new person in the unit tree, and that person finds the village's open task in her
workbench at once (a task is routed to unit and role, so her new post is all it needs)."""
import json
import re

from engine.services import tasks
from tests.conftest import staff

NEW = {"username": "zcz_qs_new", "name": "新代办员", "password": "new-agent-1"}
ADDITION = {"staff": [NEW]}


def check_page(visit, name):
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot(name)


def field(name):
    """An input of an Element Plus ElInput named by its data-test (the attribute lands on the <input>)."""
    return f"input[data-test={name}], [data-test={name}] input"


def pick(page, label, option):
    """Chooses an option of an Element Plus select named by its label."""
    page.get_by_role("combobox", name=label, exact=True).click(force=True)
    page.get_by_role("option", name=option).click()


def upload(page, tmp_path, name, data, button):
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    page.locator("[data-test=org-file]").set_input_files(str(path))
    page.locator(f"[data-test=org-{button}]").click()


def test_an_administrator_imports_adds_a_window_and_a_post_and_the_new_clerk_gets_the_task(visit, server, tmp_path):
    page = visit.login("admin")
    if visit.width_name == "phone":
        page.get_by_role("button", name="菜单").click()
    page.locator("[data-test=nav-admin]").click()
    page.get_by_role("heading", name="组织架构管理").wait_for()
    page.get_by_role("tab", name="导入导出").click()

    visit.expect_status(422)
    broken = {**ADDITION, "posts": [{"username": NEW["username"], "window": "ZCZ-QS-W09", "role": "agent"}]}
    upload(page, tmp_path, "broken.json", broken, "import")
    problems = page.locator("[data-test=org-problems]")
    problems.get_by_text("ZCZ-QS-W09").wait_for()
    assert page.get_by_text("发现 1 个问题，未导入任何内容").is_visible()
    assert re.search(r"岗位\s+1\s+window", problems.inner_text())
    check_page(visit, "import-problems")
    upload(page, tmp_path, "addition.json", ADDITION, "import")
    page.locator("[data-test=org-result]").get_by_text("人员 新增 1").wait_for()

    page.get_by_role("tab", name="单位与窗口").click()
    page.locator("[data-test=unit-ZCZ-QS]").click()
    panel = page.locator("[data-test=unit-panel]")
    panel.get_by_role("heading", name=re.compile("清水村")).wait_for()
    panel.locator("[data-test=add-window]").click()
    form = page.locator("[data-test=entity-form]")
    form.get_by_label("编码").fill("ZCZ-QS-W02")
    form.get_by_label("名称").fill("新代办窗口")
    pick(page, "类型", "帮办代办窗口")
    visit.shot("window-form")
    page.locator("[data-test=entity-save]").click()
    panel.locator("[data-test=windows]").get_by_text("新代办窗口").wait_for()

    panel.locator("[data-test=add-post]").click()
    pick(page, "人员", "新代办员（zcz_qs_new）")
    pick(page, "窗口", "新代办窗口（ZCZ-QS-W02）")
    pick(page, "岗位角色", "帮办代办（agent）")
    page.locator("[data-test=entity-save]").click()
    panel.locator("[data-test=posts]").get_by_text("新代办员").wait_for()
    # the village's hall closes at 17:30: later receipts count from the next working day
    halls = panel.locator("[data-test=halls]")
    halls.get_by_role("button", name="修改").first.click()
    form.get_by_label("下班时间").fill("5:30")
    page.locator("[data-test=entity-save]").click()
    refused = form.locator(".el-form-item__error")               # refused, under the field it names
    refused.wait_for()
    assert "closes_at" in refused.inner_text()
    form.get_by_label("下班时间").fill("17:30")
    visit.shot("hall-form")
    page.locator("[data-test=entity-save]").click()
    halls.get_by_text("17:30").wait_for()
    check_page(visit, "unit")
    page.get_by_role("tab", name="岗位角色").click()
    page.locator("[data-test=roles]").get_by_text("督办监察").wait_for()
    check_page(visit, "roles")
    page.get_by_role("tab", name="人员账号").click()
    page.locator("[data-test=staff]").get_by_text("zcz_qs_new").wait_for()
    check_page(visit, "staff")

    # the demo's proxy case waits at 清水村 for an agent: the new post makes it hers too
    assert tasks.inbox(server.ctx, staff(server.ctx, NEW["username"]))      # the services agree
    if visit.width_name == "phone":
        page.get_by_role("button", name="菜单").click()
    page.locator("[data-test=logout]").click()
    page = visit.login(NEW["username"], NEW["password"])
    rows = page.locator('[data-test="worklist"]')
    rows.get_by_text("代办收件").first.wait_for()
    assert rows.get_by_text("食品经营许可").first.is_visible()
    check_page(visit, "new-clerk-inbox")


def test_an_administrator_edits_a_halls_seasons_weekdays_and_lunch_break(visit, server):
    """The 清水村 station's 办公时间: the demo's 夏季/冬季 hours are shown; a lunch break outside the
    hours is refused under the field the server names; a Saturday morning added to winter (周六不打烊)
    is saved, shown and kept by the server (tests/integration/test_deemed_receipt.py: what it means)."""
    page = visit.login("admin")
    if visit.width_name == "phone":
        page.get_by_role("button", name="菜单").click()
    page.locator("[data-test=nav-admin]").click()
    page.get_by_role("heading", name="组织架构管理").wait_for()
    page.locator("[data-test=unit-ZCZ-QS]").click()
    panel = page.locator("[data-test=unit-panel]")
    halls = panel.locator("[data-test=halls]")
    halls.get_by_text("冬季").wait_for()
    assert "09:00–12:00，13:30–17:00" in halls.inner_text()
    halls.locator("[data-test=edit-hours]").first.click()
    editor = page.locator("[data-test=hours-editor]")
    winter = editor.locator("[data-test=season-1]")
    assert winter.locator(field("season-name")).input_value() == "冬季"
    winter.locator(field("rule-lunch-to")).fill("18:30")          # ends after the hall closes
    visit.expect_status(422)
    page.locator("[data-test=hours-save]").click()
    refused = winter.locator("[data-test=rule-0] [data-test=row-error]")      # under the rule it names
    refused.wait_for()
    assert "午休须在办公时间之内" in refused.inner_text()
    assert winter.locator("[data-test=rule-0] .is-error").locator(field("rule-lunch-to")).count() == 1
    alert = editor.locator("[data-test=hours-error]").inner_text()
    assert "冬季 · 规则 1 · 午休结束" in alert and "hours[1].days[0].lunch.to" in alert
    check_page(visit, "hours-refused")
    winter.locator(field("rule-lunch-to")).fill("13:30")
    winter.locator("[data-test=add-rule-1]").click()                         # a Saturday morning rule
    saturday = winter.locator("[data-test=rule-1]")
    assert saturday.get_by_role("checkbox", name="周六").is_checked()
    saturday.locator(field("rule-closes")).fill("11:30")
    visit.shot("hours-editor")
    page.locator("[data-test=hours-save]").click()
    page.get_by_text("办公时间已保存").wait_for()
    halls.get_by_text("09:00–11:30").wait_for()
    check_page(visit, "hours-saved")

    # the server kept it
    from engine.services import org_admin
    [hall] = [h for h in org_admin.halls(server.ctx, staff(server.ctx, "admin")) if h["code"] == "ZCZ-QS-BMFW"]
    assert hall["hours"][1]["days"][1] == {"weekdays": [6], "opens": "09:00", "closes": "11:30"}
