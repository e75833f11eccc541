"""一件事 packages, the gaps closed after the first round: one lock order (a child's completion and
the package's withdrawal race without deadlock), a child ended by a timer refreshes the parent,
a child not accepted counts as not granted, and 一窗出件: delivering the parent delivers every
decided child in one transaction with one 送达回执."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from demo.packages import HYGIENE
from engine.bpmn.parser import SourceFile
from engine.config import Settings
from engine.domain.actor import Actor
from engine.domain.errors import Conflict, Forbidden, ValidationError
from engine.services import cases, definitions, delivery, packages, tasks
from engine.services.cases import documents
from engine.services.context import Context
from engine.services.time_limits import timers
from engine.store import tables as t
from tests.conftest import snapshot, staff, window_id
from tests.form_samples import sample, task_data
from tests.integration.helpers import add_item
from tests.integration.test_packages import finish, start

FOOD = "11620100MB1234567E2001XK0010100"


def by_item(started):
    return {c["item_code"]: c["case_id"] for c in started["children"]}


def row(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.case.c.status, t.case.c.lifecycle, t.case.c.decision, t.case.c.delivery_method,
                                      t.case.c.delivery, t.case.c.delivered_at).where(t.case.c.id == case_id)).one()


def event_types(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.event.c.type).where(t.event.c.case_id == case_id)
                               .order_by(t.event.c.seq)).scalars().all()


def open_task(ctx, case_id, user):
    [mine] = [x for x in tasks.inbox(ctx, staff(ctx, user)) if x.case_id == case_id]
    return mine.id


NOT_ACCEPTED = {"accept": False, "reason": "依法不需要取得行政许可", "ground": "not_licensable"}


def food_at_acceptance(ctx):
    """A started package whose food child waits on the district's 受理 task."""
    started = start(ctx)
    food = by_item(started)[FOOD]
    for user, extra in (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True})):
        task_id = open_task(ctx, food, user)
        tasks.complete(ctx, task_id, task_data(ctx, task_id, **extra), staff(ctx, user))
    return started, food, open_task(ctx, food, "lzxq_receiver")


# --- 1a: one lock order --------------------------------------------------------------------------

ROUNDS = 12


def test_child_completion_and_package_withdrawal_race_without_deadlock(demo, db_url, clock):
    """不予受理 by the food child's 受理 task ends that child, so the completion locks the child,
    then the parent; withdrawing the package locks the children in id order, then the parent. Run
    both at once many times: no deadlock, and each round ends consistently (the completion wins,
    or it is refused because the child was withdrawn first)."""
    ctx = demo
    rounds = [food_at_acceptance(ctx) for _ in range(ROUNDS)]
    workers = [Context.create(Settings(database_url=db_url), clock=clock) for _ in range(2)]
    receiver, agent = staff(ctx, "lzxq_receiver"), staff(ctx, "zcz_qs_agent")
    outcomes = []
    try:
        for started, food, task_id in rounds:
            data = task_data(ctx, task_id, **NOT_ACCEPTED)
            completed = race(lambda: tasks.complete(workers[0], task_id, data, receiver),
                             lambda: packages.withdraw_package(workers[1], started["case_id"], "申请人撤回", agent))
            assert_round_consistent(ctx, started, food, completed)
            outcomes.append(completed is True)
    finally:
        for w in workers:
            w.dispose()
    assert len(outcomes) == ROUNDS


def race(complete_task, withdraw_package):
    """Run both at once (a barrier releases them together); no error and no thread left hanging.
    Returns True if the completion went through, else the code of its clean refusal."""
    barrier, errors, done = threading.Barrier(2), [], {}

    def complete():
        barrier.wait()
        try:
            complete_task()
            done["complete"] = True
        except Conflict as exc:            # the child was withdrawn first: a clean refusal
            done["complete"] = exc.code
        except Exception as exc:  # noqa: BLE001 - a deadlock surfaces here
            errors.append(exc)

    def withdraw():
        barrier.wait()
        try:
            withdraw_package()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=complete), threading.Thread(target=withdraw)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert errors == [] and not any(th.is_alive() for th in threads)
    return done["complete"]


def assert_round_consistent(ctx, started, food, completed):
    """The package and its other child are withdrawn; the food child is not accepted if the
    completion won, else withdrawn; no child has an open task; every audit chain is intact."""
    children = by_item(started)
    parent, f, hyg = row(ctx, started["case_id"]), row(ctx, food), row(ctx, children[HYGIENE["code"]])
    assert (parent.status, parent.lifecycle) == ("withdrawn", "withdrawn")
    assert hyg.status == "withdrawn"
    if completed is True:
        assert (f.status, f.lifecycle) == ("not_accepted", "not_accepted")
    else:
        assert completed in ("case_not_running", "task_not_open") and f.status == "withdrawn"
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(t.task.c.id).where(
            t.task.c.case_id.in_([c["case_id"] for c in started["children"]]),
            t.task.c.state == "open")).all() == []
    for case_id in (started["case_id"], *children.values()):
        assert cases.audit_trail(ctx, case_id, staff(ctx, "admin"))[1] is None     # chains intact


# --- 1b: a child ended by a timer ------------------------------------------------------------------

LAPSING = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <bpmn:process id="lapsing_probe" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="sign" name="现场核查" camunda:candidateGroups="township:reviewer" camunda:formKey="review">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing></bpmn:userTask>
    <bpmn:boundaryEvent id="lapse" attachedToRef="sign" cancelActivity="true">
      <bpmn:outgoing>f3</bpmn:outgoing>
      <bpmn:timerEventDefinition>
        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">PT2H</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:endEvent id="done"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:endEvent id="lapsed"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="sign"/>
    <bpmn:sequenceFlow id="f2" sourceRef="sign" targetRef="done"/>
    <bpmn:sequenceFlow id="f3" sourceRef="lapse" targetRef="lapsed"/>
  </bpmn:process>
</bpmn:definitions>""".encode()


def lapsing_package(ctx):
    definitions.deploy(ctx, [SourceFile("lapsing.bpmn", LAPSING)], Actor.system("test"))
    add_item(ctx, "TEST-LAPSE", "lapsing_probe")
    packages.define_package(ctx, packages.PackageSpec("YJS-T", "带时限一件事", "market",
                                                      ["620100-XK-SCJG-0001", "TEST-LAPSE"]), staff(ctx, "admin"))
    return packages.start_package(ctx, packages.StartPackage("YJS-T", window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                             sample("apply_food_licence"), "proxy"),
                                  staff(ctx, "zcz_qs_agent"))


@pytest.mark.parametrize("timer_last", [True, False])
def test_a_child_ended_by_its_timer_refreshes_the_parent(demo, clock, timer_last):
    ctx = demo
    started = lapsing_package(ctx)
    parent, children = started["case_id"], by_item(started)
    if timer_last:
        finish(ctx, children[FOOD], "granted")
        assert row(ctx, parent).status == "running"
    clock.advance(timedelta(hours=3))
    assert timers.fire_due(ctx) >= 1
    assert row(ctx, children["TEST-LAPSE"]).status == "completed"
    if timer_last:      # the timer closed the last open child: the parent row has the combined result
        assert tuple(row(ctx, parent))[:3] == ("completed", "completed", "granted")
        assert event_types(ctx, parent)[-1] == "package_result"
    else:               # a sibling is still open: the parent waits, nothing written to it
        assert row(ctx, parent).status == "running" and "package_result" not in event_types(ctx, parent)
        finish(ctx, children[FOOD], "refused")
        assert tuple(row(ctx, parent))[:3] == ("completed", "partially_completed", "partial")


# --- 2 × packages: a child not accepted ----------------------------------------------------------

def test_a_child_not_accepted_by_its_gateway_counts_as_not_granted(demo):
    ctx = demo
    started = start(ctx)
    food, hygiene = by_item(started)[FOOD], by_item(started)[HYGIENE["code"]]
    for user, extra in (("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": True}), ("lzxq_receiver", NOT_ACCEPTED)):
        task_id = open_task(ctx, food, user)
        tasks.complete(ctx, task_id, task_data(ctx, task_id, **extra), staff(ctx, user))
    assert tuple(row(ctx, food))[:2] == ("not_accepted", "not_accepted")
    finish(ctx, hygiene, "granted")
    view = packages.package_case(ctx, started["case_id"], staff(ctx, "zcz_qs_agent"))
    assert {c["item_code"]: c["outcome"] for c in view["children"]} == {FOOD: "not_accepted",
                                                                         HYGIENE["code"]: "granted"}
    assert tuple(row(ctx, started["case_id"]))[:3] == ("completed", "partially_completed", "partial")


# --- 1c: 一窗出件 ----------------------------------------------------------------------------------

MAIL = delivery.Delivery("mail", tracking_number="SF1234567890", carrier="顺丰速运", address="兰州新区幸福路18号",
                         phone="13893100001")


def receipt(ctx, case_id):
    admin = staff(ctx, "admin")
    docs = [d for d in documents.list_documents(ctx, case_id, admin) if d.kind == "delivery_receipt"]
    return [documents.get_document(ctx, case_id, d.id, admin)[1] for d in docs]


@pytest.mark.parametrize("food_decision, hygiene_decision, parent_lifecycle, delivered_now", [
    ("granted", "granted", "completed", {FOOD, HYGIENE["code"]}),
    ("granted", "refused", "partially_completed", {FOOD, HYGIENE["code"]}),
    # the food refusal was already served by its own task (送达不予许可决定): listed, not delivered again
    ("refused", "granted", "partially_completed", {HYGIENE["code"]}),
])
def test_delivering_the_package_delivers_every_decided_item_with_one_receipt(demo, food_decision, hygiene_decision,
                                                                            parent_lifecycle, delivered_now):
    ctx = demo
    started = start(ctx)
    parent, children = started["case_id"], by_item(started)
    issuer = staff(ctx, "lzxq_issuer")
    finish(ctx, children[FOOD], food_decision)
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:                     # one item is still being handled
        delivery.deliver(ctx, parent, MAIL, issuer)
    assert err.value.code == "package_not_decided" and snapshot(ctx) == before
    finish(ctx, children[HYGIENE["code"]], hygiene_decision)
    assert row(ctx, parent).lifecycle == parent_lifecycle
    before = snapshot(ctx)
    no_address = delivery.Delivery("mail", tracking_number="SF1")
    for bad, exc, code in ((no_address, ValidationError, "delivery_address_required"), (MAIL, Forbidden, None)):
        with pytest.raises(exc) as err:
            delivery.deliver(ctx, parent, bad, issuer if exc is ValidationError else staff(ctx, "qcz_mjp_agent"))
        assert code is None or err.value.code == code
    assert snapshot(ctx) == before
    receipts_before = {cid: len(receipt(ctx, cid)) for cid in children.values()}

    doc = delivery.deliver(ctx, parent, MAIL, issuer)

    assert doc["kind"] == "delivery_receipt"
    p = row(ctx, parent)
    assert (p.lifecycle, p.delivery_method, p.delivery["tracking_number"]) == ("delivered", "mail", "SF1234567890")
    assert {i["item_code"] for i in p.delivery["items"] if i["delivered_now"]} == delivered_now
    for code, case_id in children.items():
        c = row(ctx, case_id)
        assert c.lifecycle == "delivered"
        if code in delivered_now:           # same shipment, one tracking number, pointing at the package
            assert (c.delivery_method, c.delivery["tracking_number"], c.delivery["package"]) == \
                ("mail", "SF1234567890", started["number"])
            assert "case_delivered" in event_types(ctx, case_id)
        assert len(receipt(ctx, case_id)) == receipts_before[case_id]     # no receipt of its own
        with ctx.uow.read() as tx:
            assert tx.conn.execute(select(t.timer.c.id).where(t.timer.c.case_id == case_id,
                                                              t.timer.c.state == "pending")).all() == []
    [html] = receipt(ctx, parent)
    names = {"granted": "准予许可", "refused": "不予许可"}
    for code, case_id, decision in ((FOOD, children[FOOD], food_decision),
                                    (HYGIENE["code"], children[HYGIENE["code"]], hygiene_decision)):
        number = next(c["number"] for c in started["children"] if c["case_id"] == case_id)
        assert number in html and names[decision] in html
    assert "SF1234567890" in html and "13893100001" not in html          # the phone is masked
    assert html.count("此前已送达") == (0 if food_decision == "granted" else 1)
    for case_id in (parent, *children.values()):
        assert cases.audit_trail(ctx, case_id, staff(ctx, "admin"))[1] is None
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:
        delivery.deliver(ctx, parent, MAIL, issuer)
    assert err.value.code == "case_closed" and snapshot(ctx) == before


def test_a_withdrawn_package_is_not_delivered(demo):
    ctx = demo
    started = start(ctx)
    packages.withdraw_package(ctx, started["case_id"], "申请人撤回", staff(ctx, "zcz_qs_agent"))
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:
        delivery.deliver(ctx, started["case_id"], delivery.Delivery("pickup"), staff(ctx, "admin"))
    assert err.value.code == "case_closed" and snapshot(ctx) == before
