"""Messages and signals delivered to waiting cases (engine/services/messages), on both databases:
intermediate catch, receive task, boundary messages (interrupting and not), signals to several
cases, the correlation failures, idempotent resends, and one delivery of a message sent twice at
the same moment on PostgreSQL."""
import threading

import pytest
from sqlalchemy import select

from engine.config import Settings
from engine.domain.errors import Conflict, Forbidden, NotFound, TooLarge, ValidationError
from engine.services import cases, messages, tasks
from engine.services.context import Context
from engine.store.models import Event, EventSubscription, MessageDelivery
from tests.conftest import row_counts, staff, window_id
from tests.form_samples import task_data
from tests.integration.helpers import FIXTURES, add_item, deploy_files
from tests.integration.test_case_flow import only_task

C = messages.Correlation


@pytest.fixture
def waiting(demo):
    """The demo with the message and signal fixtures deployed as items of a township."""
    for name, key, code in (("message_catch", "wait_for_payment", "TEST-PAY"),
                            ("receive_task", "wait_for_licence", "TEST-LIC"),
                            ("boundary_message", "review_with_messages", "TEST-BMSG"),
                            ("signal_catch", "wait_for_policy", "TEST-SIG")):
        deploy_files(demo, FIXTURES / f"{name}.bpmn")
        add_item(demo, code, key)
    add_item(demo, "TEST-SUSP", "review_until_suspended")
    return demo


def start(ctx, code, business_key=None):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, "XCZ-W01"), {"name": "王五"}, {},
                                                 business_key=business_key), staff(ctx, "xcz_receiver"))


def subscriptions(ctx, case_id=None):
    with ctx.uow.read() as tx:
        query = select(EventSubscription.case_id, EventSubscription.kind, EventSubscription.name,
                       EventSubscription.element_id)
        if case_id is not None:
            query = query.where(EventSubscription.case_id == case_id)
        return [tuple(r) for r in tx.conn.execute(query.order_by(EventSubscription.id))]


def events_of(ctx, case_id, type_):
    with ctx.uow.read() as tx:
        query = select(Event.actor, Event.payload).where(Event.case_id == case_id, Event.type == type_)
        return [(r.actor, r.payload) for r in tx.conn.execute(query.order_by(Event.seq))]


def integration(ctx):
    return staff(ctx, "integration")


def test_message_catch_waits_then_opens_the_next_step_with_the_variables(waiting):
    ctx = waiting
    started = start(ctx, "TEST-PAY")
    assert started.tasks == ()
    assert subscriptions(ctx) == [(started.case_id, "message", "payment_received", "paid")]

    answer = messages.send_message(ctx, integration(ctx), "payment_received", "pay-1",
                                   C(case_number=started.number), {"amount": 120, "receipt": "R-9"})
    assert answer["case_id"] == started.case_id and answer["caught_by"] == ["paid"]
    assert [t["element"] for t in answer["tasks"]] == ["confirm_payment"]
    assert subscriptions(ctx) == []
    task = only_task(ctx, "xcz_reviewer")
    assert task.id == answer["tasks"][0]["id"]
    view = cases.get_case(ctx, started.case_id, staff(ctx, "xcz_receiver"))
    assert view.data["amount"] == 120 and view.data["receipt"] == "R-9"
    [(actor, payload)] = events_of(ctx, started.case_id, "message_received")
    assert actor == "integration"
    assert payload == {"name": "payment_received", "id": "pay-1", "elements": ["paid"],
                       "variables": ["amount", "receipt"]}
    done = tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "xcz_reviewer"))
    assert done.status == "completed"


def test_receive_task_by_business_key(waiting):
    ctx = waiting
    started = start(ctx, "TEST-LIC", business_key="LIC-2026-7")
    other = start(ctx, "TEST-LIC", business_key="LIC-2026-8")
    answer = messages.send_message(ctx, integration(ctx), "licence_issued", "lic-7", C(business_key="LIC-2026-7"),
                                   {"licence_no": "JY1620"})
    assert answer["case_id"] == started.case_id and answer["caught_by"] == ["receive_licence"]
    assert [t["element"] for t in answer["tasks"]] == ["hand_over"]
    # the other case still waits
    assert subscriptions(ctx) == [(other.case_id, "message", "licence_issued", "receive_licence")]


def test_interrupting_boundary_message_cancels_the_open_task(waiting):
    ctx = waiting
    started = start(ctx, "TEST-BMSG")
    review = only_task(ctx, "xcz_reviewer")
    assert {s[2] for s in subscriptions(ctx, started.case_id)} == {"applicant_withdrew", "supplement_received"}
    answer = messages.send_message(ctx, integration(ctx), "applicant_withdrew", "wd-1", C(case_id=started.case_id))
    assert answer["caught_by"] == ["withdrawn"]
    assert [t["element"] for t in answer["tasks"]] == ["close_withdrawn"]
    task = only_task(ctx, "xcz_reviewer")
    assert task.spec_id == "close_withdrawn" and task.id != review.id
    assert events_of(ctx, started.case_id, "task_cancelled")[0][1]["element"] == "review"
    # the boundary events left with their task: nothing waits any more
    assert subscriptions(ctx, started.case_id) == []


def test_non_interrupting_boundary_message_opens_a_step_beside_the_task(waiting):
    ctx = waiting
    started = start(ctx, "TEST-BMSG")
    answer = messages.send_message(ctx, integration(ctx), "supplement_received", "sup-1", C(case_id=started.case_id),
                                   {"pages": 3})
    assert sorted(t["element"] for t in answer["tasks"]) == ["check_supplement", "review"]
    # the review is still open and can still be withdrawn, and take a further supplement (Camunda)
    assert [s[2] for s in subscriptions(ctx, started.case_id)] == ["applicant_withdrew", "supplement_received"]
    again = messages.send_message(ctx, integration(ctx), "supplement_received", "sup-2", C(case_id=started.case_id),
                                  {"pages": 5})
    assert again["caught_by"] == ["supplement"], again
    assert sorted(t["element"] for t in again["tasks"]) == ["check_supplement", "check_supplement", "review"]
    checks = [t for t in tasks.inbox(ctx, staff(ctx, "xcz_reviewer")) if t.spec_id == "check_supplement"]
    review = next(t for t in tasks.inbox(ctx, staff(ctx, "xcz_reviewer")) if t.spec_id == "review")
    tasks.complete(ctx, review.id, task_data(ctx, review.id), staff(ctx, "xcz_reviewer"))
    # the review ended: nothing waits any more, and the supplements' checks stay open
    assert subscriptions(ctx, started.case_id) == []
    assert sorted(t.spec_id for t in tasks.inbox(ctx, staff(ctx, "xcz_reviewer"))
                  if t.case_id == started.case_id) == ["check_supplement", "check_supplement"]
    for check in checks:
        tasks.complete(ctx, check.id, task_data(ctx, check.id), staff(ctx, "xcz_reviewer"))
    assert cases.get_case(ctx, started.case_id, staff(ctx, "xcz_receiver")).status == "completed"


def test_signal_reaches_every_waiting_case_and_boundary(waiting):
    ctx = waiting
    waiting_cases = [start(ctx, "TEST-SIG").case_id for _ in range(3)]
    bystander = start(ctx, "TEST-PAY").case_id
    answer = messages.send_signal(ctx, integration(ctx), "policy_published", "sig-1", {"policy": "2026-12"})
    assert answer["count"] == 3 and sorted(answer["case_ids"]) == waiting_cases and answer["failed"] == []
    assert len(tasks.inbox(ctx, staff(ctx, "xcz_reviewer"))) == 3
    assert subscriptions(ctx) == [(bystander, "message", "payment_received", "paid")]
    for case_id in waiting_cases:
        [(actor, payload)] = events_of(ctx, case_id, "signal_received")
        assert actor == "integration" and payload["id"] == "sig-1" and payload["elements"] == ["policy"]
    # a boundary signal interrupts the task it is attached to
    suspended = start(ctx, "TEST-SUSP")
    answer = messages.send_signal(ctx, integration(ctx), "service_suspended", "sig-2")
    assert answer["case_ids"] == [suspended.case_id]
    assert "notify_suspension" in [t.spec_id for t in tasks.inbox(ctx, staff(ctx, "xcz_reviewer"))]


def test_signal_resent_with_its_id_is_answered_without_delivering_again(waiting):
    ctx = waiting
    first = start(ctx, "TEST-SIG").case_id
    answer = messages.send_signal(ctx, integration(ctx), "policy_published", "sig-9")
    start(ctx, "TEST-SIG")                      # waits now, but the resent signal is the same signal
    assert messages.send_signal(ctx, integration(ctx), "policy_published", "sig-9") == answer
    assert answer["case_ids"] == [first]
    with pytest.raises(Conflict) as err:
        messages.send_signal(ctx, integration(ctx), "policy_published", "sig-9", {"other": 1})
    assert err.value.code == "message_id_reused" and err.value.field == "signal_id"
    assert messages.send_signal(ctx, integration(ctx), "nobody_waits", "sig-10")["count"] == 0


def test_not_correlated_and_ambiguous_change_nothing(waiting):
    ctx = waiting
    a, b = start(ctx, "TEST-PAY"), start(ctx, "TEST-PAY")
    before = row_counts(ctx)
    with pytest.raises(NotFound) as err:
        messages.send_message(ctx, integration(ctx), "payment_received", "m-1", C(case_number="NO-SUCH-CASE"))
    assert err.value.code == "message_not_correlated" and err.value.field == "name"
    with pytest.raises(NotFound) as err:
        messages.send_message(ctx, integration(ctx), "no_such_message", "m-1", C(case_id=a.case_id))
    assert err.value.code == "message_not_correlated"
    with pytest.raises(Conflict) as err:
        messages.send_message(ctx, integration(ctx), "payment_received", "m-1", C())
    assert err.value.code == "message_ambiguous" and sorted(err.value.detail["case_ids"]) == [a.case_id, b.case_id]
    assert row_counts(ctx) == before
    # the id was not used up by the failures
    assert messages.send_message(ctx, integration(ctx), "payment_received", "m-1", C(case_id=b.case_id))["case_id"] \
        == b.case_id


def test_the_same_message_id_gets_the_first_answer_and_acts_once(waiting):
    ctx = waiting
    started = start(ctx, "TEST-PAY")
    first = messages.send_message(ctx, integration(ctx), "payment_received", "pay-7", C(case_id=started.case_id),
                                  {"amount": 1})
    before = row_counts(ctx)
    again = messages.send_message(ctx, integration(ctx), "payment_received", "pay-7", C(case_id=started.case_id),
                                  {"amount": 1})
    assert again == first and row_counts(ctx) == before
    assert len(events_of(ctx, started.case_id, "message_received")) == 1
    with pytest.raises(Conflict) as err:
        messages.send_message(ctx, integration(ctx), "payment_received", "pay-7", C(case_id=started.case_id),
                              {"amount": 2})
    assert err.value.code == "message_id_reused" and err.value.field == "message_id"


def test_who_may_send_and_what_is_refused(waiting):
    ctx = waiting
    started = start(ctx, "TEST-PAY")
    with pytest.raises(Forbidden):
        messages.send_message(ctx, staff(ctx, "xcz_receiver"), "payment_received", "x", C(case_id=started.case_id))
    with pytest.raises(Forbidden):
        messages.send_signal(ctx, staff(ctx, "designer"), "policy_published", "x")
    before = row_counts(ctx)
    cases_ = [("", "x", {}, "message_name_required", "name"), ("payment_received", "", {}, "message_id_required",
                                                                 "message_id"),
              ("payment_received", "x" * 129, {}, "message_id_invalid", "message_id"),
              ("payment_received", "x", {"typename": 1}, "data_reserved_key", "typename"),
              ("payment_received", "x", {"bad key": 1}, "data_invalid_key", "bad key")]
    for name, mid, variables, code, field in cases_:
        with pytest.raises(ValidationError) as err:
            messages.send_message(ctx, integration(ctx), name, mid, C(case_id=started.case_id), variables)
        assert (err.value.code, err.value.field) == (code, field)
    with pytest.raises(TooLarge) as err:
        messages.send_message(ctx, integration(ctx), "payment_received", "x", C(case_id=started.case_id),
                              {"blob": "x" * 70_000})
    assert err.value.code == "variables_too_large"
    assert row_counts(ctx) == before
    # an administrator may send too
    assert messages.send_message(ctx, staff(ctx, "admin"), "payment_received", "x", C(case_id=started.case_id))


def test_a_withdrawn_case_waits_for_nothing(waiting):
    ctx = waiting
    started = start(ctx, "TEST-PAY")
    assert kept_values(ctx, started.case_id)["case.number"] == f'"{started.number}"'
    cases.withdraw(ctx, started.case_id, "申请人撤回", staff(ctx, "xcz_receiver"))
    assert subscriptions(ctx) == [] and kept_values(ctx, started.case_id) == {}
    with pytest.raises(NotFound):
        messages.send_message(ctx, integration(ctx), "payment_received", "w-1", C(case_id=started.case_id))


def test_plain_cases_write_no_subscription(demo):
    from tests.integration.test_case_flow import start_food
    start_food(demo)
    intake = only_task(demo, "zcz_qs_agent")
    tasks.complete(demo, intake.id, task_data(demo, intake.id), staff(demo, "zcz_qs_agent"))
    assert subscriptions(demo) == []


@pytest.mark.postgres
def test_the_same_message_sent_twice_at_once_is_delivered_once(waiting, db_url):
    ctx = waiting
    if ctx.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: nothing runs at the same moment")
    started = start(ctx, "TEST-PAY")
    senders = [Context.create(Settings(database_url=db_url), clock=ctx.clock) for _ in range(6)]
    barrier = threading.Barrier(len(senders))
    answers, errors = [], []

    def send(c):
        barrier.wait()
        try:
            answers.append(messages.send_message(c, integration(c), "payment_received", "pay-once",
                                                 C(case_id=started.case_id), {"amount": 5}))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=send, args=(c,)) for c in senders]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    for c in senders:
        c.dispose()
    assert errors == [] and len(answers) == len(senders)
    assert all(a == answers[0] for a in answers)
    assert len(events_of(ctx, started.case_id, "message_received")) == 1
    assert len(tasks.inbox(ctx, staff(ctx, "xcz_reviewer"))) == 1
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(MessageDelivery.message_id)).scalars().all() == ["pay-once"]


def test_a_package_parent_takes_no_message_and_drops_its_wait_when_it_ends(demo):
    from tests.integration.test_packages import finish
    from tests.integration.test_packages import start as start_package
    ctx = demo
    started = start_package(ctx)
    parent = started["case_id"]
    assert subscriptions(ctx, parent) == [(parent, "message", "children_done", "children_finished")]
    before = row_counts(ctx)
    with pytest.raises(Conflict) as err:
        messages.send_message(ctx, integration(ctx), "children_done", "c-1", C(case_id=parent))
    assert err.value.code == "message_to_package_parent"
    assert row_counts(ctx) == before
    for child in started["children"]:
        finish(ctx, child["case_id"], "granted")
    assert subscriptions(ctx, parent) == []


# --- correlation by variables (docs/integration.md#correlation-by-variables) -------------------

def start_with(ctx, code, form):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, "XCZ-W01"),
                                                 {"name": "王五", "id_number": "620102199001011233"}, form),
                            staff(ctx, "xcz_receiver"))


def kept_values(ctx, case_id):
    from engine.store.models import EventSubscriptionValue
    with ctx.uow.read() as tx:
        return dict(tx.conn.execute(
            select(EventSubscriptionValue.name, EventSubscriptionValue.value)
            .join(EventSubscription, EventSubscription.id == EventSubscriptionValue.subscription_id)
            .where(EventSubscription.case_id == case_id)).all())


def test_a_message_finds_its_case_by_variables_without_the_applicants_particulars(waiting):
    ctx = waiting
    first = start_with(ctx, "TEST-PAY", {"order_no": "A-1", "amount": 120})
    second = start_with(ctx, "TEST-PAY", {"order_no": "A-2", "amount": 120.0})
    kept = kept_values(ctx, first.case_id)
    assert kept["form.order_no"] == '"A-1"' and kept["form.amount"] == "120"
    assert kept["case.number"] == f'"{first.number}"'
    assert not [name for name in kept if name.startswith("applicant")]       # personal data stays in the case
    answer = messages.send_message(ctx, integration(ctx), "payment_received", "v-1",
                                   C.of(variables={"form.order_no": "A-2"}), {"paid": True})
    assert answer["case_id"] == second.case_id
    # 120 and 120.0 are one number; "120" is a string and matches neither
    with pytest.raises(NotFound) as err:
        messages.send_message(ctx, integration(ctx), "payment_received", "v-2", C.of(variables={"form.amount": "120"}))
    assert err.value.code == "message_not_correlated"
    answer = messages.send_message(ctx, integration(ctx), "payment_received", "v-3",
                                   C.of(variables={"form.amount": 120, "form.order_no": "A-1"}))
    assert answer["case_id"] == first.case_id
    assert subscriptions(ctx) == [] and kept_values(ctx, first.case_id) == {}


def test_several_matches_are_ambiguous_unless_all_is_asked(waiting):
    ctx = waiting
    ids = [start_with(ctx, "TEST-PAY", {"batch": "B-7"}).case_id for _ in range(3)]
    other = start_with(ctx, "TEST-PAY", {"batch": "B-8"}).case_id
    with pytest.raises(Conflict) as err:
        messages.send_message(ctx, integration(ctx), "payment_received", "b-1", C.of(variables={"form.batch": "B-7"}))
    assert err.value.code == "message_ambiguous" and err.value.detail["case_ids"] == ids[:2]
    answer = messages.correlate_all(ctx, integration(ctx), "payment_received", C.of(variables={"form.batch": "B-7"}),
                                    {"paid": True}, "b-2")
    assert answer["count"] == 3 and answer["case_ids"] == ids and answer["failed"] == []
    assert [r["caught_by"] for r in answer["results"]] == [["paid"]] * 3
    # the same id again: the first answer, nothing delivered twice
    again = messages.correlate_all(ctx, integration(ctx), "payment_received", C.of(variables={"form.batch": "B-7"}),
                                   {"paid": True}, "b-2")
    assert again == answer
    assert len(events_of(ctx, ids[0], "message_received")) == 1
    assert [s[0] for s in subscriptions(ctx)] == [other]
    with pytest.raises(NotFound):
        messages.correlate_all(ctx, integration(ctx), "payment_received", C.of(variables={"form.batch": "B-7"}))


@pytest.mark.parametrize("variables, code, field", [
    ({"applicant.id_number": "620102199001011233"}, "correlation_variable_private", "correlation.applicant.id_number"),
    ({"form": {"a": 1}}, "correlation_invalid", "correlation.form"),
    ({"x": [1]}, "correlation_invalid", "correlation.x"),
    ({"x": None}, "correlation_invalid", "correlation.x"),
    ({"x": "y" * 300}, "correlation_invalid", "correlation.x"),
    ({f"k{i}": i for i in range(17)}, "correlation_invalid", "correlation"),
    ("x", "correlation_invalid", "correlation"),
])
def test_bad_variable_matches_are_refused_naming_the_variable(variables, code, field):
    with pytest.raises(ValidationError) as err:
        C.of(variables=variables)
    assert err.value.code == code and err.value.field == field


# --- message start events (docs/integration.md#message-start-events) ---------------------------

def give_post(ctx, username, window_code="XCZ-W01", role="receiver"):
    """A post at the window's unit for `username` (the integration account holds none in the demo)."""
    from sqlalchemy import insert

    from engine.store.models import StaffPost, Window
    with ctx.uow.begin() as tx:
        window = tx.conn.execute(select(Window.id, Window.org_unit_id).where(Window.code == window_code)).one()
        tx.conn.execute(insert(StaffPost).values(staff_id=staff(ctx, username).staff_id, window_id=window.id,
                                                 org_unit_id=window.org_unit_id, role=role))
    ctx.caches.clear()


@pytest.fixture
def starting(demo):
    deploy_files(demo, FIXTURES / "message_start.bpmn")
    for code, key in (("TEST-MSTART", "licence_by_message"), ("TEST-TA", "transfer_a"), ("TEST-TB", "transfer_b"),
                      ("TEST-RENEW", "renew_by_message"), ("TEST-RWAIT", "renewal_waiting")):
        add_item(demo, code, key)
    return demo


def start_at(ctx, **kw):
    return messages.StartAt(kw.get("window", window_id(ctx, "XCZ-W01")), kw.get("applicant", {"name": "赵六"}),
                            kw.get("item"))


def test_a_message_start_event_starts_one_case_and_a_resend_starts_no_second(starting):
    ctx = starting
    give_post(ctx, "integration")
    before = row_counts(ctx)
    answer = messages.send_message(ctx, integration(ctx), "licence_application_received", "app-1",
                                   C(business_key="ELIC-42"), {"licence_type": "food"}, start=start_at(ctx))
    assert answer["started"] is True and answer["caught_by"] == ["received"]
    assert [t["element"] for t in answer["tasks"]] == ["check_application"]
    view = cases.get_case(ctx, answer["case_id"], staff(ctx, "admin"))
    assert view.status == "running" and view.data["licence_type"] == "food"
    with ctx.uow.read() as tx:
        assert tx.cases.view(answer["case_id"]).business_key == "ELIC-42"
    [(actor, payload)] = events_of(ctx, answer["case_id"], "message_received")
    assert actor == "integration" and payload["id"] == "app-1"
    assert subscriptions(ctx, answer["case_id"]) == []
    again = messages.send_message(ctx, integration(ctx), "licence_application_received", "app-1",
                                  C(business_key="ELIC-42"), {"licence_type": "food"}, start=start_at(ctx))
    assert again == answer
    assert row_counts(ctx)["case"] == before["case"] + 1


def test_a_message_start_needs_an_authorised_window_and_an_applicant(starting):
    ctx = starting
    send = messages.send_message
    with pytest.raises(ValidationError) as err:
        send(ctx, integration(ctx), "licence_application_received", "s-1", C(), {}, start=start_at(ctx, window=None))
    assert err.value.code == "window_required" and err.value.field == "window_id"
    with pytest.raises(ValidationError) as err:
        send(ctx, integration(ctx), "licence_application_received", "s-2", C(), {}, start=start_at(ctx, applicant=None))
    assert err.value.code == "applicant_required" and err.value.field == "applicant"
    # the integration account holds no post at the window: out of its scope
    with pytest.raises(Forbidden) as err:
        send(ctx, integration(ctx), "licence_application_received", "s-3", C(), {}, start=start_at(ctx))
    assert err.value.code == "window_not_yours" and err.value.field == "window_id"
    # an item of the wrong process
    give_post(ctx, "integration")
    with pytest.raises(ValidationError) as err:
        send(ctx, integration(ctx), "licence_application_received", "s-4", C(), {}, start=start_at(ctx, item="TEST-TA"))
    assert err.value.code == "item_not_of_process" and err.value.field == "item_code"
    # nothing was written by the refusals: the ids can be used again
    assert send(ctx, integration(ctx), "licence_application_received", "s-1", C(), {},
                start=start_at(ctx))["started"] is True


def test_a_message_that_starts_two_processes_or_starts_one_and_correlates_is_ambiguous(starting):
    ctx = starting
    give_post(ctx, "integration")
    with pytest.raises(Conflict) as err:
        messages.send_message(ctx, integration(ctx), "transfer_in", "t-1", C(), {}, start=start_at(ctx))
    assert err.value.code == "message_start_ambiguous"
    assert err.value.detail == {"process_keys": ["transfer_a", "transfer_b"], "case_ids": []}
    # renewal_due starts renew_by_message; once a case waits for it too, it is ambiguous
    first = messages.send_message(ctx, integration(ctx), "renewal_due", "r-1", C(), {}, start=start_at(ctx))
    assert first["started"] is True
    waiting_case = start(ctx, "TEST-RWAIT").case_id
    with pytest.raises(Conflict) as err:
        messages.send_message(ctx, integration(ctx), "renewal_due", "r-2", C(), {}, start=start_at(ctx))
    assert err.value.code == "message_start_ambiguous" and err.value.detail["case_ids"] == [waiting_case]
    # naming the case correlates with it and starts nothing
    answer = messages.send_message(ctx, integration(ctx), "renewal_due", "r-3", C(case_id=waiting_case))
    assert answer["case_id"] == waiting_case and "started" not in answer
