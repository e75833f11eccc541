"""camunda:candidateUsers on both databases (tests/fixtures/camunda/camunda_candidates.bpmn): a
step naming several staff accounts is offered to each of them — in each one's inbox and worklist,
claimable by each, by nobody else — one claim wins and the other candidate gets 409; handing back,
delegating and returning (退回) keep the offer; the offers go when the step closes. Deploy-time
refusals name the element."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, DeployError, Forbidden, ValidationError
from engine.services import cases, definitions, migration, org_admin, tasks
from engine.store import tables as t
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files

DIAGRAM = FIXTURES / "camunda" / "camunda_candidates.bpmn"


def _start(ctx):
    deploy_files(ctx, DIAGRAM)
    add_item(ctx, "TEST-CANDIDATES", "camunda_candidates")
    started = cases.start_case(ctx, cases.StartCase("TEST-CANDIDATES", window_id(ctx, "XCZ-W01"), {"name": "张三"},
                                                    {}), staff(ctx, "xcz_receiver"))
    [intake] = _open(ctx, started.case_id)
    tasks.complete(ctx, intake.id, {}, staff(ctx, "xcz_receiver"))
    return started.case_id


def _open(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.task.c.id, t.task.c.spec_id, t.task.c.routed_role, t.task.c.assignee_id)
                               .where(t.task.c.case_id == case_id, t.task.c.state == "open")
                               .order_by(t.task.c.created_at, t.task.c.id)).all()


def _offers(ctx, task_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(func.count()).select_from(t.task_candidate)
                               .where(t.task_candidate.c.task_id == task_id)).scalar_one()


def _inbox(ctx, who):
    return [i.id for i in tasks.inbox(ctx, staff(ctx, who))]


def _worklist(ctx, who, scope="all"):
    return [i.id for i in tasks.worklist(ctx, staff(ctx, who), scope=scope).items]


def test_each_candidate_sees_the_step_one_claims_it_and_the_other_no_longer_can(demo):
    ctx = demo
    case_id = _start(ctx)
    [check] = _open(ctx, case_id)
    assert (check.spec_id, check.routed_role, check.assignee_id) == ("check", "candidates", None)
    # each named reviewer (one at another township) has it in her inbox and worklist; nobody else
    for who in ("xcz_reviewer", "zcz_reviewer"):
        assert _inbox(ctx, who) == [check.id]
        assert _worklist(ctx, who) == _worklist(ctx, who, "unclaimed") == [check.id]
        assert tasks.work_item(ctx, check.id, staff(ctx, who)).can_work
    for who in ("xcz_receiver", "xcz_issuer", "zcz_receiver"):
        assert check.id not in _inbox(ctx, who) and check.id not in _worklist(ctx, who)
    with pytest.raises(Forbidden) as err:
        tasks.claim(ctx, check.id, staff(ctx, "xcz_issuer"))
    assert err.value.code == "task_not_in_your_queue"
    # the reviewer of the other township may read the case she is offered a step of
    assert cases.get_case(ctx, case_id, staff(ctx, "zcz_reviewer")).id == case_id
    # one claims; the other can no longer (optimistic: the conditional update) and no longer sees it
    tasks.claim(ctx, check.id, staff(ctx, "zcz_reviewer"))
    with pytest.raises(Conflict) as err:
        tasks.claim(ctx, check.id, staff(ctx, "xcz_reviewer"))
    assert err.value.code == "task_already_claimed"
    assert _inbox(ctx, "xcz_reviewer") == [] and _inbox(ctx, "zcz_reviewer") == [check.id]
    assert [i.id for i in tasks.inbox(ctx, staff(ctx, "xcz_reviewer"), include_claimed_by_others=True)] == [check.id]
    # handed back, it is offered to both again
    tasks.unclaim(ctx, check.id, staff(ctx, "zcz_reviewer"))
    assert _inbox(ctx, "xcz_reviewer") == _inbox(ctx, "zcz_reviewer") == [check.id]
    # delegated: to the other candidate yes, to someone it is not offered to no
    tasks.claim(ctx, check.id, staff(ctx, "zcz_reviewer"))
    assert [c["username"] for c in tasks.colleagues(ctx, check.id, staff(ctx, "zcz_reviewer"))] == ["xcz_reviewer"]
    with pytest.raises(Forbidden) as err:
        tasks.delegate(ctx, check.id, "xcz_issuer", staff(ctx, "zcz_reviewer"))
    assert err.value.code == "delegate_not_eligible"
    assert tasks.delegate(ctx, check.id, "xcz_reviewer", staff(ctx, "zcz_reviewer")).assignee_id == \
        staff(ctx, "xcz_reviewer").staff_id
    tasks.complete(ctx, check.id, {}, staff(ctx, "xcz_reviewer"))
    assert _offers(ctx, check.id) == 0                              # closed: its offers are gone
    assert _inbox(ctx, "zcz_reviewer") == []


def test_candidate_users_widen_a_group_and_a_return_offers_the_step_again(demo):
    ctx = demo
    case_id = _start(ctx)
    [check] = _open(ctx, case_id)
    tasks.claim(ctx, check.id, staff(ctx, "xcz_reviewer"))
    ctx.clock.advance(timedelta(minutes=5))             # the check is the step completed last
    tasks.complete(ctx, check.id, {}, staff(ctx, "xcz_reviewer"))
    [sign] = _open(ctx, case_id)
    assert (sign.spec_id, sign.routed_role) == ("sign", "receiver")
    # its group's post and both named people see it (each once), a third person does not
    for who in ("xcz_receiver", "xcz_issuer", "xcz_social_approver"):
        assert _inbox(ctx, who) == [sign.id], who
    assert sign.id not in _inbox(ctx, "xcz_reviewer")
    # 退回 from the sign-off: the check opens again for who completed it, and is offered again
    tasks.claim(ctx, sign.id, staff(ctx, "xcz_issuer"))
    tasks.return_to_previous(ctx, sign.id, "材料不全", staff(ctx, "xcz_issuer"))
    assert _offers(ctx, sign.id) == 0
    [again] = _open(ctx, case_id)
    assert (again.id, again.assignee_id) == (check.id, staff(ctx, "xcz_reviewer").staff_id)
    tasks.unclaim(ctx, check.id, staff(ctx, "xcz_reviewer"))
    assert _inbox(ctx, "zcz_reviewer") == [check.id]


def test_a_withdrawn_case_leaves_no_offer(demo):
    ctx = demo
    case_id = _start(ctx)
    [check] = _open(ctx, case_id)
    cases.withdraw(ctx, case_id, "申请人撤回", staff(ctx, "xcz_receiver"))
    assert _offers(ctx, check.id) == 0 and _inbox(ctx, "zcz_reviewer") == []


def test_the_deployment_does_not_warn_about_a_step_offered_to_named_people(demo):
    result = definitions.deploy(demo, [SourceFile(DIAGRAM.name, DIAGRAM.read_bytes())], staff(demo, "designer"),
                                dry_run=True)
    assert list(result.warnings) == []


@pytest.mark.parametrize("old, new, code", [
    (b'"xcz_reviewer, zcz_reviewer"', b'"xcz_reviewer, nobody_here"', "assignee_unknown"),
    (b'"xcz_reviewer, zcz_reviewer"', b'"${approvers()}"', "juel_unsupported"),
    (b'"xcz_reviewer, zcz_reviewer"', b'"xcz_reviewer, #{reviewers.list()}"', "juel_unsupported"),
])
def test_refusals_name_the_element_and_write_nothing(demo, old, new, code):
    before = row_counts(demo)
    with pytest.raises(DeployError) as err:
        definitions.deploy(demo, [SourceFile(DIAGRAM.name, DIAGRAM.read_bytes().replace(old, new))], Actor.system("t"))
    assert [(p.code, p.element) for p in err.value.problems] == [(code, "check")]
    assert row_counts(demo) == before


def test_no_post_can_hold_the_role_of_steps_offered_to_named_people(demo):
    before = row_counts(demo)
    with pytest.raises(ValidationError) as err:
        org_admin.create_role(demo, Actor.system("t"),
                              {"code": "candidates", "name_zh": "候选人", "name_en": "Candidates"})
    assert (err.value.code, err.value.field) == ("org_code_taken", "code")
    assert row_counts(demo) == before


def test_a_migration_offers_the_step_as_the_target_version_names_it(demo):
    ctx = demo
    case_id = _start(ctx)
    [check] = _open(ctx, case_id)
    v1 = _definition_of(ctx, case_id)
    # v2 offers the check to other people; v3 gives it to a group instead
    v2 = _deploy_variant(ctx, b'"xcz_reviewer, zcz_reviewer"', b'"xcz_reviewer, xcz_issuer"')
    report = migration.execute(ctx, migration.MigrationRequest(v1, v2, {}, case_ids=(case_id,)), Actor.system("t"))
    assert [c.status for c in report.cases] == ["migrated"]
    assert _inbox(ctx, "xcz_issuer") == _inbox(ctx, "xcz_reviewer") == [check.id]
    assert _inbox(ctx, "zcz_reviewer") == [] and _offers(ctx, check.id) == 2
    v3 = _deploy_variant(ctx, b'camunda:candidateUsers="xcz_reviewer, zcz_reviewer"',
                         b'camunda:candidateGroups="township:reviewer"')
    migration.execute(ctx, migration.MigrationRequest(v2, v3, {}, case_ids=(case_id,)), Actor.system("t"))
    assert _offers(ctx, check.id) == 0 and _inbox(ctx, "xcz_issuer") == []
    [moved] = _open(ctx, case_id)
    assert (moved.id, moved.routed_role) == (check.id, "reviewer")
    assert _inbox(ctx, "xcz_reviewer") == [check.id]


def _definition_of(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.case.c.definition_id).where(t.case.c.id == case_id)).scalar_one()


def _deploy_variant(ctx, old: bytes, new: bytes) -> int:
    xml = DIAGRAM.read_bytes()
    assert old in xml
    [process] = definitions.deploy(ctx, [SourceFile(DIAGRAM.name, xml.replace(old, new))], Actor.system("t")).processes
    return process.definition_id
