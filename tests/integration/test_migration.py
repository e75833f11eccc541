"""Instance migration on both databases: a linear process v1 → v2 with a renamed and an added
step, a claim kept, a re-routed step, refusals with nothing written, a parallel gateway case, and
1,000 cases moved with their audit chains intact."""
import os
import time
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.domain.actor import Actor
from engine.domain.errors import CaseError, Forbidden, NotFound, ValidationError
from engine.services import cases, migration, tasks
from engine.services.time_limits import timers
from engine.store import tables as t
from tests.conftest import row_counts, snapshot, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files

MIG = FIXTURES / "migration"
ADMIN = Actor.system("test")


def _deploy(ctx, name):
    [process] = deploy_files(ctx, MIG / name, name=name).processes
    return process.definition_id


def _start(ctx, code="TEST-MIG"):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                            staff(ctx, "xcz_receiver"))


def _open(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.task.c.id, t.task.c.spec_id, t.task.c.name, t.task.c.assignee_id,
                                      t.task.c.routed_role)
                               .where(t.task.c.case_id == case_id, t.task.c.state == "open")
                               .order_by(t.task.c.spec_id)).all()


def _definition_of(ctx, case_id):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(t.case.c.definition_id).where(t.case.c.id == case_id)).scalar_one()


def _chain_intact(ctx, case_id) -> bool:
    """The case's hash chain verifies (engine.domain.audit.verify, through the audit trail's
    read) and records the migration."""
    events, broken = cases.audit_trail(ctx, case_id, ADMIN)
    return broken is None and any(e["type"] == "case_migrated" for e in events)


@pytest.fixture
def linear(demo):
    ctx = demo
    v1 = _deploy(ctx, "linear_v1.bpmn")
    add_item(ctx, "TEST-MIG", "mig_linear")
    return ctx, v1


def test_linear_case_moves_to_a_renamed_step_and_runs_the_added_one(linear):
    ctx, v1 = linear
    started = _start(ctx)
    [(intake, *_)] = _open(ctx, started.case_id)
    tasks.complete(ctx, intake, {}, staff(ctx, "xcz_receiver"))
    [(review, spec, _, _, _)] = _open(ctx, started.case_id)
    assert spec == "review"
    tasks.claim(ctx, review, staff(ctx, "xcz_reviewer"))
    v2 = _deploy(ctx, "linear_v2.bpmn")

    request = migration.MigrationRequest(v1, v2, {"review": "examine"}, case_ids=(started.case_id,))
    checked = migration.validate(ctx, request, ADMIN)
    assert [c.status for c in checked.cases] == ["valid"] and _definition_of(ctx, started.case_id) == v1
    report = migration.execute(ctx, request, ADMIN)
    assert [(c.case_id, c.status) for c in report.cases] == [(started.case_id, "migrated")]
    assert (report.source_version, report.target_version) == (1, 2)

    # the same task, now the renamed step, still claimed by its reviewer
    [(task_id, spec, name, assignee, _)] = _open(ctx, started.case_id)
    assert (task_id, spec, name, assignee) == (review, "examine", "审核", staff(ctx, "xcz_reviewer").staff_id)
    assert _definition_of(ctx, started.case_id) == v2
    tasks.complete(ctx, review, {}, staff(ctx, "xcz_reviewer"))
    [(sign, spec, *_)] = _open(ctx, started.case_id)
    assert spec == "sign"                                   # the step v2 added
    done = tasks.complete(ctx, sign, {}, staff(ctx, "xcz_reviewer"))
    assert done.status == "completed"
    assert _chain_intact(ctx, started.case_id)
    trail = [e for e in cases.audit_trail(ctx, started.case_id, ADMIN)[0] if e["type"] == "case_migrated"]
    assert trail[0]["payload"]["mapping"] == {"review": "examine"}
    assert trail[0]["payload"]["tasks"] == [{"task": review, "from": "review", "to": "examine"}]


def test_unmapped_activity_is_refused_with_nothing_written(linear):
    ctx, v1 = linear
    started = _start(ctx)
    [(intake, *_)] = _open(ctx, started.case_id)
    tasks.complete(ctx, intake, {}, staff(ctx, "xcz_receiver"))
    v2 = _deploy(ctx, "linear_v2.bpmn")
    before = snapshot(ctx)
    # no instruction for review, which v2 does not have
    report = migration.execute(ctx, migration.MigrationRequest(v1, v2, {}, all_running=True), ADMIN)
    [outcome] = report.cases
    assert (outcome.status, outcome.reason) == ("refused", "migration_unmapped_activity")
    assert [(p.element, p.case_id) for p in outcome.problems] == [("review", started.case_id)]
    assert snapshot(ctx) == before


def test_plan_errors_name_the_element(linear):
    ctx, v1 = linear
    v3 = _deploy(ctx, "linear_v3.bpmn")
    for mapping, code, element in (({"nope": "intake"}, "migration_unknown_source_element", "nope"),
                                   ({"intake": "nope"}, "migration_unknown_target_element", "nope"),
                                   ({"intake": "review"}, "migration_kind_mismatch", "intake")):
        with pytest.raises(migration.MigrationRefused) as err:
            migration.validate(ctx, migration.MigrationRequest(v1, v3, mapping, all_running=True), ADMIN)
        assert (err.value.code, err.value.detail["element"]) == (code, element)
    with pytest.raises(ValidationError) as err:
        migration.execute(ctx, migration.MigrationRequest(v1, v1, {}, all_running=True), ADMIN)
    assert err.value.code == "migration_same_version"
    with pytest.raises(ValidationError) as err:
        migration.execute(ctx, migration.MigrationRequest(v1, v3, {}), ADMIN)
    assert err.value.code == "migration_cases_required"
    with pytest.raises(NotFound) as err:
        migration.execute(ctx, migration.MigrationRequest(v1, 999_999, {}, all_running=True), ADMIN)
    assert err.value.field == "target_definition_id"
    with pytest.raises(Forbidden):
        migration.execute(ctx, migration.MigrationRequest(v1, v3, {}, all_running=True), staff(ctx, "xcz_receiver"))


def test_kind_change_and_rerouting_per_case(linear):
    ctx, v1 = linear
    at_intake = _start(ctx)
    at_review = _start(ctx)
    [(intake, *_)] = _open(ctx, at_review.case_id)
    tasks.complete(ctx, intake, {}, staff(ctx, "xcz_receiver"))
    [(claimed, *_)] = _open(ctx, at_intake.case_id)
    tasks.claim(ctx, claimed, staff(ctx, "xcz_receiver"))
    v3 = _deploy(ctx, "linear_v3.bpmn")
    before = row_counts(ctx)
    report = migration.execute(ctx, migration.MigrationRequest(v1, v3, {}, case_ids=(at_intake.case_id,
                                                                                    at_review.case_id, 999_999)),
                               ADMIN)
    outcomes = {c.case_id: c for c in report.cases}
    # review became a script task in v3: that case stays on v1, untouched
    assert (outcomes[at_review.case_id].status, outcomes[at_review.case_id].reason) == \
        ("refused", "migration_kind_mismatch")
    assert _definition_of(ctx, at_review.case_id) == v1
    assert (outcomes[999_999].status, outcomes[999_999].reason) == ("skipped", "case_not_found")
    # intake is done by reviewers in v3: re-routed, and the receiver's claim dropped
    assert outcomes[at_intake.case_id].status == "migrated"
    [(task_id, spec, _, assignee, role)] = _open(ctx, at_intake.case_id)
    assert (task_id, spec, assignee, role) == (claimed, "intake", None, "reviewer")
    assert row_counts(ctx)["task"] == before["task"]
    # v3 runs on: the script task, then confirm with its boundary timer scheduled
    tasks.complete(ctx, claimed, {}, staff(ctx, "xcz_reviewer"))
    [(_, spec, *_)] = _open(ctx, at_intake.case_id)
    assert spec == "confirm"
    with ctx.uow.read() as tx:
        timers = tx.conn.execute(select(t.timer.c.element).where(t.timer.c.case_id == at_intake.case_id,
                                                                t.timer.c.kind == "bpmn",
                                                                t.timer.c.state == "pending")).scalars().all()
    assert timers == ["confirm_late"]
    # a second run skips what is no longer on v1
    again = migration.execute(ctx, migration.MigrationRequest(v1, v3, {}, case_ids=(at_intake.case_id,)), ADMIN)
    assert [(c.status, c.reason) for c in again.cases] == [("skipped", "case_not_of_source_version")]


def test_parallel_gateway_case_moves_with_one_branch_done(demo):
    ctx = demo
    v1 = _deploy(ctx, "parallel_v1.bpmn")
    add_item(ctx, "TEST-MIGP", "mig_parallel")
    started = _start(ctx, "TEST-MIGP")
    [(intake, *_)] = _open(ctx, started.case_id)
    tasks.complete(ctx, intake, {}, staff(ctx, "xcz_receiver"))
    open_tasks = {spec: tid for tid, spec, *_ in _open(ctx, started.case_id)}
    tasks.complete(ctx, open_tasks["check_a"], {}, staff(ctx, "xcz_reviewer"))
    v2 = _deploy(ctx, "parallel_v2.bpmn")
    report = migration.execute(ctx, migration.MigrationRequest(v1, v2, {}, all_running=True), ADMIN)
    assert [c.status for c in report.cases] == ["migrated"]
    [(remaining, spec, *_)] = _open(ctx, started.case_id)
    assert (remaining, spec) == (open_tasks["check_b"], "check_b")
    tasks.complete(ctx, remaining, {}, staff(ctx, "xcz_receiver"))
    [(decide, spec, *_)] = _open(ctx, started.case_id)
    assert spec == "decide"                     # the join fired and v2's new step follows it
    assert tasks.complete(ctx, decide, {}, staff(ctx, "xcz_reviewer")).status == "completed"
    assert _chain_intact(ctx, started.case_id)


def test_a_thousand_running_cases_move_with_their_audit_chains_intact(linear, db_url):
    ctx, v1 = linear
    # 1,000 on SQLite; PostgreSQL in CI moves fewer (LIANBAN_MIGRATION_PG_CASES)
    count = (int(os.environ.get("LIANBAN_MIGRATION_CASES", "1000")) if db_url.startswith("sqlite")
             else int(os.environ.get("LIANBAN_MIGRATION_PG_CASES", "200")))
    ids = [_start(ctx).case_id for _ in range(count)]
    # half of them one step further, one of those claimed
    for case_id in ids[::2]:
        [(intake, *_)] = _open(ctx, case_id)
        tasks.complete(ctx, intake, {}, staff(ctx, "xcz_receiver"))
    v2 = _deploy(ctx, "linear_v2.bpmn")
    began = time.perf_counter()
    report = migration.execute(ctx, migration.MigrationRequest(v1, v2, {"review": "examine"}, all_running=True),
                               ADMIN)
    elapsed = time.perf_counter() - began
    print(f"RESULT migration.cases_per_s {count / elapsed:.0f} ({count} cases, {elapsed:.1f} s)")
    assert report.count("migrated") == count
    with ctx.uow.read() as tx:
        on_v2 = tx.conn.execute(select(t.case.c.id).where(t.case.c.definition_id == v2)).scalars().all()
        specs = set(tx.conn.execute(select(t.task.c.spec_id).where(t.task.c.state == "open")).scalars())
    assert sorted(on_v2) == ids and specs == {"intake", "examine"}
    assert all(_chain_intact(ctx, case_id) for case_id in ids)


def test_history_of_a_step_the_target_lacks_is_cut_out(linear, clock):
    ctx, v1 = linear
    v2 = _deploy(ctx, "linear_v2.bpmn")
    started = _start(ctx)                                   # on v2, the newest version
    for who in ("xcz_receiver", "xcz_reviewer"):
        clock.advance(timedelta(minutes=5))                 # examine is the step completed last
        [(task_id, *_)] = _open(ctx, started.case_id)
        tasks.complete(ctx, task_id, {"by": who}, staff(ctx, who))
    [(sign, spec, *_)] = _open(ctx, started.case_id)
    assert spec == "sign"
    # back to v1: sign is done as v1's review; examine (done) has no counterpart and leaves the tree
    report = migration.execute(ctx, migration.MigrationRequest(v2, v1, {"sign": "review"},
                                                               case_ids=(started.case_id,)), ADMIN)
    assert [c.status for c in report.cases] == ["migrated"]
    [(task_id, spec, name, *_)] = _open(ctx, started.case_id)
    assert (task_id, spec, name) == (sign, "review", "审查")
    # a return (退回) to examine, which this version has not, is refused, nothing written
    before = snapshot(ctx)
    with pytest.raises(CaseError) as err:
        tasks.return_to_previous(ctx, sign, "退回补正", staff(ctx, "xcz_reviewer"))
    assert err.value.code == "return_target_invalid"
    assert snapshot(ctx) == before
    # the case ends on v1's flows
    assert tasks.complete(ctx, sign, {}, staff(ctx, "xcz_reviewer")).status == "completed"
    assert _chain_intact(ctx, started.case_id)


def test_a_waiting_timer_moves_to_its_renamed_element_and_fires_on_time(demo, clock):
    ctx = demo
    v1 = _deploy(ctx, "timer_v1.bpmn")
    add_item(ctx, "TEST-MIGT", "mig_timer")
    started = _start(ctx, "TEST-MIGT")
    [(intake, *_)] = _open(ctx, started.case_id)
    tasks.complete(ctx, intake, {}, staff(ctx, "xcz_receiver"))
    pending = (select(t.timer.c.ref, t.timer.c.element, t.timer.c.due_at)
               .where(t.timer.c.case_id == started.case_id, t.timer.c.kind == "bpmn", t.timer.c.state == "pending"))
    with ctx.uow.read() as tx:
        [(ref, element, due)] = tx.conn.execute(pending).all()
    assert element == "wait"
    v2 = _deploy(ctx, "timer_v2.bpmn")
    clock.advance(timedelta(days=1))
    report = migration.execute(ctx, migration.MigrationRequest(v1, v2, {"wait": "cooling"}, all_running=True),
                               ADMIN)
    assert [c.status for c in report.cases] == ["migrated"]
    with ctx.uow.read() as tx:
        assert tx.conn.execute(pending).all() == [(ref, "cooling", due)]      # the same wait, not restarted
    clock.advance(timedelta(days=2, seconds=1))
    timers.fire_due(ctx)
    [(_, spec, *_)] = _open(ctx, started.case_id)
    assert spec == "review"
    fired = [e for e in cases.audit_trail(ctx, started.case_id, ADMIN)[0] if e["type"] == "timer_fired"]
    assert [e["payload"]["element"] for e in fired] == ["cooling"]


def test_a_changed_boundary_timer_refuses_the_case_waiting_on_it(demo):
    ctx = demo
    v3 = _deploy(ctx, "linear_v3.bpmn")
    add_item(ctx, "TEST-MIG", "mig_linear")
    at_intake, at_confirm = _start(ctx), _start(ctx)
    [(intake, *_)] = _open(ctx, at_confirm.case_id)
    tasks.complete(ctx, intake, {}, staff(ctx, "xcz_reviewer"))
    assert [spec for _, spec, *_ in _open(ctx, at_confirm.case_id)] == ["confirm"]
    v4 = _deploy(ctx, "linear_v4.bpmn")
    report = migration.execute(ctx, migration.MigrationRequest(v3, v4, {}, all_running=True), ADMIN)
    outcomes = {c.case_id: c for c in report.cases}
    assert outcomes[at_intake.case_id].status == "migrated"
    refused = outcomes[at_confirm.case_id]
    assert (refused.status, refused.reason, refused.problems[0].element) == \
        ("refused", "migration_event_changed", "confirm")
    assert _definition_of(ctx, at_confirm.case_id) == v3
