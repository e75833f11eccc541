"""A case moves across the four tiers: village proxy intake → township pre-review → district
acceptance and decision by the market department → issue. Runs on SQLite and PostgreSQL."""
from datetime import timedelta

import pytest

from engine.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from engine.services import cases, tasks
from engine.services.tasks import queues
from tests.conftest import snapshot, staff, window_id
from tests.form_samples import sample, task_data

FOOD = "620100-XK-SCJG-0001"
APPLICANT = {"name": "张三", "id_number": "620102199001011233", "phone": "13800000000"}


def start_food(ctx, window="ZCZ-QS-W01", clerk="zcz_qs_agent"):
    return cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, window), APPLICANT,
                                                 sample("apply_food_licence", shop_name="兰州牛肉面馆"), "proxy"),
                            staff(ctx, clerk))


def only_task(ctx, username):
    inbox = tasks.inbox(ctx, staff(ctx, username))
    assert len(inbox) == 1, [t.name for t in inbox]
    return inbox[0]


def test_food_licence_runs_across_four_tiers(demo):
    ctx = demo
    started = start_food(ctx)
    assert started.number.startswith("11620100MB1234567E2001XK0010100" + "20261127") and len(started.number) == 43
    assert started.status == "running"

    intake = only_task(ctx, "zcz_qs_agent")
    assert intake.spec_id == "proxy_intake" and intake.routed_role == "agent"
    tasks.claim(ctx, intake.id, staff(ctx, "zcz_qs_agent"))
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id), staff(ctx, "zcz_qs_agent"))

    # pre-review goes up to the township that the village belongs to, not to another township
    review = only_task(ctx, "zcz_reviewer")
    assert review.spec_id == "township_pre_review"
    assert tasks.inbox(ctx, staff(ctx, "qcz_reviewer")) == []
    tasks.complete(ctx, review.id, task_data(ctx, review.id, **{"complete": True, "opinion": "材料齐全"}),
                   staff(ctx, "zcz_reviewer"))

    accept = only_task(ctx, "lzxq_receiver")
    tasks.complete(ctx, accept.id, task_data(ctx, accept.id), staff(ctx, "lzxq_receiver"))
    decide = only_task(ctx, "lzxq_market_approver")
    assert decide.routed_department_id is not None
    # the health department's approver holds the same role at the same unit but another department
    assert tasks.inbox(ctx, staff(ctx, "lzxq_health_approver")) == []
    with pytest.raises(Forbidden) as err:
        tasks.claim(ctx, decide.id, staff(ctx, "lzxq_health_approver"))
    assert err.value.code == "task_not_in_your_queue"
    tasks.complete(ctx, decide.id, task_data(ctx, decide.id, **{"decision": "granted", "opinion": "准予许可"}),
                   staff(ctx, "lzxq_market_approver"))
    issue = only_task(ctx, "lzxq_issuer")
    done = tasks.complete(ctx, issue.id, task_data(ctx, issue.id), staff(ctx, "lzxq_issuer"))
    assert done.status == "completed"

    view = cases.get_case(ctx, started.case_id, staff(ctx, "zcz_qs_agent"))
    assert view.status == "completed"
    assert view.applicant_id_masked == "620102********1233"
    assert view.data["decision"] == "granted"
    with ctx.uow.begin() as s:
        assert s.events.broken_at(f"case:{started.case_id}") is None
        types = [e["type"] for e in s.events.of_stream(f"case:{started.case_id}")]
        # the applicant's ID number is never written to the audit trail
        assert all("620102199001011233" not in str(e["payload"]) for e in s.events.of_stream(f"case:{started.case_id}"))
    assert types[0] == "case_started" and types[-2:] == ["case_completed", "lifecycle_changed"]
    assert (view.lifecycle, view.decision) == ("completed", "granted")
    assert types.count("task_completed") == 5
    assert "task_claimed" in types


def test_claim_conflict_and_unclaim(demo):
    ctx = demo
    start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    agent = staff(ctx, "zcz_qs_agent")
    tasks.claim(ctx, task.id, agent)
    with pytest.raises(Conflict) as err:
        tasks.claim(ctx, task.id, agent)
    assert err.value.code == "task_already_claimed"
    tasks.unclaim(ctx, task.id, agent)
    assert tasks.claim(ctx, task.id, agent).assignee_id == agent.staff_id


def test_completing_a_task_that_is_not_yours_changes_nothing(demo):
    ctx = demo
    start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    before = snapshot(ctx)
    with pytest.raises(Forbidden) as err:
        tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "qcz_mjp_agent"))
    assert err.value.code == "task_not_in_your_queue"
    assert snapshot(ctx) == before


def test_completing_a_task_claimed_by_another_changes_nothing(demo):
    ctx = demo
    start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    tasks.claim(ctx, task.id, staff(ctx, "zcz_qs_agent"))
    before = snapshot(ctx)
    with pytest.raises(Forbidden) as err:
        tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "lzxq_receiver"))
    assert err.value.code == "task_claimed_by_other"
    assert snapshot(ctx) == before


def test_completing_a_closed_task_changes_nothing(demo):
    ctx = demo
    start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "zcz_qs_agent"))
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:
        tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "zcz_qs_agent"))
    assert err.value.code == "task_not_open"
    assert snapshot(ctx) == before
    missing = "00000000-0000-0000-0000-000000000000"
    with pytest.raises(NotFound):
        tasks.complete(ctx, missing, task_data(ctx, missing), staff(ctx, "zcz_qs_agent"))
    assert snapshot(ctx) == before


def test_stale_version_is_a_conflict_and_writes_nothing(demo):
    ctx = demo
    started = start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    before = snapshot(ctx)
    with pytest.raises(Conflict) as err:
        tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "zcz_qs_agent"),
                       expected_version=started.version - 1)
    assert err.value.code == "case_version_conflict"
    assert snapshot(ctx) == before
    tasks.complete(ctx, task.id, task_data(ctx, task.id), staff(ctx, "zcz_qs_agent"), expected_version=started.version)


@pytest.mark.parametrize("data, field", [
    ({"typename": "x"}, "typename"),
    ({"opinion": {"nested": [{"typename": "BpmnWorkflow"}]}}, "opinion.nested[0].typename"),
    ({"bad key": 1}, "bad key"),
    ({"when": object()}, "when"),
])
def test_data_the_engine_cannot_store_is_refused_and_writes_nothing(demo, data, field):
    ctx = demo
    start_food(ctx)
    task = only_task(ctx, "zcz_qs_agent")
    before = snapshot(ctx)
    with pytest.raises(ValidationError) as err:
        tasks.complete(ctx, task.id, data, staff(ctx, "zcz_qs_agent"))
    assert err.value.field == field
    assert snapshot(ctx) == before


def test_start_rejects_bad_input_and_writes_nothing(demo):
    ctx = demo
    before = snapshot(ctx)
    win = window_id(ctx, "ZCZ-QS-W01")
    agent = staff(ctx, "zcz_qs_agent")
    with pytest.raises(NotFound):
        cases.start_case(ctx, cases.StartCase("NO-SUCH-ITEM", win, APPLICANT), agent)
    with pytest.raises(NotFound):
        cases.start_case(ctx, cases.StartCase(FOOD, 999999, APPLICANT), agent)
    with pytest.raises(ValidationError):
        cases.start_case(ctx, cases.StartCase(FOOD, win, {"id_number": "x"}), agent)
    with pytest.raises(ValidationError):
        cases.start_case(ctx, cases.StartCase(FOOD, win, APPLICANT, {"typename": 1}), agent)
    with pytest.raises(ValidationError):
        cases.start_case(ctx, cases.StartCase(FOOD, win, APPLICANT, channel="pigeon"), agent)
    assert snapshot(ctx) == before


def test_case_numbers_are_daily_serials(demo, clock):
    ctx = demo
    a, b = start_food(ctx), start_food(ctx)
    # docs/lifecycle.md#case-number: 31-char implementation code + yyyymmdd + 4-digit daily serial = 43 chars
    assert a.number == "11620100MB1234567E2001XK0010100" "20261127" "0001"
    assert b.number.endswith("202611270002") and len(b.number) == 43
    clock.advance(timedelta(days=1))
    assert start_food(ctx).number.endswith("202611280001")


def test_tampering_with_the_audit_trail_is_detected(demo):
    from sqlalchemy import text
    ctx = demo
    started = start_food(ctx)
    intake = only_task(ctx, "zcz_qs_agent")
    tasks.complete(ctx, intake.id, task_data(ctx, intake.id), staff(ctx, "zcz_qs_agent"))
    stream = f"case:{started.case_id}"
    with ctx.uow.begin() as conn:
        assert conn.events.broken_at(stream) is None
        conn.conn.execute(text("UPDATE event SET actor = 'someone_else' WHERE stream = :s AND seq = 2"), {"s": stream})
    with ctx.uow.read() as conn:
        assert conn.events.broken_at(stream) == 2


def test_the_same_case_runs_identically_without_the_workflow_cache(demo, db_url, clock):
    """Every command must work from the stored state alone (another process, a restart)."""
    from engine.config import Settings
    from engine.services.context import Context
    cold = Context.create(Settings(database_url=db_url, workflow_cache_size=0), clock=clock)
    try:
        started = start_food(cold)
        for user, data in [("zcz_qs_agent", {}), ("zcz_reviewer", {"complete": False, "opinion": "缺营业执照"}),
                           ("zcz_qs_agent", {"supplemented": True}), ("zcz_reviewer", {"complete": True}),
                           ("lzxq_receiver", {}),
                           ("lzxq_market_approver", {"decision": "refused", "opinion": "不符合条件"}),
                           ("zcz_qs_agent", {})]:
            task_id = only_task(cold, user).id
            done = tasks.complete(cold, task_id, task_data(cold, task_id, **data), staff(cold, user))
        assert done.status == "completed"
        view = cases.get_case(cold, started.case_id, staff(cold, "zcz_qs_agent"))
        assert view.data["decision"] == "refused" and view.data["supplemented"] is True
    finally:
        cold.dispose()


def test_a_clerk_cannot_start_a_case_at_another_units_window(demo):
    ctx = demo
    before = snapshot(ctx)
    with pytest.raises(Forbidden) as err:
        start_food(ctx, window="QCZ-MJP-W01", clerk="zcz_qs_agent")
    assert err.value.code == "window_not_yours"
    assert snapshot(ctx) == before


def test_inbox_lists_each_task_once_with_and_without_others_claims(demo):
    ctx = demo
    start_food(ctx)
    start_food(ctx)
    helper_task, other = tasks.inbox(ctx, staff(ctx, "zcz_qs_agent"))
    tasks.claim(ctx, helper_task.id, staff(ctx, "zcz_qs_agent"))
    mine = tasks.inbox(ctx, staff(ctx, "zcz_qs_agent"), include_claimed_by_others=True)
    assert sorted(t.id for t in mine) == sorted([helper_task.id, other.id])
    assert [t.id for t in tasks.inbox(ctx, staff(ctx, "zcz_qs_agent"), limit=1)] == [helper_task.id]


def test_inbox_sql_writes_its_constants_so_the_database_never_re_prepares_it(demo):
    """A bound `state = ?` against the partial index on open tasks made SQLite re-prepare the
    inbox on every call (12x slower): every branch names 'open' and its queue literally, and
    only the caller's staff id and the limit stay bound."""
    ctx = demo
    start_food(ctx)
    clerk = staff(ctx, "zcz_qs_agent")
    assert tasks.inbox(ctx, clerk)
    with ctx.uow.read() as tx:
        stmt, fast = tx.tasks.inbox_statement(queues.queues_of(ctx, tx, clerk.staff_id), False)
        sql = fast._plan(tx.conn.dialect)[0] if fast is not None else str(stmt.compile(dialect=tx.conn.dialect))
    sql = sql.decode() if isinstance(sql, bytes) else sql     # PostgreSQL's plans keep it in UTF-8
    branches = sql.count("FROM task")
    assert branches >= 2 and sql.count("task.state = 'open'") == branches
    assert "routed_role = 'agent'" in sql
