"""Instance migration inside scopes, on both databases (docs/migration.md): a case waiting in a
user task of an embedded sub-process moved to a version where the sub-process and the task were
renamed; a case inside a call activity, with the called process unchanged and with it changed; a
parallel multi-instance case with 3 instances, 1 done; each driven to its end on the target, its
audit chain intact; a task taken out of its sub-process; and the refusals (a call activity calling
another process, a changed cardinality), each naming its element, nothing written."""
import pytest
from sqlalchemy import select

from engine.domain.actor import Actor
from engine.services import cases, migration, tasks
from engine.store import tables as t
from tests.conftest import snapshot, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files

MIG = FIXTURES / "migration"
ADMIN = Actor.system("test")


def _deploy(ctx, name, key):
    [process] = [p for p in deploy_files(ctx, MIG / name, name=name).processes if p.key == key]
    return process.definition_id


def _start(ctx, code):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                            staff(ctx, "xcz_receiver")).case_id


def _open(ctx, case_id):
    """(task id, element, name) of the case's open tasks, by element then id."""
    with ctx.uow.read() as tx:
        return [tuple(r) for r in tx.conn.execute(
            select(t.task.c.id, t.task.c.spec_id, t.task.c.name)
            .where(t.task.c.case_id == case_id, t.task.c.state == "open")
            .order_by(t.task.c.spec_id, t.task.c.id)).all()]


def _status(ctx, case_id):
    with ctx.uow.read() as tx:
        return tuple(tx.conn.execute(select(t.case.c.definition_id, t.case.c.status)
                                     .where(t.case.c.id == case_id)).one())


def _finish(ctx, case_id, who="xcz_reviewer"):
    """Completes whatever the case has open, step by step, until it ends; the elements done."""
    done = []
    for _ in range(20):
        open_now = _open(ctx, case_id)
        if not open_now:
            break
        task_id, spec, _ = open_now[0]
        tasks.complete(ctx, task_id, {}, staff(ctx, "xcz_receiver" if spec in ("intake", "archive", "summary")
                                                     else who))
        done.append(spec)
    return done


def _chain_intact(ctx, case_id) -> bool:
    events, broken = cases.audit_trail(ctx, case_id, ADMIN)
    return broken is None and any(e["type"] == "case_migrated" for e in events)


def _past_intake(ctx, code):
    case_id = _start(ctx, code)
    [(intake, spec, _)] = _open(ctx, case_id)
    assert spec == "intake"
    tasks.complete(ctx, intake, {}, staff(ctx, "xcz_receiver"))
    return case_id


def test_user_task_in_a_renamed_sub_process_moves_and_the_case_ends_on_the_target(demo):
    ctx = demo
    v1 = _deploy(ctx, "subprocess_v1.bpmn", "mig_sub")
    add_item(ctx, "TEST-MIGS", "mig_sub")
    case_id = _past_intake(ctx, "TEST-MIGS")
    [(check, spec, _)] = _open(ctx, case_id)
    assert spec == "site_check"
    tasks.claim(ctx, check, staff(ctx, "xcz_reviewer"))
    v2 = _deploy(ctx, "subprocess_v2.bpmn", "mig_sub")
    mapping = {"verify": "inspection", "site_check": "inspect"}

    # without the sub-process's own instruction its flow has nothing to correspond to
    with pytest.raises(migration.MigrationRefused) as err:
        migration.validate(ctx, migration.MigrationRequest(v1, v2, {"site_check": "inspect"}, case_ids=(case_id,)),
                           ADMIN)
    assert (err.value.code, err.value.detail["element"]) == ("migration_scope_changed", "site_check")
    assert "to move it with its sub-process, map verify to inspection" in err.value.message

    report = migration.execute(ctx, migration.MigrationRequest(v1, v2, mapping, case_ids=(case_id,)), ADMIN)
    assert [(c.status, c.tasks) for c in report.cases] == [
        ("migrated", ({"task": check, "from": "site_check", "to": "inspect"},))]
    assert _open(ctx, case_id) == [(check, "inspect", "实地核验")]          # the same task, renamed
    assert _status(ctx, case_id) == (v2, "running")
    # the rest runs on v2: the step the sub-process gained, then the one after it
    assert _finish(ctx, case_id) == ["inspect", "inspect_report", "sign"]
    assert _status(ctx, case_id) == (v2, "completed")
    assert _chain_intact(ctx, case_id)


def test_a_task_taken_out_of_its_sub_process_moves_out_with_the_case_inside_it(demo):
    # once refused (migration_scope_changed); now the sub-process's instance is removed around the
    # task (docs/migration.md#crossing-a-sub-process-boundary, tests/integration/test_migration_cross_scope.py)
    ctx = demo
    v1 = _deploy(ctx, "subprocess_v1.bpmn", "mig_sub")
    add_item(ctx, "TEST-MIGS", "mig_sub")
    inside = _past_intake(ctx, "TEST-MIGS")
    [(check, _, _)] = _open(ctx, inside)
    at_intake = _start(ctx, "TEST-MIGS")
    v3 = _deploy(ctx, "subprocess_v3.bpmn", "mig_sub")
    report = migration.validate(ctx, migration.MigrationRequest(v1, v3, {}, all_running=True), ADMIN)
    assert {c.case_id: c.status for c in report.cases} == {inside: "valid", at_intake: "valid"}
    report = migration.execute(ctx, migration.MigrationRequest(v1, v3, {}, case_ids=(inside,)), ADMIN)
    assert [(c.status, c.tasks) for c in report.cases] == [
        ("migrated", ({"task": check, "from": "site_check", "to": "site_check", "left": "verify"},))]
    assert _open(ctx, inside) == [(check, "site_check", "现场核查")]
    # on v3's flow: the check on the process's own flow, then the sub-process (entered afresh)
    assert _finish(ctx, inside) == ["site_check", "report"]
    assert _status(ctx, inside) == (v3, "completed")
    assert _chain_intact(ctx, inside)


def test_call_activity_case_moves_with_its_child_kept_or_migrated(demo):
    ctx = demo
    v1 = _deploy(ctx, "call_v1.bpmn", "mig_call")
    add_item(ctx, "TEST-MIGC", "mig_call")
    kept = _past_intake(ctx, "TEST-MIGC")
    moved = _past_intake(ctx, "TEST-MIGC")
    [(kept_task, spec, _)] = _open(ctx, kept)
    [(moved_task, _, _)] = _open(ctx, moved)
    assert spec == "c_check"                                    # inside the called process

    # v2 changes the caller only: the child stays as it is, its task untouched
    v2 = _deploy(ctx, "call_v2.bpmn", "mig_call")
    report = migration.execute(ctx, migration.MigrationRequest(v1, v2, {}, case_ids=(kept,)), ADMIN)
    assert [(c.status, c.tasks) for c in report.cases] == [
        ("migrated", ({"task": kept_task, "from": "c_check", "to": "c_check"},))]
    assert _open(ctx, kept) == [(kept_task, "c_check", "子流程核查")]
    assert _finish(ctx, kept) == ["c_check", "archive"]          # back in the caller: v2's new step
    assert _status(ctx, kept) == (v2, "completed")

    # v3 changed the called process too: the child moves with the caller, its step renamed
    v3 = _deploy(ctx, "call_v3.bpmn", "mig_call")
    report = migration.execute(ctx, migration.MigrationRequest(v1, v3, {"c_check": "c_verify"},
                                                               case_ids=(moved,)), ADMIN)
    assert [c.status for c in report.cases] == ["migrated"]
    assert _open(ctx, moved) == [(moved_task, "c_verify", "子流程核验")]
    assert _finish(ctx, moved) == ["c_verify", "c_review", "archive"]
    assert _status(ctx, moved) == (v3, "completed")
    assert _chain_intact(ctx, kept) and _chain_intact(ctx, moved)


def test_a_call_activity_calling_another_process_refuses_the_case_inside(demo):
    ctx = demo
    v1 = _deploy(ctx, "call_v1.bpmn", "mig_call")
    add_item(ctx, "TEST-MIGC", "mig_call")
    inside = _past_intake(ctx, "TEST-MIGC")
    v4 = _deploy(ctx, "call_v4.bpmn", "mig_call")
    before = snapshot(ctx)
    report = migration.execute(ctx, migration.MigrationRequest(v1, v4, {}, all_running=True), ADMIN)
    [refused] = report.cases
    assert refused.status == "refused"
    assert {(p.code, p.element) for p in refused.problems} == {("migration_called_process_changed", "call_check"),
                                                              ("migration_scope_changed", "c_check")}
    assert snapshot(ctx) == before
    assert _status(ctx, inside) == (v1, "running")


def test_parallel_multi_instance_moves_instance_by_instance(demo):
    ctx = demo
    v1 = _deploy(ctx, "multi_v1.bpmn", "mig_multi")
    add_item(ctx, "TEST-MIGM", "mig_multi")
    case_id = _past_intake(ctx, "TEST-MIGM")
    instances = _open(ctx, case_id)
    assert [spec for _, spec, _ in instances] == ["countersign"] * 3
    done, *running = [task_id for task_id, _, _ in instances]
    tasks.complete(ctx, done, {"opinion": "同意"}, staff(ctx, "xcz_reviewer"))
    v2 = _deploy(ctx, "multi_v2.bpmn", "mig_multi")
    report = migration.execute(ctx, migration.MigrationRequest(v1, v2, {"countersign": "cosign"},
                                                               case_ids=(case_id,)), ADMIN)
    [outcome] = report.cases
    assert outcome.status == "migrated"
    assert sorted(e["task"] for e in outcome.tasks) == sorted(running)
    assert _open(ctx, case_id) == sorted((task_id, "cosign", "联合会签") for task_id in running)
    # the two left are completed on v2; then the summary v2 added after the countersign
    for task_id in running:
        tasks.complete(ctx, task_id, {}, staff(ctx, "xcz_reviewer"))
    [(summary, spec, _)] = _open(ctx, case_id)
    assert spec == "summary"
    tasks.complete(ctx, summary, {}, staff(ctx, "xcz_receiver"))
    assert _status(ctx, case_id) == (v2, "completed")
    assert _chain_intact(ctx, case_id)


def test_a_changed_cardinality_refuses_the_case_in_the_multi_instance(demo):
    ctx = demo
    v1 = _deploy(ctx, "multi_v1.bpmn", "mig_multi")
    add_item(ctx, "TEST-MIGM", "mig_multi")
    inside = _past_intake(ctx, "TEST-MIGM")
    at_intake = _start(ctx, "TEST-MIGM")
    v3 = _deploy(ctx, "multi_v3.bpmn", "mig_multi")
    before = snapshot(ctx)
    report = migration.validate(ctx, migration.MigrationRequest(v1, v3, {}, all_running=True), ADMIN)
    outcomes = {c.case_id: c for c in report.cases}
    assert outcomes[at_intake].status == "valid"      # not in the multi-instance yet: it will make 4
    [problem] = outcomes[inside].problems
    assert (problem.code, problem.element) == ("migration_multi_instance_changed", "countersign")
    assert "cardinality=3" in problem.message and "cardinality=4" in problem.message
    report = migration.execute(ctx, migration.MigrationRequest(v1, v3, {}, case_ids=(inside,)), ADMIN)
    assert [c.reason for c in report.cases] == ["migration_multi_instance_changed"]
    assert snapshot(ctx) == before
