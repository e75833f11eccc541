"""Process diagrams: a case's tokens, path and overdue steps (also inside an embedded
sub-process), and a version's heatmap on a small hand-made history with exact figures."""
from datetime import timedelta

import pytest

from engine.domain.errors import Forbidden, NotFound
from engine.services import cases, diagrams, tasks
from engine.services.accounts import auth
from tests.conftest import staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files
from tests.integration.test_case_flow import only_task, start_food
from tests.integration.test_clock import bj, walk_to_acceptance
from tests.integration.test_materials import online


@pytest.fixture
def sqlite_only(db_url):
    """For what does not depend on the database: run once, on SQLite (before the demo loads)."""
    if not db_url.startswith("sqlite"):
        pytest.skip("does not depend on the database")


def by_id(diagram):
    return {e.element_id: e for e in diagram.elements}


def test_case_diagram_marks_completed_active_and_overdue_steps(demo, clock):
    ctx = demo
    late = start_food(ctx).case_id
    walk_to_acceptance(ctx)
    decide = only_task(ctx, "lzxq_market_approver")
    tasks.claim(ctx, decide.id, staff(ctx, "lzxq_market_approver"))
    fresh = start_food(ctx).case_id
    other = by_id(diagrams.case_diagram(ctx, fresh, staff(ctx, "zcz_qs_agent")))
    assert other["proxy_intake"].state == "active" and not other["proxy_intake"].overdue
    assert other["proxy_requested"].state == "completed" and "district_accept" not in other
    clock.set(decide.due_at + timedelta(seconds=1))

    d = diagrams.case_diagram(ctx, late, staff(ctx, "lzxq_supervisor"))
    e = by_id(d)
    assert d.key == "food_licence" and "<bpmn:process" in d.source and "camunda:" in d.source
    assert {k: e[k].state for k in ("proxy_requested", "proxy_intake", "township_pre_review", "district_accept",
                                    "accepted_gateway")} == dict.fromkeys(
        ("proxy_requested", "proxy_intake", "township_pre_review", "district_accept", "accepted_gateway"), "completed")
    step = e["district_decide"]
    assert (step.state, step.active, step.overdue, step.due_at) == ("overdue", 1, True, decide.due_at)
    assert step.assignee and step.name
    # a boundary timer that never fired, and the branches not taken, are not marked
    assert "pre_review_overdue" not in e and "issue_licence" not in e and "notify_refusal" not in e
    # the path: flows whose source and target were reached one after the other
    assert len(d.flows_taken) >= 5 and all(f for f in d.flows_taken)


def test_applicant_sees_her_case_without_internals_and_not_anothers(sqlite_only, demo):
    ctx = demo
    auth.create_account(ctx, "applicant_li", "李四", "applicant")
    mine = online(ctx)                                               # applicant_zhang's
    d = diagrams.case_diagram(ctx, mine, staff(ctx, "applicant_zhang"))
    assert "camunda:" not in d.source and "<bpmn:process" in d.source and "bpmndi:" in d.source
    assert all(e.assignee is None for e in d.elements)
    with pytest.raises(Forbidden) as err:
        diagrams.case_diagram(ctx, mine, staff(ctx, "applicant_li"))
    assert err.value.code == "case_not_yours"
    with pytest.raises(NotFound):
        diagrams.case_diagram(ctx, 987654, staff(ctx, "lzxq_supervisor"))


def start_sub(ctx):
    return cases.start_case(ctx, cases.StartCase("TEST-DG", window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                            staff(ctx, "xcz_receiver"))


def open_task(ctx, case_id, spec_id):
    return next(t for t in tasks.inbox(ctx, staff(ctx, "xcz_reviewer")) if t.case_id == case_id
                and t.spec_id == spec_id)


def test_heatmap_figures_and_subprocess_marks(demo, clock):
    ctx = demo
    [process] = deploy_files(ctx, FIXTURES / "diagram_subprocess.bpmn").processes
    add_item(ctx, "TEST-DG", "diagram_sub")
    clock.set(bj(2026, 11, 27, 9))                                   # Friday
    a, b, c = (start_sub(ctx).case_id for _ in range(3))
    reviewer = staff(ctx, "xcz_reviewer")
    review_b = open_task(ctx, b, "review")
    assert review_b.due_at == bj(2026, 12, 2)                        # 2 working days: Mon, Tue
    clock.set(bj(2026, 11, 30, 10))                                  # Monday: 1 working day
    tasks.complete(ctx, open_task(ctx, a, "review").id, {}, reviewer)
    tasks.complete(ctx, open_task(ctx, a, "check").id, {}, reviewer)   # the same day: 0
    clock.set(bj(2026, 12, 2, 10))                                   # Wednesday: 3 working days, late
    tasks.complete(ctx, review_b.id, {}, reviewer)
    clock.set(bj(2026, 12, 3, 10))                                   # c's review is open past its due

    h = diagrams.heatmap(ctx, process.definition_id, staff(ctx, "designer"))
    assert (h.key, h.version, h.cases) == ("diagram_sub", 1, 3)
    steps = {s.element_id: s for s in h.steps}
    review, check = steps["review"], steps["check"]
    assert (review.completed, review.mean_days, review.median_days, review.max_days) == (2, 2.0, 2.0, 3)
    assert (review.overdue, review.open, review.in_diagram, review.name) == (2, 1, True, "审查")
    assert (check.completed, check.mean_days, check.median_days, check.open, check.overdue) == (1, 0.0, 0.0, 1, 0)
    assert [v["version"] for v in h.versions] == [1]
    csv_text = diagrams.to_csv(h)
    assert csv_text.startswith("\ufeffelement_id,process,name")
    assert "review,diagram_sub,审查,2,2.0,2.0,3,2,1,0" in csv_text

    # an embedded sub-process and the script task inside it are marked like any element
    e = by_id(diagrams.case_diagram(ctx, b, staff(ctx, "xcz_reviewer")))
    assert e["review"].state == "completed" and e["review"].overdue            # completed after its due
    assert e["sub"].state == "completed" and e["note"].state == "completed" and e["note"].process == "sub"
    assert e["check"].state == "active" and "ok" not in e
    done = diagrams.case_diagram(ctx, a, staff(ctx, "xcz_reviewer"))
    assert by_id(done)["end_no"].state == "completed"                          # the default flow
    assert {"f0", "f1", "s1", "s2", "f2", "f3", "f_no"} <= set(done.flows_taken)
    assert "f_yes" not in done.flows_taken


def test_heatmap_is_for_designers_supervisors_and_admins(sqlite_only, demo):
    ctx = demo
    [process] = deploy_files(ctx, FIXTURES / "diagram_subprocess.bpmn").processes
    assert diagrams.heatmap(ctx, process.definition_id, staff(ctx, "lzxq_supervisor")).cases == 0
    for who in ("xcz_reviewer", "applicant_zhang"):
        with pytest.raises(Forbidden) as err:
            diagrams.heatmap(ctx, process.definition_id, staff(ctx, who))
        assert err.value.code == "role_required"
    with pytest.raises(NotFound) as err:
        diagrams.heatmap(ctx, 424242, staff(ctx, "designer"))
    assert err.value.code == "definition_not_found"


def test_a_step_inside_an_embedded_sub_process_is_listed_once_on_its_flow(demo, clock):
    """The task row names the enclosing process, the workflow runs the step in the sub-process's
    flow: the diagram lists it once, under the sub-process where it is drawn, with its due instant,
    holder and overdue mark from the task row."""
    ctx = demo
    deploy_files(ctx, FIXTURES / "diagram_subtask.bpmn")
    add_item(ctx, "TEST-DGS", "diagram_subtask")
    clock.set(bj(2026, 11, 27, 9))
    case_id = cases.start_case(ctx, cases.StartCase("TEST-DGS", window_id(ctx, "XCZ-W01"), {"name": "王五"}),
                               staff(ctx, "xcz_receiver")).case_id
    reviewer = staff(ctx, "xcz_reviewer")
    check = open_task(ctx, case_id, "check")
    tasks.claim(ctx, check.id, reviewer)

    def listed(at):
        d = diagrams.case_diagram(ctx, case_id, reviewer)
        assert sorted(e.element_id for e in d.elements) == sorted(at)      # each element once
        return by_id(d)

    e = listed(["start", "stage", "s_start", "check"])
    step = e["check"]
    assert (step.process, step.state, step.active, step.overdue) == ("stage", "active", 1, False)
    assert step.due_at == check.due_at and step.assignee and step.name == "现场核查"
    assert (e["stage"].process, e["stage"].state) == ("diagram_subtask", "active")

    clock.set(check.due_at + timedelta(seconds=1))
    step = listed(["start", "stage", "s_start", "check"])["check"]
    assert (step.process, step.state, step.active, step.overdue, step.due_at) == (
        "stage", "overdue", 1, True, check.due_at)

    tasks.complete(ctx, check.id, {}, reviewer)
    e = listed(["start", "stage", "s_start", "check", "s_end", "decide"])
    step = e["check"]
    assert (step.process, step.state, step.completed, step.active, step.overdue, step.due_at, step.assignee) == (
        "stage", "completed", 1, 0, True, None, None)                  # completed after its due instant
    assert (e["decide"].process, e["decide"].state) == ("diagram_subtask", "active")
    assert {"s1", "s2", "f2"} <= set(diagrams.case_diagram(ctx, case_id, reviewer).flows_taken)
