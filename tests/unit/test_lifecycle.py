"""The case lifecycle state machine (docs/lifecycle.md#states-and-events): every allowed transition, a representative
set of forbidden ones, the stages BPMN tasks declare, and a property over random event sequences."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.domain import lifecycle as lc
from engine.domain.errors import Conflict, ValidationError

ALLOWED = [
    ("received", "request_correction", "correction_requested"),
    ("forwarded", "request_correction", "correction_requested"),
    ("correction_requested", "resubmit", "received"),
    ("received", "forward", "forwarded"),
    ("forwarded", "receive", "received"),
    ("received", "accept", "accepted"),
    ("forwarded", "accept", "accepted"),
    ("correction_requested", "accept", "accepted"),
    ("received", "not_accept", "not_accepted"),
    ("forwarded", "not_accept", "not_accepted"),
    ("correction_requested", "not_accept", "not_accepted"),
    ("accepted", "start", "in_progress"),
    ("accepted", "suspend", "suspended"),
    ("in_progress", "suspend", "suspended"),
    ("suspended", "resume", "in_progress"),
    ("in_progress", "decide", "decided"),
    ("decided", "complete", "completed"),
    ("completed", "deliver", "delivered"),
] + [(s, "withdraw", "withdrawn") for s in sorted(lc.PRE_DECISION)] \
  + [(s, "return", "returned") for s in sorted(lc.PRE_DECISION)]


@pytest.mark.parametrize("state, event, expected", ALLOWED)
def test_every_allowed_transition(state, event, expected):
    assert lc.transition(state, event) == expected


def test_the_table_is_exactly_the_allowed_list():
    assert {(s, e): to for s, e, to in ALLOWED} == dict(lc.TRANSITIONS)


FORBIDDEN = [
    ("received", "deliver", "delivered"),          # delivering before a decision
    ("received", "decide", "decided"),             # deciding before acceptance
    ("accepted", "decide", "decided"),             # 承办 first
    ("suspended", "decide", "decided"),            # Art. 45: the special procedure must end first
    ("received", "suspend", "suspended"),          # no clock to pause before acceptance
    ("accepted", "request_correction", "correction_requested"),   # 一次性告知 is before acceptance
    ("accepted", "not_accept", "not_accepted"),
    ("decided", "withdraw", "withdrawn"),          # after the decision the applicant cannot withdraw
    ("decided", "return", "returned"),
    ("completed", "return", "returned"),
    ("in_progress", "accept", "accepted"),         # accepted once
    ("decided", "deliver", "delivered"),           # 办结 first
    ("delivered", "deliver", "delivered"),
    ("withdrawn", "resume", "in_progress"),
    ("not_accepted", "accept", "accepted"),
    ("returned", "resubmit", "received"),
    ("in_progress", "resume", "in_progress"),
    ("forwarded", "forward", "forwarded"),
]


@pytest.mark.parametrize("state, event, target", FORBIDDEN)
def test_forbidden_transitions_name_from_and_to(state, event, target):
    with pytest.raises(Conflict) as err:
        lc.transition(state, event)
    assert err.value.code == "lifecycle_transition_invalid"
    assert err.value.detail == {"from": state, "to": target, "event": event}
    assert state in err.value.message


def test_unknown_state_is_a_validation_error():
    with pytest.raises(ValidationError) as err:
        lc.transition("lost", "accept")
    assert err.value.code == "lifecycle_state_unknown"


def test_terminal_and_pre_decision_sets():
    assert lc.TERMINAL == {"not_accepted", "delivered", "withdrawn", "returned"}
    for state in lc.TERMINAL:
        assert lc.allowed_events(state) == [] and lc.is_terminal(state)
    assert "decided" not in lc.PRE_DECISION and "suspended" in lc.PRE_DECISION
    assert set(lc.STATES) == {s for s, _ in lc.TRANSITIONS} | lc.TERMINAL


def test_walk_is_all_or_nothing():
    path = lc.walk("received", ["forward", "receive", "accept", "start", "decide", "complete", "deliver"])
    assert [to for _, _, to in path] == ["forwarded", "received", "accepted", "in_progress", "decided",
                                         "completed", "delivered"]
    with pytest.raises(Conflict):
        lc.walk("received", ["accept", "deliver"])


@given(st.lists(st.sampled_from(lc.EVENTS + ("bogus",)), max_size=30))
def test_random_event_sequences_never_leave_the_graph(events):
    state = "received"
    for event in events:
        try:
            new = lc.transition(state, event)
        except Conflict:
            continue
        assert not lc.is_terminal(state), "a terminal state moved"
        assert (state, event) in lc.TRANSITIONS and new in lc.STATES
        state = new
    if lc.is_terminal(state):
        for event in lc.EVENTS:
            with pytest.raises(Conflict):
                lc.transition(state, event)


@pytest.mark.parametrize("state, stage, data, events", [
    ("received", "received", {}, []),
    ("correction_requested", "received", {"supplemented": True}, ["resubmit"]),
    ("forwarded", "received", {}, ["receive"]),
    ("received", "forwarded", {"complete": True}, ["forward"]),
    ("received", "forwarded", {"complete": False, "opinion": "缺营业执照"}, ["request_correction"]),
    ("received", "pre_review", {"complete": True}, []),
    ("forwarded", "accepted", {}, ["accept"]),
    ("received", "accepted", {"accept": False, "reason": "不属于本机关职权"}, ["not_accept"]),
    ("accepted", "accepted", {}, []),                       # accepted earlier by the command
    ("accepted", "review", {}, ["start"]),
    ("decided", "in_progress", {}, []),                     # a parallel branch of a joint item
    ("accepted", "decided", {"decision": "granted"}, ["start", "decide"]),
    ("in_progress", "decided", {"decision": "refused"}, ["decide"]),
    ("suspended", "decided", {"decision": "granted"}, ["decide"]),      # then rejected by the table
    ("decided", "completed", {}, ["complete"]),
    ("decided", "delivered", {}, ["complete", "deliver"]),
    ("completed", "delivered", {}, ["deliver"]),
    ("delivered", "completed", {}, []),
    ("received", "delivered", {}, ["deliver"]),                         # then rejected by the table
    ("received", None, {}, []),
])
def test_stage_events(state, stage, data, events):
    assert lc.stage_events(state, stage, data) == events


def test_a_decision_stage_needs_a_lawful_decision():
    with pytest.raises(ValidationError) as err:
        lc.stage_events("in_progress", "decided", {"decision": "approve"})
    assert (err.value.code, err.value.field) == ("decision_invalid", "decision")


def test_stage_names_are_checked():
    assert lc.check_stage("accepted") is None and lc.check_stage(None) is None
    assert "unknown stage 'aproved'" in lc.check_stage("aproved")


@pytest.mark.parametrize("dialect", [
    '<camunda:properties><camunda:property name="stage" value="aproved"/></camunda:properties>',
    '<zeebe:properties><zeebe:property name="stage" value="aproved"/></zeebe:properties>',
    '<spiffworkflow:properties><spiffworkflow:property name="stage" value="aproved"/></spiffworkflow:properties>',
])
def test_an_unknown_stage_is_a_deploy_error_naming_the_element(dialect):
    from tests.unit.test_parser import linear, rejected
    task = (f'<bpmn:userTask id="t" camunda:candidateGroups="township:reviewer">'
            f'<bpmn:extensionElements>{dialect}</bpmn:extensionElements></bpmn:userTask>')
    err = rejected(("s.bpmn", linear(task)))
    assert err.code == "stage_unknown"
    assert (err.problems[0].file, err.problems[0].element) == ("s.bpmn", "t")
    assert "aproved" in err.message
