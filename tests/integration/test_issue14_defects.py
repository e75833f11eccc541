"""Defects of issue 14, each pinned by a test that failed before its fix: user tasks inside
embedded sub-processes, routing from any window to the implementing body, and the start's
Idempotency-Key (the HTTP half is in tests/e2e/test_start_idempotency.py)."""
import pytest
from sqlalchemy import select

from demo.packages import RESTAURANT_PACKAGE
from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import ValidationError
from engine.services import cases, definitions, packages, tasks
from engine.store import tables as t
from engine.store.models import OrgUnit
from tests.conftest import row_counts, staff, window_id
from tests.form_samples import sample, task_data
from tests.integration.helpers import FIXTURES, add_item, deploy_files


APPLICANT = {"name": "张三", "id_number": "620102199001011233", "phone": "13800000000"}


def _only_task(ctx, username):
    inbox = tasks.inbox(ctx, staff(ctx, username))
    assert len(inbox) == 1, [t.name for t in inbox]
    return inbox[0]


def test_user_tasks_inside_embedded_sub_processes_run_to_the_end(demo):
    ctx = demo
    deploy_files(ctx, FIXTURES / "user_task_in_subprocess.bpmn")
    add_item(ctx, "TEST-SUBTASK", "sub_tasks")
    started = cases.start_case(ctx, cases.StartCase("TEST-SUBTASK", window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                               staff(ctx, "xcz_receiver"))
    assert started.status == "running" and len(started.tasks) == 1
    # each task is routed by its own candidate group, filed under the process that declares it
    for username, element in (("xcz_reviewer", "site_check"), ("xcz_receiver", "recheck"),
                              ("xcz_reviewer", "sign")):
        task = _only_task(ctx, username)
        assert (task.spec_id, task.routing_error) == (element, None)
        tasks.complete(ctx, task.id, {}, staff(ctx, username))
    view = cases.get_case(ctx, started.case_id, staff(ctx, "xcz_receiver"))
    assert view.status == "completed"


FOOD = "620100-XK-SCJG-0001"
# 困难残疾人生活补贴: a township item of 秦川镇 (elderly_allowance's process) in the demo catalogue
QCZ_ALLOWANCE = "11620100MB0000216M4001JF0180100"


def _open_tasks(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.task.c.spec_id, t.task.c.routed_org_unit_id, t.task.c.routed_role,
                                      t.task.c.routing_error)
                               .where(t.task.c.case_id == case_id, t.task.c.state == "open")).all()


def _unit(ctx, code):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def test_a_food_licence_received_at_the_district_window_reaches_a_real_queue(demo):
    ctx = demo
    started = cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "LZXQ-W01"), APPLICANT,
                                                    sample("apply_food_licence"), "window"),
                               staff(ctx, "lzxq_receiver"))
    [(element, unit, role, error)] = _open_tasks(ctx, started.case_id)
    # the village agent's intake is done by the district window that received the case
    assert (element, unit, role, error) == ("proxy_intake", _unit(ctx, "LZXQ"), "receiver", None)
    intake = _only_task(ctx, "lzxq_receiver")
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id), staff(ctx, "lzxq_receiver"))
    review = _only_task(ctx, "lzxq_receiver")         # the township's pre-review too
    assert review.spec_id == "township_pre_review" and review.routing_error is None
    assert tasks.inbox(ctx, staff(ctx, "lzxq_supervisor")) == []
    with ctx.uow.read() as tx:
        created = [e["payload"] for e in tx.events.of_stream(f"case:{started.case_id}") if e["type"] == "task_created"]
    assert created[0]["route"] == "village:agent"
    assert created[0]["stand_in"] == {"unit": _unit(ctx, "LZXQ"), "role": "receiver"}


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)     # routing does not depend on the database
def test_an_item_of_one_township_received_at_another_township_goes_to_its_body(demo):
    ctx = demo
    started = cases.start_case(ctx, cases.StartCase(QCZ_ALLOWANCE, window_id(ctx, "XCZ-W01"), APPLICANT,
                                                    sample("apply_elderly_allowance"), "window"),
                               staff(ctx, "xcz_receiver"))
    [(_, unit, role, error)] = _open_tasks(ctx, started.case_id)
    assert (unit, role, error) == (_unit(ctx, "QCZ"), "receiver", None)
    assert tasks.inbox(ctx, staff(ctx, "xcz_receiver")) == []
    task = _only_task(ctx, "qcz_receiver")
    tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "qcz_receiver"))
    assert _only_task(ctx, "qcz_reviewer").routing_error is None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)     # routing does not depend on the database
def test_a_package_received_at_the_district_routes_every_child(demo):
    ctx = demo
    started = packages.start_package(ctx, packages.StartPackage(
        RESTAURANT_PACKAGE.code, window_id(ctx, "LZXQ-W01"), APPLICANT,
        sample("apply_hygiene_licence", business_scope=["热食类食品制售"]), "window"), staff(ctx, "lzxq_receiver"))
    children = [c["case_id"] for c in started["children"]]
    assert len(children) == 2
    for child in children:
        opened = _open_tasks(ctx, child)
        assert opened and all(error is None and role != "supervisor" for _, _, role, error in opened), opened


def test_a_start_whose_first_step_cannot_be_routed_is_refused_and_leaves_nothing(demo):
    ctx = demo
    # the township has no civil-affairs department: no window of it can take the first step
    xml = (FIXTURES / "misrouted.bpmn").read_bytes().replace(b'targetRef="intake"', b'targetRef="civil_review"')
    definitions.deploy(ctx, [SourceFile("misrouted_first.bpmn", xml)], Actor.system("test"), name="t")
    add_item(ctx, "TEST-MIS", "misrouted")
    before = row_counts(ctx)
    with pytest.raises(ValidationError) as err:
        cases.start_case(ctx, cases.StartCase("TEST-MIS", window_id(ctx, "XCZ-W01"), {"name": "赵六"}),
                         staff(ctx, "xcz_receiver"))
    assert (err.value.code, err.value.field) == ("item_not_routable_here", "window_id")
    assert "civil" in str(err.value)
    assert row_counts(ctx) == before


def test_the_portal_offers_only_windows_from_which_every_step_can_be_routed(demo):
    """A step for the township's 消防 department, which only 张川镇 (ZCZ) has: the item's
    application lists ZCZ's windows and not those of the townships without it, where the
    step would have landed in a supervisor's queue."""
    from sqlalchemy import insert, update

    from engine.services.cases import applying
    from engine.store.models import Department, ItemImplementation
    with demo.uow.begin() as tx:
        tx.conn.execute(insert(Department).values(org_unit_id=_unit(demo, "ZCZ"), code="fire", name="消防工作站"))
    demo.caches.clear()
    deploy_files(demo, FIXTURES / "fire_review.bpmn")
    add_item(demo, "TEST-FIRE", "fire_review")
    with demo.uow.begin() as tx:
        tx.conn.execute(update(ItemImplementation).where(ItemImplementation.code == "TEST-FIRE").values(
            org_unit_id=_unit(demo, "LZXQ"), accepting_tiers=["township"], handle_forms=["online"]))
    demo.caches.clear()
    offered = applying.application(demo, "TEST-FIRE", staff(demo, "zcz_receiver"))["windows"]
    units = {w["unit"] for w in offered}
    assert units == {"ZCZ"}, units
    # and the one offered really routes the step to the department
    started = cases.start_case(demo, cases.StartCase("TEST-FIRE", offered[0]["id"], {"name": "王五"}),
                               staff(demo, "zcz_receiver"))
    tasks.complete(demo, started.tasks[0], {}, staff(demo, "zcz_receiver"))
    [fire] = [row for row in _open_tasks(demo, started.case_id)]
    assert (fire.spec_id, fire.routing_error) == ("fire_check", None)
    # without the department anywhere no township window is offered
    with demo.uow.begin() as tx:
        tx.conn.execute(update(Department).where(Department.code == "fire").values(code="fire_old"))
    demo.caches.clear()
    assert applying.application(demo, "TEST-FIRE", staff(demo, "zcz_receiver"))["windows"] == []
