"""Process diagrams in the console: a case's diagram with the step in progress marked on the SVG
(by bpmn-js `data-element-id`), and its version's heatmap with the table of figures; a step open
past its due inside an embedded sub-process marked and listed once."""
import re
from datetime import timedelta

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.services import cases, definitions
from tests.conftest import staff, window_id
from tests.form_samples import application
from tests.integration.helpers import FIXTURES, add_item


def test_case_diagram_and_its_heatmap(visit, server):
    [case] = cases.list_cases(server.ctx, staff(server.ctx, "lzxq_supervisor"))
    page = visit.login("lzxq_supervisor")
    visit.go(f"/console/cases/{case.id}")
    section = page.locator("[data-test=case-diagram]")
    section.get_by_role("button", name="显示流程图").click()
    page.locator('g.djs-element.lb-active[data-element-id="proxy_intake"]').wait_for()
    page.locator('g.djs-element.lb-completed[data-element-id="proxy_requested"]').wait_for()
    assert page.locator("svg[role=img]").get_attribute("aria-label").startswith("流程图：")
    steps = section.locator("[data-test=diagram-steps]")
    assert re.search(r"在办\s*代办收件|在办", steps.inner_text())
    assert page.locator(".lb-badge--token").count() == 1
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot("case")

    section.get_by_role("link", name="查看本版本热力图").click()
    page.get_by_role("heading", name=re.compile("流程热力图")).wait_for()
    table = page.locator("[data-test=heat-table]")
    table.get_by_text("平均工作日").wait_for()
    page.locator('g.djs-element[data-element-id="proxy_intake"]').wait_for()
    assert "办件数 1" in page.locator("[data-test=case-count]").inner_text()
    assert page.locator(".lb-badge").count() >= 1
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot("heatmap")
    href = page.locator("[data-test=heatmap-csv]").get_attribute("href")
    download = page.request.get(visit.base + href)
    assert download.ok and download.headers["content-type"].startswith("text/csv")

    # the applicant's own case: the same marks, step names only
    mine = cases.start_case(server.ctx, cases.StartCase(
        "620100-XK-SCJG-0001", window_id(server.ctx, "ZCZ-QS-W01"), {"name": "张三"},
        application(server.ctx, "620100-XK-SCJG-0001"), "online"), staff(server.ctx, "applicant_zhang")).case_id
    page.context.clear_cookies()
    visit.login("applicant_zhang")
    visit.go(f"/portal/cases/{mine}")
    page.locator("[data-test=case-diagram]").get_by_role("button", name="显示流程图").click()
    page.locator("g.djs-element.lb-active").first.wait_for()
    assert page.locator("[data-test=heatmap-link]").count() == 0
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot("applicant")


def test_an_overdue_step_inside_a_sub_process_is_marked_once(visit, server):
    ctx = server.ctx
    name = "diagram_subtask.bpmn"
    definitions.deploy(ctx, [SourceFile(name, (FIXTURES / name).read_bytes())], Actor.system("test"), name=name)
    add_item(ctx, "TEST-DGS", "diagram_subtask")
    case_id = cases.start_case(ctx, cases.StartCase("TEST-DGS", window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                               staff(ctx, "xcz_receiver")).case_id
    ctx.clock.advance(timedelta(days=4))                 # past its one working day, whatever the weekday
    page = visit.login("admin")
    visit.go(f"/console/cases/{case_id}")
    section = page.locator("[data-test=case-diagram]")
    section.get_by_role("button", name="显示流程图").click()
    page.locator('g.djs-element.lb-overdue[data-element-id="check"]').wait_for()
    page.locator('g.djs-element.lb-active[data-element-id="stage"]').wait_for()
    assert page.locator(".lb-badge--overdue").count() == 1
    steps = section.locator("[data-test=diagram-steps] li")
    assert [li.get_attribute("data-state") for li in steps.filter(has_text="现场核查").all()] == ["overdue"]
    visit.axe()
    visit.no_sideways_scroll()
    visit.shot("subprocess")
