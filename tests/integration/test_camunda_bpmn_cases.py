"""Camunda 7 diagrams running as cases on both databases (tests/fixtures/camunda/): a DMN decision
(camunda:decisionRef, singleEntry) picks the route, a JUEL gateway follows it, a parallel
multi-instance over a collection gives each reviewer an instance, an assigned step lands in its
assignee's inbox, and a step without a group goes to the receiving window. Deploy-time refusals
name the element and write nothing."""
import pytest
from sqlalchemy import select

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import DeployError
from engine.services import cases, definitions, tasks
from engine.store import tables as t
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files

PERMIT = (FIXTURES / "camunda" / "camunda_permit.bpmn", FIXTURES / "camunda" / "camunda_permit.dmn")
APPLICANT = {"name": "张三", "id_number": "620102199001011233", "phone": "13800000000"}


def _start(ctx, amount):
    deploy_files(ctx, *PERMIT)
    add_item(ctx, "TEST-CAMUNDA", "camunda_permit")
    return cases.start_case(ctx, cases.StartCase("TEST-CAMUNDA", window_id(ctx, "XCZ-W01"), APPLICANT,
                                                 {"amount": amount}), staff(ctx, "xcz_receiver"))


def _open(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.task.c.id, t.task.c.spec_id, t.task.c.routed_role, t.task.c.assignee_id,
                                      t.task.c.routing_error)
                               .where(t.task.c.case_id == case_id, t.task.c.state == "open")
                               .order_by(t.task.c.created_at, t.task.c.id)).all()


def test_decision_gateway_collection_and_assignee_run_to_the_end(demo):
    ctx = demo
    started = _start(ctx, 500)
    [assign] = _open(ctx, started.case_id)
    assert (assign.spec_id, assign.routing_error) == ("assign", None)        # the DMN said township
    tasks.complete(ctx, assign.id, {"reviewers": ["甲", "乙", "丙"]}, staff(ctx, "xcz_reviewer"))
    reviews = _open(ctx, started.case_id)
    assert [r.spec_id for r in reviews] == ["review"] * 3                    # one instance per reviewer
    for review in reviews:
        tasks.complete(ctx, review.id, {"ok": True}, staff(ctx, "xcz_reviewer"))
    [sign] = _open(ctx, started.case_id)
    reviewer = staff(ctx, "xcz_reviewer")
    assert (sign.spec_id, sign.assignee_id) == ("sign", reviewer.staff_id)   # camunda:assignee
    assert [i.id for i in tasks.inbox(ctx, reviewer)] == [sign.id]
    tasks.complete(ctx, sign.id, {}, reviewer)
    assert cases.get_case(ctx, started.case_id, staff(ctx, "xcz_receiver")).status == "completed"


def test_a_step_without_a_group_goes_to_the_receiving_window(demo):
    ctx = demo
    started = _start(ctx, 5000)                                               # the DMN said window
    [step] = _open(ctx, started.case_id)
    assert (step.spec_id, step.routed_role, step.routing_error) == ("window_step", "receiver", None)
    receiver = staff(ctx, "xcz_receiver")
    assert [i.id for i in tasks.inbox(ctx, receiver)] == [step.id]
    tasks.complete(ctx, step.id, {}, receiver)
    assert cases.get_case(ctx, started.case_id, receiver).status == "completed"


def test_the_deployment_warns_about_the_step_without_a_group(demo):
    result = definitions.deploy(demo, [SourceFile(p.name, p.read_bytes()) for p in PERMIT],
                                staff(demo, "designer"), dry_run=True)
    assert [(w.code, w.element) for w in result.warnings] == [("routing_target_missing", "window_step")]


@pytest.mark.parametrize("old, new, code, element", [
    (b'camunda:assignee="xcz_reviewer"', b'camunda:assignee="nobody_here"', "assignee_unknown", "sign"),
    (b'camunda:assignee="xcz_reviewer"', b'camunda:assignee="${initiator.name()}"', "juel_unsupported", "sign"),
    (b"${tier == 'township'", b"${tier.toString() == 'township'", "juel_unsupported", "to_review"),
    (b'camunda:decisionRef="permit_tier"', b'camunda:decisionRef="no_such_table"', "dmn_decision_missing",
     "decide_tier"),
])
def test_refusals_name_the_element_and_write_nothing(demo, old, new, code, element):
    before = row_counts(demo)
    bpmn = SourceFile(PERMIT[0].name, PERMIT[0].read_bytes().replace(old, new))
    with pytest.raises(DeployError) as err:
        definitions.deploy(demo, [bpmn, SourceFile(PERMIT[1].name, PERMIT[1].read_bytes())], Actor.system("t"))
    assert (err.value.problems[0].code, err.value.problems[0].element) == (code, element)
    assert row_counts(demo) == before
