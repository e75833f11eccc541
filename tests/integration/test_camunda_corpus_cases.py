"""What the corpus work made deployable, run as real cases on both databases
(tests/fixtures/camunda/): a Quartz cron timer cycle fires at its times, once each; a Camunda 8
FEEL gateway routes both ways; a Camunda Form deployed beside its diagram checks what a step is
completed with, naming the field."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.domain.errors import DeployError, ValidationError
from engine.services import cases, definitions, start_schedules, tasks
from engine.services.time_limits import timers
from engine.store import tables as t
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files

APPLICANT = {"name": "张三", "id_number": "620102199001011233", "phone": "13800000000"}


def _start(ctx, paths, process_key, form=None):
    deploy_files(ctx, *paths)
    add_item(ctx, "TEST-" + process_key.upper(), process_key)
    return cases.start_case(ctx, cases.StartCase("TEST-" + process_key.upper(), window_id(ctx, "XCZ-W01"),
                                                 APPLICANT, form or {}), staff(ctx, "xcz_receiver"))


def _open(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.task.c.id, t.task.c.spec_id).where(t.task.c.case_id == case_id,
                                                                           t.task.c.state == "open")
                               .order_by(t.task.c.created_at, t.task.c.id)).all()


def _fired(ctx, case_id):
    trail = cases.audit_trail(ctx, case_id, staff(ctx, "xcz_receiver"))[0]
    return [e["payload"]["due_at"] for e in trail if e["type"] == "timer_fired"]


def test_a_cron_timer_fires_at_its_times_once_each(demo, clock):
    """T0 is Friday 27 November 2026, 09:00 Beijing time; the reminder fires at 09:00 on working
    days (Monday to Friday)."""
    ctx = demo
    started = _start(ctx, [FIXTURES / "camunda" / "camunda_cron_reminder.bpmn"], "camunda_cron_reminder")
    [review] = _open(ctx, started.case_id)
    assert timers.fire_due(ctx) == 0
    clock.advance(timedelta(days=3, seconds=1))                    # Monday 30 November, 09:00:01
    assert timers.fire_due(ctx) == 1
    assert timers.fire_due(ctx) == 0                               # exactly once
    clock.advance(timedelta(days=1))                               # Tuesday 1 December
    assert timers.fire_due(ctx) == 1
    assert timers.fire_due(ctx) == 0
    assert _fired(ctx, started.case_id) == ["2026-11-30T01:00:00+00:00", "2026-12-01T01:00:00+00:00"]
    assert [r.spec_id for r in _open(ctx, started.case_id)] == ["review"]   # non-interrupting
    tasks.complete(ctx, review.id, {}, staff(ctx, "xcz_reviewer"))
    assert cases.get_case(ctx, started.case_id, staff(ctx, "xcz_receiver")).status == "completed"
    clock.advance(timedelta(days=1))
    assert timers.fire_due(ctx) == 0                               # the cycle ended with its step


FEEL = [FIXTURES / "camunda" / "camunda_feel_gateway.bpmn"]


def test_a_feel_gateway_routes_a_red_risk_to_the_senior_review(demo):
    ctx = demo
    started = _start(ctx, FEEL, "camunda_feel_gateway", {"riskLevels": ["green", "red"], "amount": 10})
    [step] = _open(ctx, started.case_id)
    assert step.spec_id == "senior_review"
    tasks.complete(ctx, step.id, {"decision": "refused"}, staff(ctx, "xcz_reviewer"))
    [step] = _open(ctx, started.case_id)
    assert step.spec_id == "explain"                  # not(decision in [...]) and count(...) > 0
    tasks.complete(ctx, step.id, {}, staff(ctx, "xcz_reviewer"))
    assert cases.get_case(ctx, started.case_id, staff(ctx, "xcz_receiver")).status == "completed"


def test_a_feel_gateway_routes_a_small_green_case_to_the_approval(demo):
    ctx = demo
    started = _start(ctx, FEEL, "camunda_feel_gateway", {"riskLevels": ["green"], "amount": 10})
    [step] = _open(ctx, started.case_id)
    assert step.spec_id == "approve"
    tasks.complete(ctx, step.id, {"decision": "granted"}, staff(ctx, "xcz_reviewer"))
    assert _open(ctx, started.case_id) == []          # the default flow: granted ends the case
    assert cases.get_case(ctx, started.case_id, staff(ctx, "xcz_receiver")).status == "completed"


EXAMPLE = FIXTURES / "corpus" / "camunda-bpm-examples" / "usertask" / "task-camunda-forms" / "src" / "main"


def _deploy_invoice(ctx):
    """Camunda's task-camunda-forms example with its two Camunda Forms beside it; the approval is
    assigned to a clerk of the receiving window instead of Camunda's `demo` user."""
    bpmn = (EXAMPLE / "resources" / "invoiceApproval.bpmn").read_bytes().replace(
        b'camunda:assignee="demo"', b'camunda:assignee="xcz_receiver"')
    files = [SourceFile("invoiceApproval.bpmn", bpmn)] + [
        SourceFile(name, (EXAMPLE / "webapp" / name).read_bytes()) for name in ("start-form.form", "task-form.form")]
    definitions.deploy(ctx, files, Actor.system("test"))
    add_item(ctx, "TEST-INVOICE", "camundaFormsQuickstart")


def _field_errors(err):
    return [(e["field"], e["validator"]) for e in err.value.detail["errors"]]


def test_a_camunda_form_checks_the_application_and_the_step(demo):
    ctx = demo
    _deploy_invoice(ctx)
    clerk = staff(ctx, "xcz_receiver")

    def start(form):
        return cases.start_case(ctx, cases.StartCase("TEST-INVOICE", window_id(ctx, "XCZ-W01"), APPLICANT, form),
                                clerk)

    with pytest.raises(ValidationError) as err:                  # the start form: amount digits only
        start({"creditor": "兰州牛肉面馆", "amount": "12 元"})
    assert (err.value.code, err.value.field) == ("form_invalid", "form.amount")
    started = start({"creditor": "兰州牛肉面馆", "amount": "1200", "invoiceNumber": "C-1024"})
    [approve] = _open(ctx, started.case_id)
    assert approve.spec_id == "UserTask_1"
    before = row_counts(ctx)
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, approve.id, {"amount": "1200", "invoiceNumber": "1024", "approved": "yes"}, clerk)
    assert (err.value.code, err.value.field) == ("form_invalid", "data.creditor")       # required, missing
    assert sorted(_field_errors(err)) == [("data.approved", "pattern"), ("data.creditor", "required"),
                                          ("data.invoiceNumber", "pattern")]
    assert row_counts(ctx) == before                                                     # nothing written
    tasks.complete(ctx, approve.id, {"creditor": "兰州牛肉面馆", "amount": "1200", "invoiceNumber": "C-1024",
                                     "approved": "true", "approvedBy": "王科长"}, clerk)
    assert cases.get_case(ctx, started.case_id, clerk).status == "completed"


def test_a_camunda_form_with_a_component_it_cannot_keep_names_the_component_and_the_task(demo):
    ctx = demo
    bpmn = (EXAMPLE / "resources" / "invoiceApproval.bpmn").read_bytes().replace(
        b'camunda:assignee="demo"', b'camunda:assignee="xcz_receiver"')
    form = json.loads((EXAMPLE / "webapp" / "task-form.form").read_bytes())
    form["components"].append({"key": "x", "type": "dynamiclist"})
    task_form = json.dumps(form).encode()
    before = row_counts(ctx)
    with pytest.raises(DeployError) as err:
        definitions.deploy(ctx, [SourceFile("invoiceApproval.bpmn", bpmn), SourceFile("task-form.form", task_form),
                                 SourceFile("start-form.form", (EXAMPLE / "webapp" / "start-form.form").read_bytes())],
                           Actor.system("test"))
    [problem] = [p for p in err.value.problems if p.element]
    assert (problem.code, problem.element) == ("camunda_form_unsupported", "UserTask_1")
    assert "user task UserTask_1" in problem.message and "component x (dynamiclist)" in problem.message
    assert row_counts(ctx) == before


def _with_form_ref(ref: bytes, binding: bytes = b""):
    bpmn = (EXAMPLE / "resources" / "invoiceApproval.bpmn").read_bytes().replace(
        b'camunda:assignee="demo"', b'camunda:assignee="xcz_receiver"').replace(
        b'camunda:formKey="camunda-forms:app:task-form.form"', b'camunda:formRef="' + ref + b'"' + binding)
    form = json.loads((EXAMPLE / "webapp" / "task-form.form").read_bytes())
    form["id"] = "approveInvoice"                    # Camunda 7.19's formRef names a form by its id
    return [SourceFile("invoiceApproval.bpmn", bpmn), SourceFile("approve.form", json.dumps(form).encode()),
            SourceFile("start-form.form", (EXAMPLE / "webapp" / "start-form.form").read_bytes())]


def test_a_form_ref_names_the_camunda_form_by_its_id(demo):
    ctx = demo
    definitions.deploy(ctx, _with_form_ref(b"approveInvoice"), Actor.system("test"))
    add_item(ctx, "TEST-INVOICE", "camundaFormsQuickstart")
    clerk = staff(ctx, "xcz_receiver")
    started = cases.start_case(ctx, cases.StartCase("TEST-INVOICE", window_id(ctx, "XCZ-W01"), APPLICANT,
                                                    {"creditor": "甲", "amount": "5"}), clerk)
    [approve] = _open(ctx, started.case_id)
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, approve.id, {"amount": "5"}, clerk)
    assert err.value.field == "data.creditor"


@pytest.mark.parametrize("ref, binding, code", [
    (b"noSuchForm", b"", "form_missing"),
    (b"approveInvoice", b' camunda:formRefBinding="version"', "form_binding_unsupported"),
])
def test_a_form_ref_that_cannot_be_honoured_is_refused(demo, ref, binding, code):
    with pytest.raises(DeployError) as err:
        definitions.deploy(demo, _with_form_ref(ref, binding), Actor.system("test"))
    assert (err.value.problems[0].code, err.value.problems[0].element) == (code, "UserTask_1")


LOAN = (FIXTURES / "corpus" / "camunda-bpm-examples" / "spring-boot-starter" / "external-task-client" /
        "loan-granting-spring-boot-webapp" / "src" / "main" / "resources" / "bpmn" / "loan-granting.bpmn")


def test_the_camunda_examples_cron_start_event_starts_a_case_every_five_seconds(demo, clock):
    """loan-granting.bpmn's start event: `0/5 0/1 * 1/1 * ?`, every five seconds. As in Camunda,
    each time starts a new case (once its schedule is active), whose start event does not wait:
    its first service task is offered to workers at once (docs/camunda-bpmn.md#timer-start-events).
    A clerk's start of the same process runs the flow at once too, and waits on no timer."""
    ctx = demo
    by_clerk = _start(ctx, [LOAN], "loan_process")

    def pending_and_topics(case_id):
        with ctx.uow.read() as tx:
            due = tx.conn.execute(select(t.timer.c.due_at).where(t.timer.c.case_id == case_id,
                                                                 t.timer.c.kind == "bpmn",
                                                                 t.timer.c.state == "pending")).scalars().all()
            topics = tx.conn.execute(select(t.external_task.c.topic)
                                     .where(t.external_task.c.case_id == case_id)).scalars().all()
        return due, topics

    assert pending_and_topics(by_clerk.case_id) == ([], ["creditScoreChecker"])
    schedule = start_schedules.set_schedule(ctx, staff(ctx, "designer"), "loan_process", True,
                                            window_id(ctx, "XCZ-W01"))
    assert schedule["next_due_at"].isoformat() == "2026-11-27T01:00:05+00:00"
    clock.advance(timedelta(seconds=6))
    assert (start_schedules.fire_due(ctx), start_schedules.fire_due(ctx)) == (1, 0)
    clock.advance(timedelta(seconds=5))
    assert (start_schedules.fire_due(ctx), start_schedules.fire_due(ctx)) == (1, 0)
    assert timers.fire_due(ctx) == 0                               # the cases wait on no timer
    with ctx.uow.read() as tx:
        started = tx.conn.execute(select(t.case.c.id).where(t.case.c.id != by_clerk.case_id)
                                  .order_by(t.case.c.id)).scalars().all()
    assert len(started) == 2
    assert [pending_and_topics(case_id) for case_id in started] == [([], ["creditScoreChecker"])] * 2
