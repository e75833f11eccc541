"""Assignee and candidate users given by an expression, on both databases, in Camunda 7's JUEL
(tests/fixtures/camunda/camunda_assign_expr.bpmn) and Camunda 8's FEEL (zeebe_assign_expr.bpmn):
computed from the case's data when the step opens, each name an active staff account; a value that
is not gives the step to nobody and raises an incident, whose retry computes again."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, DeployError
from engine.services import cases, definitions, incidents, org_admin, tasks
from engine.store import tables as t
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files
from tests.integration.test_camunda_candidate_users import _inbox, _open

DIAGRAMS = {"juel": (FIXTURES / "camunda" / "camunda_assign_expr.bpmn", "camunda_assign_expr"),
            "feel": (FIXTURES / "camunda" / "zeebe_assign_expr.bpmn", "zeebe_assign_expr")}
ADMIN = Actor.system("test")


@pytest.fixture(params=sorted(DIAGRAMS))
def dialect(request):
    return request.param


def _start(ctx, dialect, **intake):
    path, key = DIAGRAMS[dialect]
    deploy_files(ctx, path)
    add_item(ctx, "TEST-ASSIGN", key)
    return _intake(ctx, _new_case(ctx), intake)


def _variant(ctx, *replacements: tuple[bytes, bytes]) -> None:
    """The JUEL diagram with each (old, new) replaced, deployed, and an item for it."""
    path, key = DIAGRAMS["juel"]
    xml = path.read_bytes()
    for old, new in replacements:
        assert old in xml
        xml = xml.replace(old, new)
    definitions.deploy(ctx, [SourceFile(path.name, xml)], ADMIN)
    add_item(ctx, "TEST-ASSIGN", key)


def _new_case(ctx, form=None, name="张三") -> int:
    return cases.start_case(ctx, cases.StartCase("TEST-ASSIGN", window_id(ctx, "XCZ-W01"), {"name": name},
                                                 form or {}), staff(ctx, "xcz_receiver")).case_id


def _intake(ctx, case_id, data) -> int:
    [step] = _open(ctx, case_id)
    tasks.complete(ctx, step.id, data, staff(ctx, "xcz_receiver"))
    return case_id


def _offered(ctx, task_id):
    with ctx.uow.read() as tx:
        return sorted(tx.conn.execute(select(t.task_candidate.c.staff_id)
                                      .where(t.task_candidate.c.task_id == task_id)).scalars())


def _incidents(ctx, case_id):
    return incidents.list_incidents(ctx, staff(ctx, "admin"), case_id=case_id)[0]


def test_candidate_users_by_expression_are_offered_the_step_and_the_assignee_gets_the_next(demo, dialect):
    ctx = demo
    case_id = _start(ctx, dialect, reviewers=["xcz_reviewer", "zcz_reviewer"], approver="xcz_issuer")
    [check] = _open(ctx, case_id)
    assert (check.spec_id, check.routed_role, check.assignee_id) == ("check", "candidates", None)
    assert _offered(ctx, check.id) == sorted(staff(ctx, u).staff_id for u in ("xcz_reviewer", "zcz_reviewer"))
    for who in ("xcz_reviewer", "zcz_reviewer"):
        assert _inbox(ctx, who) == [check.id]
    assert check.id not in _inbox(ctx, "xcz_receiver")        # nobody else: not the receiving window
    tasks.claim(ctx, check.id, staff(ctx, "zcz_reviewer"))
    with pytest.raises(Conflict) as err:
        tasks.claim(ctx, check.id, staff(ctx, "xcz_reviewer"))
    assert err.value.code == "task_already_claimed"
    tasks.complete(ctx, check.id, {}, staff(ctx, "zcz_reviewer"))
    assert _offered(ctx, check.id) == []
    [sign] = _open(ctx, case_id)
    issuer = staff(ctx, "xcz_issuer")
    assert (sign.spec_id, sign.assignee_id) == ("sign", issuer.staff_id)     # claimed for her
    assert _inbox(ctx, "xcz_issuer") == [sign.id]
    tasks.complete(ctx, sign.id, {}, issuer)
    assert cases.get_case(ctx, case_id, staff(ctx, "xcz_receiver")).status == "completed"
    assert _incidents(ctx, case_id) == []


def test_a_comma_separated_text_offers_each_name(demo):
    case_id = _start(demo, "juel", reviewers="xcz_reviewer, zcz_reviewer", approver="xcz_issuer")
    [check] = _open(demo, case_id)
    assert len(_offered(demo, check.id)) == 2


@pytest.mark.parametrize("reviewers, shown", [
    (["xcz_reviewer", "new_clerk"], "['new_clerk']"),     # an unknown account: none of the list is offered it
    ("", "empty text"),
    (42, "gave 42"),
    ([{"name": "xcz_reviewer"}], "not a username"),
])
def test_a_refused_value_offers_the_step_to_nobody_and_raises_an_incident(demo, dialect, reviewers, shown):
    ctx = demo
    case_id = _start(ctx, dialect, reviewers=reviewers, approver="xcz_issuer")
    [check] = _open(ctx, case_id)
    assert (check.spec_id, check.routed_role, check.assignee_id) == ("check", "candidates", None)
    assert _offered(ctx, check.id) == [] and _inbox(ctx, "xcz_reviewer") == []
    [incident] = _incidents(ctx, case_id)
    assert (incident.kind, incident.element_id, incident.state) == ("assignment", "check", "open")
    assert shown in incident.message and "check" in incident.message
    with ctx.uow.read() as tx:
        kinds = list(tx.conn.execute(select(t.event.c.type).where(t.event.c.case_id == case_id)).scalars())
    assert "incident_raised" in kinds


def test_the_incident_retry_computes_again_once_the_account_exists(demo, dialect):
    ctx = demo
    case_id = _start(ctx, dialect, reviewers=["xcz_reviewer"], approver="new_clerk")
    [check] = _open(ctx, case_id)
    tasks.complete(ctx, check.id, {}, staff(ctx, "xcz_reviewer"))   # one name: assigned to her
    [sign] = _open(ctx, case_id)
    assert (sign.spec_id, sign.assignee_id) == ("sign", None)
    [incident] = _incidents(ctx, case_id)
    assert (incident.kind, incident.element_id) == ("assignment", "sign") and "'new_clerk'" in incident.message
    # still wrong: 409, nothing written, the incident stays open
    before = row_counts(ctx)
    with pytest.raises(Conflict) as err:
        incidents.retry(ctx, staff(ctx, "admin"), incident.id)
    assert err.value.code == "assignment_invalid" and "new_clerk" in err.value.message
    assert row_counts(ctx) == before
    # the account the data names is made: the retry assigns the step to her
    new_id = org_admin.create_staff(ctx, ADMIN, {"username": "new_clerk", "name": "新办事员"})
    retried = incidents.retry(ctx, staff(ctx, "admin"), incident.id)
    assert (retried.incident.state, retried.incident.resolution) == ("resolved", "retried")
    [sign] = _open(ctx, case_id)
    assert sign.assignee_id == new_id
    tasks.complete(ctx, sign.id, {}, staff(ctx, "new_clerk"))
    assert cases.get_case(ctx, case_id, staff(ctx, "xcz_receiver")).status == "completed"


def test_the_retry_offers_a_step_to_the_people_named_once_they_exist(demo):
    ctx = demo
    case_id = _start(ctx, "juel", reviewers=["xcz_reviewer", "new_clerk"], approver="xcz_issuer")
    [check] = _open(ctx, case_id)
    [incident] = _incidents(ctx, case_id)
    new_id = org_admin.create_staff(ctx, ADMIN, {"username": "new_clerk", "name": "新办事员"})
    incidents.retry(ctx, staff(ctx, "admin"), incident.id)
    assert _offered(ctx, check.id) == sorted([staff(ctx, "xcz_reviewer").staff_id, new_id])
    assert _inbox(ctx, "xcz_reviewer") == [check.id]


def test_a_deactivated_account_is_refused_at_run_time(demo):
    ctx = demo
    org_admin.update_staff(ctx, ADMIN, staff(ctx, "zcz_reviewer").staff_id, {"active": False})
    case_id = _start(ctx, "juel", reviewers=["zcz_reviewer"], approver="xcz_issuer")
    [check] = _open(ctx, case_id)
    assert _offered(ctx, check.id) == [] and check.assignee_id is None
    [incident] = _incidents(ctx, case_id)
    assert "zcz_reviewer" in incident.message


def test_mixed_written_and_computed_candidate_users(demo):
    ctx = demo
    _variant(ctx, (b'camunda:candidateUsers="${reviewers}"',
                   b'camunda:candidateUsers="xcz_social_approver, ${reviewers}"'))
    case_id = _intake(ctx, _new_case(ctx), {"reviewers": "zcz_reviewer", "approver": "xcz_issuer"})
    [check] = _open(ctx, case_id)
    assert _offered(ctx, check.id) == sorted(staff(ctx, u).staff_id for u in ("xcz_social_approver",
                                                                               "zcz_reviewer"))


@pytest.mark.parametrize("old, new, code", [
    (b'"${reviewers}"', b'"${reviewers.get(0)}"', "juel_unsupported"),
    (b'"${approver}"', b'"boss ${approver}"', "juel_unsupported"),
    (b'"${reviewers}"', b'"xcz_reviewer, nobody_here"', "assignee_unknown"),     # written names: checked now
])
def test_refusals_at_deploy_name_the_element_and_write_nothing(demo, old, new, code):
    path, _ = DIAGRAMS["juel"]
    before = row_counts(demo)
    with pytest.raises(DeployError) as err:
        definitions.deploy(demo, [SourceFile(path.name, path.read_bytes().replace(old, new))], ADMIN)
    element = "check" if b"reviewers" in old else "sign"
    assert [(p.code, p.element) for p in err.value.problems] == [(code, element)]
    assert row_counts(demo) == before


def test_a_first_step_given_by_the_application_form_raises_its_incident_as_the_case_starts(demo):
    ctx = demo
    _variant(ctx, (b'camunda:candidateGroups="township:receiver"', b'camunda:assignee="${form.clerk}"'))
    good = _new_case(ctx, {"clerk": "xcz_issuer"})
    assert [(s.spec_id, s.assignee_id) for s in _open(ctx, good)] == [("intake", staff(ctx, "xcz_issuer").staff_id)]
    bad = _new_case(ctx, {"clerk": ["xcz_issuer"]}, name="李四")
    [intake] = _open(ctx, bad)
    assert (intake.routed_role, intake.assignee_id) == ("candidates", None)      # nobody's queue meanwhile
    [incident] = _incidents(ctx, bad)
    assert incident.element_id == "intake" and "['xcz_issuer']" in incident.message


def test_each_instance_of_a_multi_instance_step_is_assigned_its_element(demo):
    """Camunda's usual pattern: one review per person of a list, each assigned to its person."""
    ctx = demo
    _variant(ctx, (b'<bpmn:userTask id="check" name="Check" camunda:candidateUsers="${reviewers}"/>',
                   b'<bpmn:userTask id="check" name="Check" camunda:assignee="${reviewer}">'
                   b'<bpmn:multiInstanceLoopCharacteristics camunda:collection="${reviewers}" '
                   b'camunda:elementVariable="reviewer"/></bpmn:userTask>'))
    case_id = _intake(ctx, _new_case(ctx), {"reviewers": ["xcz_reviewer", "zcz_reviewer"], "approver": "xcz_issuer"})
    checks = _open(ctx, case_id)
    assert sorted(c.assignee_id for c in checks) == sorted(staff(ctx, u).staff_id
                                                           for u in ("xcz_reviewer", "zcz_reviewer"))
    assert _incidents(ctx, case_id) == []


def test_a_return_offers_the_step_again_to_the_people_the_data_names(demo):
    ctx = demo
    case_id = _start(ctx, "juel", reviewers=["xcz_reviewer", "zcz_reviewer"], approver="xcz_issuer")
    [check] = _open(ctx, case_id)
    tasks.claim(ctx, check.id, staff(ctx, "zcz_reviewer"))
    ctx.clock.advance(timedelta(minutes=5))              # the check is the step completed last
    tasks.complete(ctx, check.id, {}, staff(ctx, "zcz_reviewer"))
    assert _offered(ctx, check.id) == []
    [sign] = _open(ctx, case_id)
    tasks.return_to_previous(ctx, sign.id, "再核", staff(ctx, "xcz_issuer"))
    [again] = _open(ctx, case_id)
    assert (again.id, again.assignee_id) == (check.id, staff(ctx, "zcz_reviewer").staff_id)
    assert len(_offered(ctx, check.id)) == 2
    tasks.unclaim(ctx, check.id, staff(ctx, "zcz_reviewer"))
    assert _inbox(ctx, "xcz_reviewer") == [check.id]


def test_camunda_initiator_names_who_started_the_case(demo):
    """`camunda:initiator="starter"` on the start event and `camunda:assignee="${starter}"`: the
    step is assigned to the clerk who received the case, as Camunda assigns it to who started it."""
    ctx = demo
    starter = (b'<bpmn:startEvent id="start"/>', b'<bpmn:startEvent id="start" camunda:initiator="starter"/>')
    _variant(ctx, starter, (b'camunda:candidateGroups="township:receiver"', b'camunda:assignee="${starter}"'))
    [intake] = _open(ctx, _new_case(ctx))
    assert (intake.spec_id, intake.assignee_id) == ("intake", staff(ctx, "xcz_receiver").staff_id)
    # a name that cannot be a variable is refused at deploy, naming the start event
    with pytest.raises(DeployError) as err:
        _variant(ctx, (starter[0], starter[1].replace(b'"starter"', b'"_starter"')))
    assert [(p.code, p.element) for p in err.value.problems] == [("expression_invalid", "start")]
