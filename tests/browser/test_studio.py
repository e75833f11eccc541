"""The designer studio: a designer draws a two-step process in the modeler (one real palette click,
the rest through the modeler's own API), sees the step without a routing target marked as a
warning (it would go to the receiving window), gives it a post in the properties panel, deploys,
and learns why she cannot start a test case; on a phone she reads the processes and a diagram.
The deployed version is read back by the parser (the round trip of what the studio writes)."""
import re

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.services import definitions
from tests.conftest import ROOT

# two user tasks after the palette's end event is placed: only the first gets a routing target
DRAW = """canvas => {
  const m = canvas.bpmnModeler
  const registry = m.get('elementRegistry'), modeling = m.get('modeling'), factory = m.get('elementFactory')
  const root = m.get('canvas').getRootElement()
  const start = registry.filter(e => e.type === 'bpmn:StartEvent')[0]
  const end = registry.filter(e => e.type === 'bpmn:EndEvent')[0]
  modeling.moveShape(end, { x: 680 - end.x - end.width / 2, y: 178 - end.y - end.height / 2 })
  const bo = (id, name) => m.get('bpmnFactory').create('bpmn:UserTask', { id, name })
  const task = (id, name, x) => modeling.createShape(
    factory.createShape({ type: 'bpmn:UserTask', businessObject: bo(id, name) }), { x, y: 178 }, root)
  const first = task('intake', '收件', 300), second = task('review', '审查', 480)
  modeling.updateProperties(first, { 'camunda:candidateGroups': 'village:agent' })
  modeling.connect(start, first); modeling.connect(first, second); modeling.connect(second, end)
  m.get('canvas').zoom('fit-viewport', 'auto')
  return registry.filter(e => e.type === 'bpmn:UserTask').length
}"""


def _input(page, test_id: str):
    """Element Plus puts a text field's attributes on the <input> itself, an input number's on its wrapper."""
    return page.locator(f"input[data-test={test_id}], [data-test={test_id}] input").first


def _pick(page, test_id: str, option: str):
    page.locator(f"[data-test={test_id}]").click()
    page.locator(".el-select-dropdown__item:visible", has_text=option).first.click()


def test_a_designer_draws_validates_fixes_and_deploys(visit, server):
    _food_licence_v2(server.ctx)
    visit.expect_status(422)           # the dry run refuses the diagram while it is half drawn
    if visit.width_name == "phone":
        return _phone(visit)
    page = visit.login("designer")
    page.wait_for_url(re.compile("/console/studio$"))           # a designer's home is the studio
    page.get_by_role("heading", name="流程设计室").wait_for()
    page.locator("[data-test=process-food_licence]").wait_for()
    visit.shot("list")
    page.locator("[data-test=studio-new]").click()
    _input(page, "new-key").fill("studio_two_steps")
    _input(page, "new-name").fill("两步流程")
    page.locator("[data-test=new-start]").click()
    canvas = page.locator("[data-test=canvas]")
    canvas.locator(".djs-palette").wait_for()
    # one real palette click: the end event, dropped on the canvas by the mouse
    page.locator(".djs-palette .entry[data-action=\"create.end-event\"]").click()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 700, box["y"] + 300)
    page.mouse.click(box["x"] + 700, box["y"] + 300)
    assert canvas.evaluate(DRAW) == 2
    # the second task has no routing target: deployable (to the receiving window), marked and listed as a warning
    page.locator(".djs-element.studio-warning[data-element-id=review]").wait_for()
    warnings = page.locator("[data-test=warnings]")
    assert "review" in warnings.inner_text() and "综合受理" in warnings.inner_text()
    page.locator("[data-test=check-status]").get_by_text("可以部署").wait_for()
    visit.shot("warning")
    warnings.locator("button[data-element=review]").click()
    panel = page.locator("[data-test=properties]")
    panel.get_by_text("review").wait_for()
    _pick(page, "routing-tier", "乡镇")
    _pick(page, "routing-role", "审查")
    _input(page, "prop-form").fill("pre_review")
    _input(page, "prop-form").press("Enter")
    _input(page, "prop-workdays").fill("5")
    _input(page, "prop-workdays").press("Enter")
    _pick(page, "prop-stage", "审核")
    page.locator("[data-test=check-status]").get_by_text("可以部署").wait_for()
    page.locator("[data-test=warnings]").wait_for(state="detached")
    assert page.locator(".studio-problem, .studio-warning").count() == 0
    visit.axe()
    visit.shot("fixed")
    _input(page, "deploy-name").fill("两步流程首版")
    page.locator("[data-test=deploy]").click()
    page.locator("[data-test=deployed]").get_by_text("已部署 studio_two_steps v1").wait_for()
    _read_back(server.ctx)
    page.locator("[data-test=back-to-list]").click()
    row = page.locator("[data-test=version-studio_two_steps-1]")
    row.wait_for()
    assert "designer" in row.inner_text()
    row.locator("[data-test=test-run]").click()
    page.locator("[data-test=test-run-impossible]").get_by_text("没有已发布的事项使用流程 studio_two_steps").wait_for()
    visit.shot("test-run-impossible")
    page.get_by_role("button", name="关闭", exact=True).click()
    # a published item runs the food licence, but the designer holds no post at a receiving window
    page.locator("[data-test=version-food_licence-2] [data-test=test-run]").click()
    page.locator("[data-test=test-run-no-window]").get_by_text("您在这些受理窗口都没有岗位").wait_for()
    page.get_by_role("button", name="关闭", exact=True).click()
    _diff(visit, page)


def _food_licence_v2(ctx):
    """A second version of the food licence (a renamed step, a changed limit) to compare with."""
    source = (ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8")
    changed = (source.replace('name="乡镇初审"', 'name="乡镇初审（新）"')
               .replace('camunda:dueDate="P5D"', 'camunda:dueDate="workdays(3)"'))
    definitions.deploy(ctx, [SourceFile("food_licence.bpmn", changed.encode())], Actor.system("test"))


def _diff(visit, page):
    page.locator("[data-test=process-food_licence] [data-test=diff-link]").click()
    changes = page.locator("[data-test=diff-changes]")
    changes.get_by_text("township_pre_review").first.wait_for()
    assert "乡镇初审 → 乡镇初审（新）" in changes.inner_text() and "P5D → workdays(3)" in changes.inner_text()
    right = page.locator("[data-test=diff-right-canvas]")
    right.locator(".djs-element.diff-changed[data-element-id=township_pre_review]").wait_for()
    visit.no_sideways_scroll()
    visit.shot("diff")


def _read_back(ctx):
    """The deployed version as the parser read it: what the panel wrote is what the engine routes by."""
    with ctx.uow.read() as tx:
        row = tx.definitions.latest("studio_two_steps")
        metas = {m["id"]: m for m in tx.definitions.by_id(row.id).user_tasks}
    assert metas["intake"]["candidate_groups"] == ["village:agent"]
    assert metas["review"]["candidate_groups"] == ["township:reviewer"]
    assert metas["review"]["due_date"] == "workdays(5)" and metas["review"]["stage"] == "review"
    assert metas["review"]["form_key"] == "pre_review"



def _phone(visit):
    page = visit.login("designer")
    page.locator("[data-test=studio-phone-note]").wait_for()
    page.locator("[data-test=process-food_licence]").wait_for()
    assert page.locator("[data-test=edit]").count() == 0          # no modeler on a phone
    visit.no_sideways_scroll()
    visit.axe()
    visit.shot("list")
    page.locator("[data-test=version-food_licence-1] [data-test=view]").click()
    page.locator("[data-test=viewer] .djs-element[data-element-id=district_decide]").wait_for()
    assert "district:approver@market" in page.locator("[data-test=task-list]").inner_text()   # read from zeebe
    visit.no_sideways_scroll()
    visit.shot("view")
    page.get_by_role("link", name="热力图").click()               # the version's heatmap (docs/diagrams.md)
    page.wait_for_url(re.compile(r"/console/definitions/\d+/heatmap$"))
    page.go_back()
    page.locator("[data-test=task-list]").wait_for()
    page.locator("a", has_text="流程设计室").first.click()
    _diff(visit, page)


def test_a_designer_activates_and_deactivates_a_start_schedule(visit, server):
    """定时启动 on the version page (docs/camunda-bpmn.md#timer-start-events): a process whose
    newest version begins with a timer start event shows its schedule, inactive after deploy; the
    designer picks the item and the receiving window the server offers and activates it (next time
    shown, the change stored), then deactivates it. An older version only points to the newest."""
    from tests.integration.helpers import FIXTURES, add_item, deploy_files
    from engine.services import start_schedules
    from engine.domain.actor import Actor
    deploy_files(server.ctx, FIXTURES / "schedule" / "inspection_hourly.bpmn")
    add_item(server.ctx, "TEST-INSPECT", "site_inspection")
    page = visit.login("designer")
    page.locator("[data-test=process-site_inspection]").wait_for()
    page.locator("[data-test=version-site_inspection-1] [data-test=view]").click()
    panel = page.locator("[data-test=start-schedule]")
    panel.locator("[data-test=schedule-status]").get_by_text("未启用").wait_for()
    # the fixture has no drawing: said in words, no empty canvas, no English error
    page.locator("[data-test=no-diagram]").get_by_text("没有图形布局").wait_for()
    assert not page.locator("[data-test=viewer]").is_visible() and "no diagram" not in page.inner_text("main")
    assert "township:reviewer" in page.locator("[data-test=task-list]").inner_text()   # its steps, from the model
    assert "R/2026-11-27T10:00:00/PT1H" in panel.inner_text() and "尚未触发" in panel.inner_text()
    visit.no_sideways_scroll()
    visit.axe("document.querySelector('[data-test=start-schedule]')")    # the panel (the canvas is the viewer's)
    visit.shot("schedule-inactive")
    window = panel.locator("[data-test=schedule-window]").inner_text()
    panel.locator("[data-test=schedule-activate]").click()
    panel.locator("[data-test=schedule-status]").get_by_text("已启用").wait_for()
    panel.locator("[data-test=schedule-notice]").get_by_text("已启用定时启动").wait_for()
    assert "2026/11/27 10:00:00" in panel.locator("[data-test=schedule-next]").inner_text()
    stored = start_schedules.get_schedule(server.ctx, Actor.system("test"), "site_inspection")
    assert stored["active"] and stored["changed_by"] == "designer"
    chosen = next(w for c in stored["choices"] for w in c["windows"] if w["id"] == stored["window_id"])
    assert chosen["name"] in window
    visit.shot("schedule-active")
    panel.locator("[data-test=schedule-deactivate]").click()
    panel.locator("[data-test=schedule-status]").get_by_text("未启用").wait_for()
    assert not start_schedules.get_schedule(server.ctx, Actor.system("test"), "site_inspection")["active"]
    # a second version takes the schedule over: the first one's page points to it
    source = (FIXTURES / "schedule" / "inspection_hourly.bpmn").read_bytes().replace(b"PT1H", b"PT2H")
    definitions.deploy(server.ctx, [SourceFile("inspection_hourly.bpmn", source)], Actor.system("test"))
    page.reload()
    page.locator("[data-test=schedule-old-version]").get_by_text("v2").wait_for()
    assert page.locator("[data-test=start-schedule]").count() == 0
