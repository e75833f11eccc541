"""Instance migration across one embedded sub-process boundary, on both databases
(docs/migration.md#crossing-a-sub-process-boundary): a case waiting at review on the process's own
flow moved into v2's new sub-process 审查阶段 (the sub-process started around it with the case's
data, its boundary timer armed from the migration time, the task and its claim kept), and back out
of it to v1 (the sub-process's data handed on, its timer gone); each driven to its end with its
audit chain intact; what stays refused (into a multi-instance sub-process, two sub-processes deep,
into a called process), each naming its element with nothing written; and a batch in which one
case is refused while the others move."""
from datetime import timedelta
from uuid import UUID

from sqlalchemy import select

from engine.domain.actor import Actor
from engine.services import cases, definitions, diagrams, migration, tasks
from engine.store import tables as t
from tests.conftest import snapshot, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files
from tests.integration.test_migration_scopes import _chain_intact

MIG = FIXTURES / "migration"
ADMIN = Actor.system("test")
CODE = "TEST-MIGX"


def _deploy(ctx, name, key="mig_x"):
    [process] = [p for p in deploy_files(ctx, MIG / name, name=name).processes if p.key == key]
    return process.definition_id


def _start(ctx):
    return cases.start_case(ctx, cases.StartCase(CODE, window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                            staff(ctx, "xcz_receiver")).case_id


def _open(ctx, case_id):
    with ctx.uow.read() as tx:
        return [tuple(r) for r in tx.conn.execute(
            select(t.task.c.id, t.task.c.spec_id, t.task.c.name, t.task.c.assignee_id)
            .where(t.task.c.case_id == case_id, t.task.c.state == "open")
            .order_by(t.task.c.spec_id, t.task.c.id)).all()]


def _status(ctx, case_id):
    with ctx.uow.read() as tx:
        return tuple(tx.conn.execute(select(t.case.c.definition_id, t.case.c.status)
                                     .where(t.case.c.id == case_id)).one())


def _timers(ctx, case_id):
    with ctx.uow.read() as tx:
        return [tuple(r) for r in tx.conn.execute(
            select(t.timer.c.element, t.timer.c.due_at)
            .where(t.timer.c.case_id == case_id, t.timer.c.kind == "bpmn", t.timer.c.state == "pending")).all()]


def _who(spec):
    return "xcz_receiver" if spec in ("intake", "archive", "remind") else "xcz_reviewer"


def _complete(ctx, task_id, spec, data=None):
    return tasks.complete(ctx, task_id, data or {}, staff(ctx, _who(spec)))


def _finish(ctx, case_id):
    done = []
    for _ in range(20):
        open_now = _open(ctx, case_id)
        if not open_now:
            break
        task_id, spec, *_ = open_now[0]
        _complete(ctx, task_id, spec)
        done.append(spec)
    return done


def _tokens(ctx, case_id):
    """The case diagram's elements with a token on them, each as often as it is listed, and the
    version it draws."""
    drawn = diagrams.case_diagram(ctx, case_id, ADMIN)
    return drawn.definition_id, sorted(e.element_id for e in drawn.elements if e.active)


def _at_review(ctx, **intake):
    case_id = _start(ctx)
    [(intake_task, spec, *_)] = _open(ctx, case_id)
    assert spec == "intake"
    _complete(ctx, intake_task, spec, {"received": "齐全", **intake})
    return case_id


def _review_data(ctx, case_id):
    """The data the case's review task sees (what its form is filled from)."""
    [(task_id, spec, *_)] = _open(ctx, case_id)
    assert spec == "review"
    with ctx.uow.read() as tx:
        [definition] = tx.conn.execute(select(t.case.c.definition_id).where(t.case.c.id == case_id)).one()
        definitions.load(ctx, tx, definition)
        wf = ctx.runtime.loads(tx.cases.state(case_id))
    task = wf.get_task_from_id(UUID(task_id))
    return task.workflow.spec.name, dict(task.data)


def test_a_task_on_the_process_flow_moves_into_a_new_sub_process(demo, clock):
    ctx = demo
    v1 = _deploy(ctx, "xscope_v1.bpmn")
    add_item(ctx, CODE, "mig_x")
    case_id = _at_review(ctx)
    [(review, *_)] = _open(ctx, case_id)
    tasks.claim(ctx, review, staff(ctx, "xcz_reviewer"))
    claimed = _open(ctx, case_id)
    v2 = _deploy(ctx, "xscope_v2.bpmn")
    clock.advance(timedelta(days=2))
    migrated_at = clock.now()

    plan = migration.MigrationRequest(v1, v2, {}, case_ids=(case_id,))
    assert [c.status for c in migration.validate(ctx, plan, ADMIN).cases] == ["valid"]
    report = migration.execute(ctx, plan, ADMIN)
    assert [(c.status, c.tasks) for c in report.cases] == [
        ("migrated", ({"task": review, "from": "review", "to": "review", "entered": "stage"},))]
    assert _open(ctx, case_id) == claimed                          # the same task, still claimed
    assert _status(ctx, case_id) == (v2, "running")
    assert _tokens(ctx, case_id) == (v2, ["review", "stage"])
    # it waits inside the sub-process, which got the case's data on entry (the script before review
    # in v2 did not run: the token was placed at review)
    flow, data = _review_data(ctx, case_id)
    assert flow == "stage"
    assert data["applicant"] == {"name": "王五"} and data["received"] == "齐全" and "stage_note" not in data
    # the sub-process's boundary timer is armed from the migration time
    [(element, due)] = _timers(ctx, case_id)
    assert element == "stage_due"
    assert due.replace(tzinfo=None) == (migrated_at + timedelta(days=5)).replace(tzinfo=None)

    assert _finish(ctx, case_id) == ["review", "report", "archive"]
    assert _status(ctx, case_id) == (v2, "completed")
    assert _timers(ctx, case_id) == []                              # the timer went with the sub-process
    assert _chain_intact(ctx, case_id)
    [event] = [e for e in cases.audit_trail(ctx, case_id, ADMIN)[0] if e["type"] == "case_migrated"]
    assert event["payload"]["tasks"] == [{"task": review, "from": "review", "to": "review", "entered": "stage"}]


def test_a_task_inside_a_sub_process_moves_out_onto_the_process_flow(demo):
    ctx = demo
    v2 = _deploy(ctx, "xscope_v2.bpmn")
    add_item(ctx, CODE, "mig_x")
    case_id = _at_review(ctx)
    flow, data = _review_data(ctx, case_id)
    assert flow == "stage" and data["stage_note"] == "entered"
    assert [e for e, _ in _timers(ctx, case_id)] == ["stage_due"]
    assert _tokens(ctx, case_id) == (v2, ["review", "stage"])
    [(review, *_)] = _open(ctx, case_id)
    v1 = _deploy(ctx, "xscope_v1.bpmn")

    report = migration.execute(ctx, migration.MigrationRequest(v2, v1, {}, case_ids=(case_id,)), ADMIN)
    assert [(c.status, c.tasks) for c in report.cases] == [
        ("migrated", ({"task": review, "from": "review", "to": "review", "left": "stage"},))]
    assert [spec for _, spec, *_ in _open(ctx, case_id)] == ["review"]
    assert _tokens(ctx, case_id) == (v1, ["review"])
    # the sub-process's data is handed on to the process's flow, the case's data kept
    flow, data = _review_data(ctx, case_id)
    assert flow == "mig_x"
    assert (data["applicant"], data["received"], data["stage_note"]) == ({"name": "王五"}, "齐全", "entered")
    assert _timers(ctx, case_id) == []                              # its boundary timer is gone
    _complete(ctx, review, "review", {"opinion": "同意"})
    [(archive, spec, *_)] = _open(ctx, case_id)
    assert spec == "archive"
    _complete(ctx, archive, spec)
    assert _status(ctx, case_id) == (v1, "completed")
    assert _chain_intact(ctx, case_id)


def _refused(ctx, v1, target, mapping, case_id):
    """The problems refusing the case (an instruction across a boundary that is refused whatever
    the case makes the plan itself wrong: 422 as a whole), nothing written either way."""
    before = snapshot(ctx)
    plan = migration.MigrationRequest(v1, target, mapping, case_ids=(case_id,))
    try:
        [outcome] = migration.execute(ctx, plan, ADMIN).cases
        assert outcome.status == "refused"
        problems = outcome.problems
    except migration.MigrationRefused as wrong_plan:
        assert mapping                  # only an explicit instruction is checked without a case
        problems = wrong_plan.problems
    assert snapshot(ctx) == before
    assert _status(ctx, case_id) == (v1, "running")
    return [(p.code, p.element) for p in problems], problems[0].message


def test_into_a_multi_instance_or_nested_sub_process_or_a_called_process_is_refused(demo):
    ctx = demo
    v1 = _deploy(ctx, "xscope_v1.bpmn")
    add_item(ctx, CODE, "mig_x")
    case_id = _at_review(ctx)
    v3 = _deploy(ctx, "xscope_v3.bpmn")
    problems, message = _refused(ctx, v1, v3, {}, case_id)
    assert problems == [("migration_scope_multi_instance", "review")]
    assert "stage" in message
    problems, message = _refused(ctx, v1, v3, {"review": "deep_review"}, case_id)
    assert problems == [("migration_scope_too_deep", "review")]
    assert "outer" in message and "inner" in message
    problems, message = _refused(ctx, v1, v3, {"review": "c_review"}, case_id)
    assert problems == [("migration_scope_call_activity", "review")]
    assert "call_review" in message
    # the case still runs on v1 to its end
    assert _finish(ctx, case_id) == ["review", "archive"]
    assert _status(ctx, case_id) == (v1, "completed")


def _rows_of(ctx, case_id):
    """The case's row and the rows hanging off it that a migration would write."""
    with ctx.uow.read() as tx:
        case = tuple(tx.conn.execute(select(t.case.c.version, t.case.c.definition_id, t.case.c.state,
                                            t.case.c.audit_seq).where(t.case.c.id == case_id)).one())
        task_rows = [tuple(r) for r in tx.conn.execute(
            select(t.task.c.id, t.task.c.spec_id, t.task.c.state, t.task.c.assignee_id)
            .where(t.task.c.case_id == case_id).order_by(t.task.c.id)).all()]
    return case, task_rows, _timers(ctx, case_id)


def test_a_batch_moves_the_cases_it_can_and_leaves_a_refused_one_untouched(demo):
    ctx = demo
    v1 = _deploy(ctx, "xscope_v1.bpmn")
    add_item(ctx, CODE, "mig_x")
    first = _at_review(ctx, stage_limit="P5D")
    lacking = _at_review(ctx)               # v4 times its new sub-process by the case's `stage_limit`
    second = _at_review(ctx, stage_limit="P3D")
    v4 = _deploy(ctx, "xscope_v4.bpmn")
    before = _rows_of(ctx, lacking)
    plan = migration.MigrationRequest(v1, v4, {}, case_ids=(first, lacking, second))
    # the rules pass for all three: only running the target from where the case stands tells
    assert [c.status for c in migration.validate(ctx, plan, ADMIN).cases] == ["valid"] * 3
    report = migration.execute(ctx, plan, ADMIN)
    assert [(c.case_id, c.status) for c in report.cases] == [(first, "migrated"), (lacking, "refused"),
                                                            (second, "migrated")]
    refused = report.cases[1]
    assert refused.problems and refused.problems[0].case_id == lacking
    assert _rows_of(ctx, lacking) == before                     # nothing of it written
    assert [e["type"] for e in cases.audit_trail(ctx, lacking, ADMIN)[0]].count("case_migrated") == 0
    assert sorted(e for e, _ in _timers(ctx, first) + _timers(ctx, second)) == ["stage_due", "stage_due"]
    for case_id in (first, second):
        assert _finish(ctx, case_id) == ["review", "report", "archive"]
        assert _status(ctx, case_id) == (v4, "completed")
        assert _chain_intact(ctx, case_id)
    assert _finish(ctx, lacking) == ["review", "archive"]       # still on v1, to its end
    assert _status(ctx, lacking) == (v1, "completed")
