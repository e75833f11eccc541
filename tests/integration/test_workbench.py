"""The clerk workbench: the worklist (scopes, filters, search, sorting, pages, counts, masking,
working days left) and the colleagues a task may be delegated to, on both databases."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from engine.domain.errors import Conflict, Forbidden, NotFound
from engine.services import cases, tasks
from engine.services.accounts.org import add_post, add_staff, invalidate
from engine.store.models import OrgUnit, Staff, Task, Window
from tests.conftest import staff, window_id
from tests.form_samples import sample

FOOD = "620100-XK-SCJG-0001"
FOOD_CODE = "11620100MB1234567E2001XK0010100"
APPLICANTS = [{"name": "张三", "id_number": "620102199001011233"},
              {"name": "欧阳娜娜", "id_number": "11010519491231002X"},
              {"name": "李四"}]


def _start(ctx, applicant):
    started = cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), applicant,
                                                    sample("apply_food_licence"), "proxy"), staff(ctx, "zcz_qs_agent"))
    ctx.clock.advance(timedelta(minutes=1))
    return started


def _set_task(ctx, task_id, **values):
    with ctx.uow.begin() as tx:
        tx.conn.execute(update(Task).where(Task.id == task_id).values(**values))


@pytest.fixture
def bench(demo):
    """Three intake tasks at 清水村's proxy window: 张三's claimed by the agent, 欧阳娜娜's by her
    colleague, 李四's unclaimed; due Monday, yesterday and never."""
    ctx = demo
    with ctx.uow.begin() as tx:
        win = tx.conn.execute(select(Window.id).where(Window.code == "ZCZ-QS-W01")).scalar_one()
        add_post(tx, add_staff(tx, "zcz_qs_agent2", "第二代办员"), win, "agent")
        add_post(tx, add_staff(tx, "zcz_qs_agent3", "停用代办员"), win, "agent")
        tx.conn.execute(update(Staff).where(Staff.username == "zcz_qs_agent3").values(active=False))
    invalidate(ctx)
    started = [_start(ctx, a) for a in APPLICANTS]
    ids = [s.tasks[0] for s in started]
    tasks.claim(ctx, ids[0], staff(ctx, "zcz_qs_agent"))
    tasks.claim(ctx, ids[1], staff(ctx, "zcz_qs_agent2"))
    # T0 is Friday 27 November 2026, 09:00 in China
    _set_task(ctx, ids[0], due_at=datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc), warning="yellow")  # Monday
    _set_task(ctx, ids[1], due_at=datetime(2026, 11, 26, 15, 0, tzinfo=timezone.utc), warning="red")     # Thu 23:00
    _set_task(ctx, ids[2], due_at=None)
    return ctx, started, ids


def ids_of(page):
    return [i.id for i in page.items]


def test_scopes_and_counts(bench):
    ctx, started, ids = bench
    agent = staff(ctx, "zcz_qs_agent")
    full = tasks.worklist(ctx, agent)
    assert set(ids_of(full)) == {ids[0], ids[2]} and full.total == 2
    assert full.counts == {"all": 2, "mine": 1, "unclaimed": 1, "yellow": 1, "red": 0}
    assert set(ids_of(full)) == {t.id for t in tasks.inbox(ctx, agent)}       # the inbox's set
    assert ids_of(tasks.worklist(ctx, agent, scope="mine")) == [ids[0]]
    assert ids_of(tasks.worklist(ctx, agent, scope="unclaimed")) == [ids[2]]
    window = tasks.worklist(ctx, agent, scope="window")
    assert set(ids_of(window)) == set(ids) and window.total == 3
    assert window.counts == full.counts                    # the tabs do not move with the scope
    by_id = {i.id: i for i in window.items}
    colleague_claimed = by_id[ids[1]]
    assert colleague_claimed.can_work is False and colleague_claimed.claimed_by_me is False
    assert colleague_claimed.assignee_name == "第二代办员"
    assert by_id[ids[0]].can_work and by_id[ids[0]].claimed_by_me and by_id[ids[2]].can_work
    assert by_id[ids[2]].assignee_id is None and by_id[ids[2]].assignee_name is None
    other = tasks.worklist(ctx, staff(ctx, "zcz_qs_agent2"))
    assert set(ids_of(other)) == {ids[1], ids[2]}
    assert other.counts == {"all": 2, "mine": 1, "unclaimed": 1, "yellow": 0, "red": 1}
    outsider = tasks.worklist(ctx, staff(ctx, "qcz_mjp_agent"), scope="window")
    assert outsider.items == [] and outsider.total == 0 and outsider.counts["all"] == 0


def test_an_item_shows_its_case_item_and_masked_applicant(bench):
    ctx, started, ids = bench
    item = next(i for i in tasks.worklist(ctx, staff(ctx, "zcz_qs_agent2")).items if i.id == ids[1])
    assert item.case_id == started[1].case_id and item.case_number == started[1].number
    assert item.case_version == started[1].version             # claiming does not save the case
    assert item.item_code == FOOD_CODE and item.item_name == "食品经营许可"
    assert item.applicant_name_masked == "欧***" and item.applicant_id_masked == "110105********002X"
    assert item.lifecycle == "received" and item.state == "open" and item.spec_id == "proxy_intake"
    assert item.warning == "red" and item.form_key
    mine = tasks.worklist(ctx, staff(ctx, "zcz_qs_agent"), scope="window").items
    assert {i.applicant_name_masked for i in mine} == {"张*", "欧***", "李*"}
    assert next(i for i in mine if i.id == ids[2]).applicant_id_masked is None


def test_working_days_left_count_across_the_weekend(bench):
    ctx, _, ids = bench
    items = {i.id: i for i in tasks.worklist(ctx, staff(ctx, "zcz_qs_agent"), scope="window").items}
    assert items[ids[0]].working_days_left == 1          # Friday → Monday: the weekend does not count
    assert items[ids[1]].working_days_left == -1         # due Thursday, it is Friday
    assert items[ids[2]].working_days_left is None
    _set_task(ctx, ids[2], due_at=datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc))     # today 17:00
    items = {i.id: i for i in tasks.worklist(ctx, staff(ctx, "zcz_qs_agent"), scope="window").items}
    assert items[ids[2]].working_days_left == 0
    ctx.clock.set(datetime(2026, 11, 29, 2, 0, tzinfo=timezone.utc))                    # Sunday
    items = {i.id: i for i in tasks.worklist(ctx, staff(ctx, "zcz_qs_agent"), scope="window").items}
    assert items[ids[0]].working_days_left == 1           # Sunday → Monday
    assert items[ids[2]].working_days_left == -1          # due Friday: overdue, though no working day since
    assert items[ids[1]].working_days_left == -1          # due Thursday: Friday is the only working day since


def test_filters(bench):
    ctx, started, ids = bench
    agent = staff(ctx, "zcz_qs_agent")

    def found(**kw):
        page = tasks.worklist(ctx, agent, scope="window", **kw)
        assert page.total == len(page.items)
        return set(ids_of(page))
    assert found(item_code=FOOD) == set(ids) == found(item_code=FOOD_CODE)
    assert found(item_code="620100-GG-MZ-0002") == set()
    assert found(card="yellow") == {ids[0]} and found(card="red") == {ids[1]} and found(card="none") == {ids[2]}
    assert found(due_before=date(2026, 11, 26)) == {ids[1]}          # due Thursday 23:00 China time
    assert found(due_before=date(2026, 11, 29)) == {ids[1]}
    assert found(due_before=date(2026, 11, 30)) == {ids[0], ids[1]}  # Tuesday 00:00 ends Monday's deadline
    assert found(due_before=date(2027, 12, 1)) == {ids[0], ids[1]}   # never due: never listed
    assert found(q=started[2].number) == {ids[2]}                    # the whole number
    assert found(q=started[0].number[:20]) == set(ids)               # a prefix
    assert found(q=started[1].number[-6:]) == {ids[1]}               # a part
    assert found(q="欧阳") == {ids[1]} and found(q="四") == {ids[2]}
    assert found(q="%") == set() and found(q="_") == set()           # wildcards are text
    assert found(q="mb1234567e") == set(ids)                         # case-insensitive
    both = tasks.worklist(ctx, agent, card="yellow", q="张")
    assert ids_of(both) == [ids[0]] and both.counts["all"] == 2


def test_sorting_and_pages(bench):
    ctx, _, ids = bench
    agent = staff(ctx, "zcz_qs_agent")
    assert ids_of(tasks.worklist(ctx, agent, scope="window")) == [ids[1], ids[0], ids[2]]       # nulls last
    assert ids_of(tasks.worklist(ctx, agent, scope="window", sort="-due_at")) == [ids[0], ids[1], ids[2]]
    assert ids_of(tasks.worklist(ctx, agent, scope="window", sort="created_at")) == ids
    assert ids_of(tasks.worklist(ctx, agent, scope="window", sort="-created_at")) == ids[::-1]
    pages = [tasks.worklist(ctx, agent, scope="window", sort="created_at", page=n, page_size=2) for n in (1, 2, 3)]
    assert [ids_of(p) for p in pages] == [ids[:2], ids[2:], []]
    assert [p.total for p in pages] == [3, 3, 3] and pages[1].page == 2 and pages[1].page_size == 2


def test_a_supervisor_sees_the_supervisor_queues_of_her_subtree(bench):
    ctx, _, ids = bench
    with ctx.uow.read() as tx:
        village = tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == "ZCZ-QS")).scalar_one()
    _set_task(ctx, ids[2], routed_role="supervisor", routed_org_unit_id=village)
    sup = tasks.worklist(ctx, staff(ctx, "zcz_supervisor"))
    assert ids_of(sup) == [ids[2]] and sup.items[0].can_work and sup.counts["unclaimed"] == 1
    assert tasks.worklist(ctx, staff(ctx, "qcz_supervisor")).items == []
    assert ids_of(tasks.worklist(ctx, staff(ctx, "zcz_qs_agent"))) == [ids[0]]
    window = {i.id: i for i in tasks.worklist(ctx, staff(ctx, "zcz_qs_agent"), scope="window").items}
    assert window[ids[2]].can_work is False                          # her unit, not her queue


def test_only_staff_have_a_worklist(bench):
    ctx, _, _ = bench
    with pytest.raises(Forbidden) as err:
        tasks.worklist(ctx, staff(ctx, "applicant_zhang"))
    assert err.value.code == "actor_not_staff"


def test_colleagues_of_a_task(bench):
    ctx, _, ids = bench
    agent = staff(ctx, "zcz_qs_agent")
    assert tasks.colleagues(ctx, ids[2], agent) == [{"username": "zcz_qs_agent2", "display_name": "第二代办员"}]
    assert tasks.colleagues(ctx, ids[0], agent) == [{"username": "zcz_qs_agent2", "display_name": "第二代办员"}]
    assert tasks.colleagues(ctx, ids[2], staff(ctx, "zcz_qs_agent2")) == [
        {"username": "zcz_qs_agent", "display_name": "ZCZ-QS代办员"}]
    for task_id, who, code in ((ids[1], "zcz_qs_agent", "task_claimed_by_other"),
                               (ids[2], "qcz_mjp_agent", "task_not_in_your_queue"),
                               (ids[2], "applicant_zhang", "actor_not_staff")):
        with pytest.raises(Forbidden) as err:
            tasks.colleagues(ctx, task_id, staff(ctx, who))
        assert err.value.code == code
    with pytest.raises(NotFound):
        tasks.colleagues(ctx, "no-such-task", agent)
    for listed in tasks.colleagues(ctx, ids[2], agent):             # each one delegation accepts
        assert tasks.delegate(ctx, ids[2], listed["username"], agent).assignee_id is not None
    _set_task(ctx, ids[0], state="completed")
    with pytest.raises(Conflict) as err:
        tasks.colleagues(ctx, ids[0], agent)
    assert err.value.code == "task_not_open"
