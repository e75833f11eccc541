"""迁移在办办件 in a browser (docs/migration.md#the-console-page): an administrator (designers may
migrate too, but only an administrator or staff of the case's units may open the case page the
result links to) opens the page from
the studio for the food licence, whose v2 (deployed in the test) renamed the step both demo cases
stand at (proxy_intake -> proxy_receive). Validating with the generated mapping refuses both
cases, each naming the step; she maps the step in its select, picks the two cases from the list,
validates (both can move), confirms and executes; each is migrated, linked to its case page,
and its open task is the renamed step. A case moved into a new embedded sub-process and back out
of it shows in its result the sub-process it entered or left, in Chinese and in English. A clerk
(no designer role) is told she may not."""
import re

from sqlalchemy import select

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.services import cases, definitions, tasks
from engine.store import tables as t
from tests.browser.conftest import start_proxy_case
from tests.conftest import ROOT, staff, window_id
from tests.integration.helpers import FIXTURES, add_item


def food_licence_v2(ctx) -> None:
    """A second version of the food licence whose first step has another id (and name)."""
    source = (ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8")
    changed = (source.replace('id="proxy_intake"', 'id="proxy_receive"')
               .replace('Ref="proxy_intake"', 'Ref="proxy_receive"')
               .replace('bpmnElement="proxy_intake"', 'bpmnElement="proxy_receive"')
               .replace('name="代办收件"', 'name="代办收件（新）"'))
    definitions.deploy(ctx, [SourceFile("food_licence.bpmn", changed.encode())], Actor.system("test"), name="v2")


def cases_of(ctx):
    """(case id, number, definition id, open step) of the food licence cases, by id."""
    with ctx.uow.read() as tx:
        return [tuple(r) for r in tx.conn.execute(
            select(t.case.c.id, t.case.c.number, t.case.c.definition_id, t.task.c.spec_id)
            .join(t.task, (t.task.c.case_id == t.case.c.id) & (t.task.c.state == "open"))
            .where(t.case.c.status == "running").order_by(t.case.c.id)).all()]


def check(visit, name):
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot(name)


def test_an_administrator_migrates_two_demo_cases_to_a_new_version(visit, server):
    ctx = server.ctx
    start_proxy_case(ctx)                        # the demo has one such case; a second one
    food_licence_v2(ctx)
    before = cases_of(ctx)
    assert len(before) == 2 and {step for *_, step in before} == {"proxy_intake"}
    numbers = [number for _, number, _, _ in before]

    page = visit.login("admin")
    visit.go("/console/studio")
    page.locator("[data-test=process-food_licence] [data-test=migrate-link]").click()
    page.wait_for_url(re.compile(r"/console/migrations\?"))
    page.locator("[data-test=running]").get_by_text("在办 2 件").wait_for()
    row = page.locator("[data-test=row-proxy_intake]")
    assert "代办收件" in row.inner_text() and "人工环节" in row.inner_text() and "主流程" in row.inner_text()
    check(visit, "plan")

    # the generated mapping has no counterpart for the renamed step: both cases refused, in words
    page.locator("[data-test=validate]").click()
    report = page.locator("[data-test=report]")
    report.get_by_text("0 件可迁移，2 件不能迁移").wait_for()
    text = report.inner_text()
    assert all(number in text for number in numbers)
    assert text.count("环节 代办收件（proxy_intake）：办件所在环节在新版本中没有对应环节") == 2
    check(visit, "refused")

    # map the step in its select, pick the two cases from the list
    row.locator("[data-test=target-proxy_intake]").click()
    page.locator(".el-select-dropdown:visible").get_by_text("代办收件（新）（proxy_receive）").click()
    row.get_by_text("已修改").wait_for()
    page.locator("[data-test=scope-some]").click()
    page.get_by_placeholder("按办件编号或环节筛选").fill(numbers[0][-4:])
    page.locator(f"[data-test=pick-{numbers[0]}]").click()
    page.get_by_placeholder("按办件编号或环节筛选").fill("")
    page.locator(f"[data-test=pick-{numbers[1]}]").click()
    page.locator("[data-test=cases]").get_by_text("已选 2 件").wait_for()
    page.locator("[data-test=validate]").click()
    report.get_by_text("2 件可迁移，0 件不能迁移").wait_for()
    assert [c[2] for c in cases_of(ctx)] == [c[2] for c in before]          # validating wrote nothing
    check(visit, "valid")

    page.locator("[data-test=execute]").click()
    dialog = page.locator("[data-test=confirm-dialog]")
    dialog.get_by_text("将把 2 件办件从 v1 迁移到 v2").wait_for()
    check(visit, "confirm")
    dialog.locator("[data-test=confirm-execute]").click()
    page.get_by_role("heading", name="迁移结果").wait_for()
    report.get_by_text("2 件已迁移").wait_for()
    assert report.inner_text().count("已迁移") >= 2 and "proxy_intake → proxy_receive" in report.inner_text()
    page.locator("[data-test=running]").get_by_text("在办 0 件").wait_for()
    after = cases_of(ctx)
    assert {step for *_, step in after} == {"proxy_receive"}
    assert len({definition for _, _, definition, _ in after} - {before[0][2]}) == 1
    check(visit, "migrated")

    # each result links to its case
    report.get_by_role("link", name=re.compile(numbers[0])).click()
    page.wait_for_url(re.compile(rf"/console/cases/{before[0][0]}$"))


def test_a_clerk_may_not_migrate(visit, server):
    page = visit.login("zcz_reviewer")
    visit.go("/console/migrations")
    page.locator("[data-test=migration-not-allowed]").get_by_text("需要流程设计员或管理员角色").wait_for()
    check(visit, "not-allowed")


def _at_review_across_scopes(ctx):
    """A case of the cross-scope test process waiting at review on v1's own flow; (v1, v2) ids, v2
    running review inside its new sub-process 审查阶段 (stage)."""
    def deploy(name):
        return definitions.deploy(ctx, [SourceFile(name, (FIXTURES / "migration" / name).read_bytes())],
                                  Actor.system("test"), name=name).processes[0].definition_id

    v1 = deploy("xscope_v1.bpmn")
    add_item(ctx, "TEST-MIGX", "mig_x")
    case_id = cases.start_case(ctx, cases.StartCase("TEST-MIGX", window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                               staff(ctx, "xcz_receiver")).case_id
    with ctx.uow.read() as tx:
        [intake] = tx.conn.execute(select(t.task.c.id).where(t.task.c.case_id == case_id,
                                                             t.task.c.state == "open")).scalars().all()
    tasks.complete(ctx, intake, {"received": "齐全"}, staff(ctx, "xcz_receiver"))
    return v1, deploy("xscope_v2.bpmn")


def _execute(visit, source, target):
    page = visit.go(f"/console/migrations?key=mig_x&source={source}&target={target}")
    page.locator("[data-test=running]").get_by_text("在办 1 件").wait_for()
    page.locator("[data-test=execute]").click()
    page.locator("[data-test=confirm-execute]").click()
    report = page.locator("[data-test=report]")
    report.get_by_text("1 件已迁移").wait_for()
    return page, report


def test_a_result_shows_the_sub_process_a_task_entered_or_left(visit, server):
    v1, v2 = _at_review_across_scopes(server.ctx)
    page = visit.login("admin")
    page, report = _execute(visit, v1, v2)
    report.locator(".migration__moved").get_by_text("review → review，进入子流程 审查阶段（stage）").wait_for()
    check(visit, "entered")

    page, report = _execute(visit, v2, v1)
    moved = report.locator(".migration__moved")
    moved.get_by_text("review → review，离开子流程 审查阶段（stage）").wait_for()
    check(visit, "left")
    _menu(visit, page)
    page.get_by_role("button", name="English").click()
    moved.get_by_text("review → review, left the sub-process 审查阶段（stage）").wait_for()
    _menu(visit, page)                      # (a phone's menu stays open: close it)
    check(visit, "left-en")


def _menu(visit, page):
    if visit.width_name == "phone":
        page.get_by_role("button", name=re.compile("^(菜单|Menu)$")).click()
