"""What the runtime records of the signals a workflow throws (engine/bpmn/events.py): each throw
once, with its payload object, the thrower catching its own signal as SpiffWorkflow does, nothing
parked in the saved state, and the record surviving a save and load (every loaded workflow is
watched)."""
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from engine.bpmn.events import Thrown
from engine.bpmn.parser import SourceFile, parse_bundle
from engine.bpmn.runtime import Runtime
from engine.domain.clock import FrozenClock

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "signal_throw.bpmn"
CLOCK = FrozenClock(datetime(2026, 12, 7, 2, 0, tzinfo=timezone.utc))


@pytest.fixture(scope="module")
def runtime():
    bundle = parse_bundle([SourceFile(FIXTURE.name, FIXTURE.read_bytes())])
    rt = Runtime()
    for key, proc in bundle.processes.items():
        rt.specs.add(key, proc.spec, proc.subprocess_specs)
    return rt


def _complete(rt, wf, element, data):
    [task] = [t for t in rt.ready_user_tasks(wf) if t.spec_id == element]
    rt.complete(wf, task.id, data, CLOCK)


def test_an_intermediate_throw_is_recorded_once_and_caught_by_its_own_case(runtime):
    wf = runtime.start("publish_policy", {}, CLOCK)
    assert runtime.take_thrown(wf) == []
    _complete(runtime, wf, "draft_policy", {"policy_no": "2026-12"})
    assert runtime.take_thrown(wf) == [Thrown("signal", "policy_published", {"policy": "2026-12"})]
    assert runtime.take_thrown(wf) == []
    assert [t.spec_id for t in runtime.ready_user_tasks(wf)] == ["archive_policy"]     # its own catch
    assert wf.bpmn_events == []


def test_a_signal_end_event_throws_after_a_save_and_load(runtime):
    wf = runtime.loads(runtime.dumps(runtime.start("suspend_service", {}, CLOCK)))
    _complete(runtime, wf, "decide_suspension", {})
    assert runtime.take_thrown(wf) == [Thrown("signal", "service_suspended", {})]
    assert runtime.is_completed(wf)
    assert json.loads(runtime.dumps(wf))["bpmn_events"] == []          # nothing parked in the state
