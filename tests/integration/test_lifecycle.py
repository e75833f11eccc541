"""The lifecycle through the services on both databases: clock commands, stage-driven moves,
退件, 不予受理, 送达 and the documents each issues; every refusal leaves the database as it was."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain.errors import Conflict, Forbidden, ValidationError
from engine.domain.identity import mask_phone
from engine.services import cases, delivery
from engine.services import tasks as real_tasks
from engine.services import time_limits as case_clock
from engine.services.cases import documents, lifecycle
from engine.services.time_limits import timers
from engine.store.models import Case, CaseDocument, Event, Task, Timer
from tests.conftest import snapshot, staff, window_id
from tests.form_samples import sample, task_data
from tests.integration.test_case_flow import only_task, start_food


class _ValidTasks:
    """`tasks` whose complete() fills the rest of the task's form with valid sample data, so
    these tests state only the fields the lifecycle reads."""
    def __getattr__(self, name):
        return getattr(real_tasks, name)

    def complete(self, ctx, task_id, data, actor, **kw):
        return real_tasks.complete(ctx, task_id, task_data(ctx, task_id, **data), actor, **kw)


tasks = _ValidTasks()

ELDERLY = "620100-GG-MZ-0002"
FOOD_CODE = "620100-XK-SCJG-0001"


def state(ctx, case_id):
    with ctx.uow.read() as conn:
        return conn.conn.execute(select(Case.lifecycle, Case.status, Case.decision).where(Case.id == case_id)).one()


def doc_kinds(ctx, case_id):
    return [d.kind for d in documents.list_documents(ctx, case_id, staff(ctx, "admin"))]


def frozen(ctx):
    """Everything a refused command must leave untouched, lifecycle and documents included."""
    with ctx.uow.read() as conn:
        rows = conn.conn.execute(select(Case.id, Case.lifecycle, Case.decision, Case.delivered_at)
                                 .order_by(Case.id)).all()
    return snapshot(ctx), [tuple(r) for r in rows]


def to_decision(ctx, decision="granted"):
    case_id = start_food(ctx).case_id
    for who, data in (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True}), ("lzxq_receiver", {}),
                      ("lzxq_market_approver", {"decision": decision, "opinion": "意见"})):
        tasks.complete(ctx, only_task(ctx, who).id, data, staff(ctx, who))
    return case_id


def test_correction_then_supplements_then_acceptance(demo):
    ctx = demo
    case_id = start_food(ctx).case_id
    tasks.complete(ctx, only_task(ctx, "zcz_qs_agent").id, {}, staff(ctx, "zcz_qs_agent"))
    tasks.complete(ctx, only_task(ctx, "zcz_reviewer").id, {"complete": False, "opinion": "缺营业执照；缺健康证明"},
                   staff(ctx, "zcz_reviewer"))
    assert state(ctx, case_id).lifecycle == "correction_requested"
    [info] = documents.list_documents(ctx, case_id, staff(ctx, "zcz_qs_agent"))
    _, html = documents.get_document(ctx, case_id, info.id, staff(ctx, "zcz_qs_agent"))
    assert info.kind == "correction_notice" and "<li>缺营业执照</li>" in html and "<li>缺健康证明</li>" in html
    tasks.complete(ctx, only_task(ctx, "zcz_qs_agent").id, {"notice_served": True, "supplemented": True},
                   staff(ctx, "zcz_qs_agent"))
    assert state(ctx, case_id).lifecycle == "received"
    tasks.complete(ctx, only_task(ctx, "zcz_reviewer").id, {"complete": True}, staff(ctx, "zcz_reviewer"))
    assert state(ctx, case_id).lifecycle == "forwarded"
    case_clock.accept(ctx, case_id, staff(ctx, "lzxq_receiver"))          # the command instead of the task
    assert state(ctx, case_id).lifecycle == "accepted"
    assert doc_kinds(ctx, case_id) == ["correction_notice", "acceptance_notice"]
    # the accepting task later is a no-op for the lifecycle and issues no second notice
    tasks.complete(ctx, only_task(ctx, "lzxq_receiver").id, {}, staff(ctx, "lzxq_receiver"))
    assert state(ctx, case_id).lifecycle == "accepted" and doc_kinds(ctx, case_id)[-1] == "acceptance_notice"


def test_correction_notice_command_and_deemed_acceptance(demo, clock):
    ctx = demo
    noticed = start_food(ctx).case_id
    case_clock.notify_correction(ctx, noticed, "请补充营业执照副本", staff(ctx, "zcz_qs_agent"))
    assert state(ctx, noticed).lifecycle == "correction_requested"
    silent = start_food(ctx).case_id
    clock.advance(timedelta(days=10))
    timers.fire_due(ctx)
    assert state(ctx, silent).lifecycle == "accepted" and state(ctx, noticed).lifecycle == "correction_requested"
    [info] = documents.list_documents(ctx, silent, staff(ctx, "admin"))
    assert "即为受理" in documents.get_document(ctx, silent, info.id, staff(ctx, "admin"))[1]


def test_pause_and_resume_move_the_lifecycle_and_a_special_procedure_is_notified(demo):
    ctx = demo
    case_id = start_food(ctx).case_id
    head = staff(ctx, "lzxq_market_head")
    case_clock.accept(ctx, case_id, staff(ctx, "admin"))
    case_clock.pause(ctx, case_id, "special_procedure", "申请人要求听证", "听证告知", staff(ctx, "admin"),
                     procedure="hearing")
    assert state(ctx, case_id).lifecycle == "suspended"
    assert doc_kinds(ctx, case_id) == ["acceptance_notice", "special_procedure_notice"]
    case_clock.resume(ctx, case_id, staff(ctx, "admin"), result="听证结束")
    assert state(ctx, case_id).lifecycle == "in_progress"
    case_clock.extend(ctx, case_id, "情况复杂", head)


def test_a_decision_while_suspended_is_refused(demo):
    ctx = demo
    case_id = start_food(ctx).case_id
    for who, data in (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True}), ("lzxq_receiver", {})):
        tasks.complete(ctx, only_task(ctx, who).id, data, staff(ctx, who))
    case_clock.pause(ctx, case_id, "hold", "待核实", "暂停通知", staff(ctx, "admin"))
    before = frozen(ctx)
    with pytest.raises(Conflict) as err:
        tasks.complete(ctx, only_task(ctx, "lzxq_market_approver").id, {"decision": "granted"},
                       staff(ctx, "lzxq_market_approver"))
    assert err.value.code == "lifecycle_transition_invalid" and err.value.detail["from"] == "suspended"
    assert frozen(ctx) == before


def test_after_the_decision_no_pause_withdrawal_return_or_extension(demo):
    ctx = demo
    case_id = to_decision(ctx)
    assert tuple(state(ctx, case_id)) == ("decided", "running", "granted")
    assert doc_kinds(ctx, case_id) == ["acceptance_notice", "grant_decision"]
    admin = staff(ctx, "admin")
    before = frozen(ctx)
    for command, code in (
            (lambda: case_clock.pause(ctx, case_id, "hold", "r", "n", admin), "lifecycle_transition_invalid"),
            (lambda: cases.withdraw(ctx, case_id, "不办了", admin), "lifecycle_transition_invalid"),
            (lambda: lifecycle.return_case(ctx, case_id, "退件", admin), "lifecycle_transition_invalid"),
            (lambda: lifecycle.not_accept(ctx, case_id, "r", admin), "lifecycle_transition_invalid"),
            (lambda: case_clock.extend(ctx, case_id, "复杂", staff(ctx, "lzxq_market_head")),
             "lifecycle_state_invalid")):
        with pytest.raises(Conflict) as err:
            command()
        assert err.value.code == code
    assert frozen(ctx) == before


def test_a_bad_decision_writes_nothing(demo):
    ctx = demo
    start_food(ctx)
    for who, data in (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True}), ("lzxq_receiver", {})):
        tasks.complete(ctx, only_task(ctx, who).id, data, staff(ctx, who))
    before = frozen(ctx)
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, only_task(ctx, "lzxq_market_approver").id, {"decision": "approve"},
                       staff(ctx, "lzxq_market_approver"))
    # the decide form's enum refuses it before the lifecycle's own check (decision_invalid) would
    assert (err.value.code, err.value.field) == ("form_invalid", "data.decision")
    assert frozen(ctx) == before


def test_return_closes_the_case_with_a_notice(demo):
    ctx = demo
    case_id = start_food(ctx).case_id
    agent = staff(ctx, "zcz_qs_agent")
    before = frozen(ctx)
    with pytest.raises(ValidationError) as err:
        lifecycle.return_case(ctx, case_id, "  ", agent)
    assert (err.value.code, err.value.field) == ("return_reason_required", "reason")
    with pytest.raises(Forbidden):
        lifecycle.return_case(ctx, case_id, "退件", staff(ctx, "qcz_mjp_agent"))
    assert frozen(ctx) == before
    doc = lifecycle.return_case(ctx, case_id, "材料系伪造", agent)
    assert doc["kind"] == "return_notice"
    assert tuple(state(ctx, case_id))[:2] == ("returned", "returned")
    with ctx.uow.read() as conn:
        assert set(conn.conn.execute(select(Task.state).where(Task.case_id == case_id)).scalars()) == {"cancelled"}
        assert "pending" not in set(conn.conn.execute(select(Timer.state).where(Timer.case_id == case_id)).scalars())
    with pytest.raises(Conflict) as err:
        lifecycle.return_case(ctx, case_id, "again", agent)
    assert err.value.code == "case_not_running"


def test_an_applicant_withdraws_but_cannot_return_her_case(demo):
    ctx = demo
    zhang = staff(ctx, "applicant_zhang")
    case_id = cases.start_case(ctx, cases.StartCase(FOOD_CODE, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                    sample("apply_food_licence"), "online"), zhang).case_id
    with pytest.raises(Forbidden) as err:
        lifecycle.return_case(ctx, case_id, "退件", zhang)
    assert err.value.code == "agency_only"
    cases.withdraw(ctx, case_id, "不办了", zhang)
    assert tuple(state(ctx, case_id))[:2] == ("withdrawn", "withdrawn")


def test_not_accepted_by_command_names_the_competent_agency(demo):
    ctx = demo
    case_id = start_food(ctx).case_id
    receiver = staff(ctx, "zcz_qs_agent")
    before = frozen(ctx)
    with pytest.raises(ValidationError) as err:
        lifecycle.not_accept(ctx, case_id, "不属于本机关职权", receiver, ground="outside_competence")
    assert (err.value.code, err.value.field) == ("competent_agency_required", "competent_agency")
    assert frozen(ctx) == before
    lifecycle.not_accept(ctx, case_id, "不属于本机关职权", receiver, competent_agency="兰州市市场监督管理局")
    assert tuple(state(ctx, case_id))[:2] == ("not_accepted", "not_accepted")
    [info] = documents.list_documents(ctx, case_id, receiver)
    html = documents.get_document(ctx, case_id, info.id, receiver)[1]
    assert "不予受理通知书" in html and "请向兰州市市场监督管理局提出申请" in html


def test_not_accepted_by_the_accepting_task_ends_the_case_at_its_gateway(demo):
    """受理 with accept false takes the gateway's 不予受理 branch: the decision task is never
    opened (nothing to cancel), the case ends not accepted with its 不予受理通知书."""
    ctx = demo
    case_id = start_food(ctx).case_id
    for who, data in (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True})):
        tasks.complete(ctx, only_task(ctx, who).id, data, staff(ctx, who))
    done = tasks.complete(ctx, only_task(ctx, "lzxq_receiver").id,
                          {"accept": False, "reason": "依法不需要取得行政许可", "ground": "not_licensable"},
                          staff(ctx, "lzxq_receiver"))
    assert done.status == "not_accepted"
    assert tuple(state(ctx, case_id))[:2] == ("not_accepted", "not_accepted")
    assert tasks.inbox(ctx, staff(ctx, "lzxq_market_approver")) == []
    assert doc_kinds(ctx, case_id) == ["non_acceptance_notice"]
    with ctx.uow.read() as conn:
        specs = conn.conn.execute(select(Task.spec_id, Task.state).where(Task.case_id == case_id)).all()
        types = conn.conn.execute(select(Event.type).where(Event.case_id == case_id)).scalars().all()
    assert ("district_decide", "cancelled") not in specs and "district_decide" not in {s for s, _ in specs}
    assert "task_cancelled" not in types and types[-1] == "case_not_accepted"


def test_accepted_by_the_accepting_task_goes_on_to_the_decision(demo):
    ctx = demo
    case_id = start_food(ctx).case_id
    for who, data in (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True}), ("lzxq_receiver", {"accept": True})):
        tasks.complete(ctx, only_task(ctx, who).id, data, staff(ctx, who))
    assert state(ctx, case_id).lifecycle == "accepted"
    assert only_task(ctx, "lzxq_market_approver").case_id == case_id


def test_refusal_delivered_by_the_task_and_pickup_needs_a_decision(demo):
    ctx = demo
    started = cases.start_case(ctx, cases.StartCase(ELDERLY, window_id(ctx, "QCZ-W01"), {"name": "李奶奶"},
                                                    sample("apply_elderly_allowance")), staff(ctx, "qcz_receiver"))
    case_id = started.case_id
    tasks.complete(ctx, only_task(ctx, "qcz_receiver").id, {"materials_checked": True}, staff(ctx, "qcz_receiver"))
    assert state(ctx, case_id).lifecycle == "accepted"
    before = frozen(ctx)
    with pytest.raises(Conflict) as err:
        delivery.deliver(ctx, case_id, delivery.Delivery("pickup"), staff(ctx, "qcz_issuer"))
    assert (err.value.code, err.value.detail["from"]) == ("lifecycle_transition_invalid", "accepted")
    assert frozen(ctx) == before
    tasks.complete(ctx, only_task(ctx, "qcz_reviewer").id, {"opinion": "不符合条件"}, staff(ctx, "qcz_reviewer"))
    assert state(ctx, case_id).lifecycle == "in_progress"
    tasks.complete(ctx, only_task(ctx, "qcz_social_approver").id, {"decision": "refused", "opinion": "年龄不符"},
                   staff(ctx, "qcz_social_approver"))
    assert tuple(state(ctx, case_id)) == ("decided", "running", "refused")
    tasks.complete(ctx, only_task(ctx, "qcz_issuer").id, {"delivery_method": "pickup"}, staff(ctx, "qcz_issuer"))
    assert tuple(state(ctx, case_id)) == ("delivered", "completed", "refused")
    assert doc_kinds(ctx, case_id) == ["acceptance_notice", "refusal_decision", "delivery_receipt"]
    with ctx.uow.read() as conn:
        row = conn.conn.execute(select(Case.delivery_method, Case.delivery).where(Case.id == case_id)).one()
    assert row.delivery_method == "pickup" and row.delivery["recipient"] == "李奶奶"


def test_delivery_rules(demo):
    ctx = demo
    case_id = to_decision(ctx)
    issuer = staff(ctx, "lzxq_issuer")
    before = frozen(ctx)
    for d, code, field in ((delivery.Delivery("drone"), "delivery_method_unknown", "method"),
                           (delivery.Delivery("mail", tracking_number="SF1"), "delivery_address_required", "address"),
                           (delivery.Delivery("e_licence"), "delivery_licence_required", "licence_no"),
                           (delivery.Delivery("pickup", phone="call me"), "delivery_phone_invalid", "phone")):
        with pytest.raises(ValidationError) as err:
            delivery.deliver(ctx, case_id, d, issuer)
        assert (err.value.code, err.value.field) == (code, field)
    for outsider in ("lzxq_supervisor", "qcz_mjp_agent"):
        with pytest.raises(Forbidden):
            delivery.deliver(ctx, case_id, delivery.Delivery("pickup"), staff(ctx, outsider))
    with pytest.raises(Conflict) as err:                 # 制证 is still open
        delivery.deliver(ctx, case_id, delivery.Delivery("pickup"), issuer)
    assert err.value.code == "delivery_blocked_by_open_task"
    assert frozen(ctx) == before
    tasks.complete(ctx, only_task(ctx, "lzxq_issuer").id, {}, issuer)
    assert state(ctx, case_id).lifecycle == "completed"
    delivery.deliver(ctx, case_id, delivery.Delivery("e_licence", licence_no="JY16201000000001"), issuer)
    assert state(ctx, case_id).lifecycle == "delivered"
    assert mask_phone("13800001234") == "138****1234"
    with ctx.uow.read() as conn:
        assert conn.conn.execute(select(CaseDocument.kind).where(CaseDocument.case_id == case_id)
                            .order_by(CaseDocument.id.desc())).scalars().first() == "delivery_receipt"


def test_the_joint_restaurant_item_has_the_same_acceptance_gateway(demo):
    ctx = demo
    started = cases.start_case(ctx, cases.StartCase("620100-LB-0003", window_id(ctx, "LZXQ-W01"),
                                                    {"name": "兰州餐饮有限公司"}, sample("apply_restaurant_opening")),
                               staff(ctx, "lzxq_receiver"))
    done = tasks.complete(ctx, only_task(ctx, "lzxq_receiver").id,
                          {"accept": False, "reason": "不属于本机关职权范围", "ground": "outside_competence",
                           "competent_agency": "兰州市市场监督管理局"}, staff(ctx, "lzxq_receiver"))
    assert (done.status, done.next_tasks) == ("not_accepted", ())
    assert tuple(state(ctx, started.case_id))[:2] == ("not_accepted", "not_accepted")
    assert (tasks.inbox(ctx, staff(ctx, "lzxq_market_reviewer"))
            == tasks.inbox(ctx, staff(ctx, "lzxq_health_reviewer")) == [])
    assert doc_kinds(ctx, started.case_id) == ["non_acceptance_notice"]
