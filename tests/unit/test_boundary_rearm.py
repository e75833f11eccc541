"""A non-interrupting boundary message or signal catches every delivery while its activity is
active, each starting its path (Camunda's rule; SpiffWorkflow 3.2.0 catches once and
engine/bpmn/events.py puts a new waiting event beside the one that caught). Each step is stored
and loaded as the engine does it; an interrupting one still ends its activity on the first."""
from pathlib import Path
from uuid import UUID

import pytest

from engine.bpmn import events
from tests.unit.test_camunda_bpmn import CLOCK, deployed

BOUNDARY = (Path(__file__).resolve().parent.parent / "fixtures" / "boundary_message.bpmn").read_bytes()
# the same diagram with the supplement as a signal
AS_SIGNAL = (BOUNDARY.replace(b'<bpmn:message id="msg_supplement" name="supplement_received"/>',
                              b'<bpmn:signal id="sig_supplement" name="supplement_received"/>')
             .replace(b'<bpmn:messageEventDefinition messageRef="msg_supplement"/>',
                      b'<bpmn:signalEventDefinition signalRef="sig_supplement"/>'))


def _steps(rt, wf) -> list[str]:
    return sorted(t.spec_id for t in rt.ready_user_tasks(wf))


@pytest.mark.parametrize("kind, xml", [(events.MESSAGE, BOUNDARY), (events.SIGNAL, AS_SIGNAL)])
def test_each_delivery_starts_its_path_until_the_activity_ends(kind, xml):
    rt = deployed(("b.bpmn", xml), pid="review_with_messages")
    wf = rt.start(1, {}, CLOCK)
    for n, pages in enumerate((3, 5, 8), 1):
        assert rt.deliver(wf, kind, "supplement_received", {"pages": pages}, CLOCK) == ["supplement"]
        wf = rt.loads(rt.dumps(wf))
        assert _steps(rt, wf) == ["check_supplement"] * n + ["review"]
        # still waiting for the next one (and for the interrupting withdrawal)
        assert sorted(s.name for s in events.waiting_subscriptions(wf)) == ["applicant_withdrew",
                                                                            "supplement_received"]
    # each path has its own delivery's variables
    checks = [t for t in rt.ready_user_tasks(wf) if t.spec_id == "check_supplement"]
    assert sorted(wf.get_task_from_id(UUID(c.id)).data["pages"] for c in checks) == [3, 5, 8]
    review = next(t for t in rt.ready_user_tasks(wf) if t.spec_id == "review")
    rt.complete(wf, review.id, {}, CLOCK)
    wf = rt.loads(rt.dumps(wf))
    assert events.waiting_subscriptions(wf) == []          # the review ended: nothing waits
    assert rt.deliver(wf, kind, "supplement_received", {}, CLOCK) == []
    for check in [t for t in rt.ready_user_tasks(wf) if t.spec_id == "check_supplement"]:
        rt.complete(wf, check.id, {}, CLOCK)
    assert rt.is_completed(wf)


def test_an_interrupting_boundary_still_ends_its_activity_on_the_first():
    rt = deployed(("b.bpmn", BOUNDARY), pid="review_with_messages")
    wf = rt.start(1, {}, CLOCK)
    rt.deliver(wf, events.MESSAGE, "supplement_received", {}, CLOCK)
    assert rt.deliver(wf, events.MESSAGE, "applicant_withdrew", {}, CLOCK) == ["withdrawn"]
    assert _steps(rt, wf) == ["check_supplement", "close_withdrawn"]
    assert events.waiting_subscriptions(wf) == []
