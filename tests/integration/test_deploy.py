"""Deployments are all-or-nothing and versioned by content; running cases keep their version."""
import pytest
from sqlalchemy import select

from demo.loader import workflow_files
from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import DeployError
from engine.services import cases, definitions, tasks
from engine.store.models import Case, Event, ProcessDefinition
from tests.conftest import ROOT, row_counts, staff, window_id
from tests.form_samples import sample, task_data
from tests.integration.helpers import FIXTURES, add_item, deploy_files
from tests.integration.test_case_flow import only_task, start_food

SYSTEM = Actor.system("test")


def versions(ctx):
    with ctx.uow.begin() as tx:
        return sorted(tx.conn.execute(select(ProcessDefinition.key, ProcessDefinition.version)).all())


def test_identical_content_is_not_a_new_version(demo):
    ctx = demo
    before = row_counts(ctx)
    result = definitions.deploy(ctx, workflow_files(ROOT / "workflows"), SYSTEM)
    assert result.deployment_id is None and not any(p.created for p in result.processes)
    assert row_counts(ctx) == before


def test_changed_process_gets_a_new_version_and_running_cases_keep_theirs(demo):
    ctx = demo
    old_case = start_food(ctx)
    source = (ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8")
    changed = source.replace('name="代办收件"', 'name="代办收件（新版）"')
    assert changed != source
    result = definitions.deploy(ctx, [SourceFile("food_licence.bpmn", changed.encode())], SYSTEM)
    assert [(p.key, p.version, p.created) for p in result.processes] == [("food_licence", 2, True)]
    new_case = start_food(ctx)
    with ctx.uow.begin() as tx:
        defs = dict(tx.conn.execute(select(Case.id, ProcessDefinition.version)
                                    .join(ProcessDefinition, ProcessDefinition.id == Case.definition_id)).all())
    assert defs == {old_case.case_id: 1, new_case.case_id: 2}
    names = {t.case_id: t.name for t in tasks.inbox(ctx, staff(ctx, "zcz_qs_agent"))}
    assert names == {old_case.case_id: "代办收件", new_case.case_id: "代办收件（新版）"}
    # the old case still runs to its next step on version 1
    old_task = next(t for t in tasks.inbox(ctx, staff(ctx, "zcz_qs_agent")) if t.case_id == old_case.case_id)
    tasks.complete(ctx, old_task.id, task_data(ctx, old_task.id), staff(ctx, "zcz_qs_agent"))
    assert only_task(ctx, "zcz_reviewer").case_id == old_case.case_id


def test_a_deployment_with_any_error_writes_nothing(demo):
    ctx = demo
    before = row_counts(ctx)
    good = (ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8").replace("代办收件", "代办收件2")
    bad = b"<bpmn:definitions>"
    with pytest.raises(DeployError) as err:
        definitions.deploy(ctx, [SourceFile("food_licence.bpmn", good.encode()), SourceFile("bad.bpmn", bad)], SYSTEM)
    assert err.value.problems[0].file == "bad.bpmn"
    assert row_counts(ctx) == before


def test_unknown_department_is_a_deploy_error(demo):
    ctx = demo
    before = row_counts(ctx)
    xml = (FIXTURES / "misrouted.bpmn").read_text(encoding="utf-8").replace("@civil", "@nosuchdept")
    with pytest.raises(DeployError) as err:
        definitions.deploy(ctx, [SourceFile("x.bpmn", xml.encode())], SYSTEM)
    assert err.value.code == "routing_unknown_department" and err.value.problems[0].element == "civil_review"
    assert row_counts(ctx) == before


def test_a_dry_run_runs_every_check_and_writes_nothing(demo):
    ctx = demo
    before = row_counts(ctx)
    xml = (FIXTURES / "misrouted.bpmn").read_text(encoding="utf-8").replace("@civil", "@nosuchdept")
    with pytest.raises(DeployError) as err:
        definitions.deploy(ctx, [SourceFile("x.bpmn", xml.encode())], SYSTEM, dry_run=True)
    assert err.value.code == "routing_unknown_department" and err.value.problems[0].element == "civil_review"
    changed = [SourceFile("food_licence.bpmn", (ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8")
                          .replace('name="代办收件"', 'name="代办收件（新版）"').encode())]
    preview = definitions.deploy(ctx, changed, SYSTEM, dry_run=True)
    assert row_counts(ctx) == before
    done = definitions.deploy(ctx, changed, SYSTEM)
    assert preview.deployment_id is None and done.deployment_id is not None
    [would], [did] = preview.processes, done.processes
    assert (would.key, would.version, would.definition_id, would.created) == ("food_licence", 2, None, True)
    assert (did.version, did.created, did.user_tasks) == (2, True, would.user_tasks)
    again = definitions.deploy(ctx, changed, SYSTEM, dry_run=True)
    assert again.processes == [definitions.DeployedProcess("food_licence", 2, did.definition_id, False, did.user_tasks)]


def test_call_activity_resolves_to_a_previously_deployed_process(ctx):
    from demo.loader import load_demo
    load_demo(ctx, ROOT / "workflows")   # organisation + everything, so departments exist
    only_caller = (ROOT / "workflows" / "restaurant_opening.bpmn").read_text(encoding="utf-8").replace(
        "一窗受理", "一窗受理（改）")
    result = definitions.deploy(ctx, [SourceFile("restaurant_opening.bpmn", only_caller.encode())], SYSTEM)
    assert [(p.key, p.version) for p in result.processes] == [("restaurant_opening", 2)]


def test_joint_item_fans_out_to_two_departments_and_joins(demo):
    ctx = demo
    started = cases.start_case(ctx, cases.StartCase("620100-LB-0003", window_id(ctx, "LZXQ-W01"),
                                                    {"name": "兰州餐饮有限公司"},
                                                    sample("apply_restaurant_opening", shop_name="黄河边餐馆")),
                               staff(ctx, "lzxq_receiver"))
    acceptance = only_task(ctx, "lzxq_receiver")
    tasks.complete(ctx, acceptance.id, task_data(ctx, acceptance.id), staff(ctx, "lzxq_receiver"))
    food = only_task(ctx, "lzxq_market_reviewer")
    hygiene = only_task(ctx, "lzxq_health_reviewer")
    assert (food.spec_id, hygiene.spec_id) == ("food_review", "hygiene_review")
    tasks.complete(ctx, food.id, task_data(ctx, food.id, **{"opinion": "ok"}), staff(ctx, "lzxq_market_reviewer"))
    tasks.complete(ctx, hygiene.id, task_data(ctx, hygiene.id, **{"opinion": "ok"}), staff(ctx, "lzxq_health_reviewer"))
    market_decision = only_task(ctx, "lzxq_market_approver")
    tasks.complete(ctx, market_decision.id, task_data(ctx, market_decision.id, **{"decision": "granted"}),
                   staff(ctx, "lzxq_market_approver"))
    assert tasks.inbox(ctx, staff(ctx, "lzxq_issuer")) == []       # the join waits for both branches
    health_decision = only_task(ctx, "lzxq_health_approver")
    tasks.complete(ctx, health_decision.id, task_data(ctx, health_decision.id, **{"decision": "granted"}),
                   staff(ctx, "lzxq_health_approver"))
    issue = only_task(ctx, "lzxq_issuer")
    done = tasks.complete(ctx, issue.id, task_data(ctx, issue.id), staff(ctx, "lzxq_issuer"))
    assert done.status == "completed" and done.case_id == started.case_id


def test_target_missing_in_the_org_tree_goes_to_the_supervisor_queue(demo):
    ctx = demo
    deploy_files(ctx, FIXTURES / "misrouted.bpmn")
    add_item(ctx, "TEST-MIS", "misrouted")
    started = cases.start_case(ctx, cases.StartCase("TEST-MIS", window_id(ctx, "XCZ-HJ-W01"), {"name": "赵六"}),
                               staff(ctx, "xcz_hj_agent"))
    intake = only_task(ctx, "xcz_receiver")
    tasks.complete(ctx, intake.id, {}, staff(ctx, "xcz_receiver"))
    task = only_task(ctx, "xcz_supervisor")     # the township above the receiving village
    assert task.routed_role == "supervisor" and "civil" in task.routing_error
    # the district supervisor oversees the whole tree and sees it too
    assert [t.id for t in tasks.inbox(ctx, staff(ctx, "lzxq_supervisor"))] == [task.id]
    assert tasks.inbox(ctx, staff(ctx, "zcz_supervisor")) == []
    with ctx.uow.begin() as tx:
        types = tx.conn.execute(select(Event.type).where(Event.case_id == started.case_id)).scalars().all()
    assert "task_routing_failed" in types
    tasks.complete(ctx, task.id, task_data(ctx, task.id, **{"opinion": "转民政局办理"}), staff(ctx, "xcz_supervisor"))
