"""Each family of BPMN elements a designer uses, end to end over real HTTP on both databases: the
diagram deployed through the API as the designer deploys it, a case started at a township window,
every step claimed and completed by the clerk it is routed to, timers fired by the worker's own
sweep, and the case's end read back. One diagram per family in tests/fixtures/elements/."""
import threading
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from api import create_app
from demo.org import DEMO_PASSWORD
from engine.services import time_limits
from tests.conftest import window_id
from tests.integration.helpers import FIXTURES, add_item

ELEMENTS = FIXTURES / "elements"
WINDOW = "XCZ-W01"                      # 西岔镇's comprehensive window; its clerks are xcz_*


class Lianban:
    """One Lianban over HTTP on the test's database, and the people who use it."""

    def __init__(self, ctx, base: str):
        self.ctx, self.base, self._tokens = ctx, base, {}

    def headers(self, username: str) -> dict:
        if username not in self._tokens:
            r = requests.post(f"{self.base}/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            self._tokens[username] = r.json()["token"]
        return {"Authorization": f"Bearer {self._tokens[username]}"}

    def call(self, method: str, path: str, who: str, expect: int = 200, **kw):
        r = requests.request(method, f"{self.base}{path}", headers=self.headers(who), timeout=30, **kw)
        assert r.status_code == expect, (method, path, r.status_code, r.text)
        return r.json() if r.content else None

    def deploy(self, filename: str, item_code: str, process_key: str) -> None:
        path = ELEMENTS / filename
        self.call("POST", "/api/v1/process-definitions/deployments", "designer", 201,
                  data={"name": filename}, files={"files": (path.name, path.read_bytes(), "application/xml")})
        add_item(self.ctx, item_code, process_key)

    def start(self, item_code: str) -> int:
        started = self.call("POST", "/api/v1/cases", "xcz_receiver", 201, json={
            "item_code": item_code, "window_id": window_id(self.ctx, WINDOW),
            "applicant": {"name": "王五"}, "form": {}})
        return started["id"]

    def open_steps(self, case_id: int, who: str) -> list[dict]:
        """The case's open tasks on `who`'s inbox, by element id."""
        return sorted((t for t in self.call("GET", "/api/v1/tasks?limit=200", who) if t["case_id"] == case_id),
                      key=lambda t: t["spec_id"])

    def work(self, case_id: int, who: str, element: str, data: dict | None = None) -> None:
        """`who` claims and completes one open task of `element` on the case."""
        task = next((t for t in self.open_steps(case_id, who) if t["spec_id"] == element), None)
        assert task is not None, (element, who, self.open_steps(case_id, who))
        self.call("POST", f"/api/v1/tasks/{task['id']}/claim", who)
        self.call("POST", f"/api/v1/tasks/{task['id']}/complete", who, json={"data": data or {}})

    def status(self, case_id: int) -> str:
        return self.call("GET", f"/api/v1/cases/{case_id}", "xcz_receiver")["status"]


@pytest.fixture
def lianban(demo):
    httpd = make_server("127.0.0.1", 0, create_app(context=demo), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield Lianban(demo, f"http://127.0.0.1:{httpd.server_port}")
    httpd.shutdown()


def test_inclusive_gateway_runs_every_branch_whose_condition_holds_and_joins_them(lianban):
    lianban.deploy("inclusive.bpmn", "EL-INCL", "el_inclusive")
    both = lianban.start("EL-INCL")
    lianban.work(both, "xcz_receiver", "triage", {"fire": True, "health": True})
    assert [t["spec_id"] for t in lianban.open_steps(both, "xcz_reviewer")] == ["fire_check", "health_check"]
    lianban.work(both, "xcz_reviewer", "fire_check")
    assert lianban.status(both) == "running"                   # the join waits for the other branch
    lianban.work(both, "xcz_reviewer", "health_check")
    assert lianban.status(both) == "completed"

    neither = lianban.start("EL-INCL")
    lianban.work(neither, "xcz_receiver", "triage", {"fire": False, "health": False})
    assert [t["spec_id"] for t in lianban.open_steps(neither, "xcz_reviewer")] == ["general_check"]
    lianban.work(neither, "xcz_reviewer", "general_check")
    assert lianban.status(neither) == "completed"


def test_timer_boundaries_remind_without_interrupting_then_take_the_step_away(lianban, clock):
    lianban.deploy("timer_boundary.bpmn", "EL-TIMER", "el_timer_boundary")
    case_id = lianban.start("EL-TIMER")
    assert [t["spec_id"] for t in lianban.open_steps(case_id, "xcz_reviewer")] == ["review"]
    clock.advance(timedelta(minutes=61))
    assert time_limits.fire_due(lianban.ctx) >= 1
    assert [t["spec_id"] for t in lianban.open_steps(case_id, "xcz_receiver")] == ["reminder"]
    assert [t["spec_id"] for t in lianban.open_steps(case_id, "xcz_reviewer")] == ["review"]     # still there
    lianban.work(case_id, "xcz_receiver", "reminder")
    clock.advance(timedelta(minutes=60))
    assert time_limits.fire_due(lianban.ctx) >= 1
    assert lianban.open_steps(case_id, "xcz_reviewer") == []                   # interrupted
    lianban.work(case_id, "xcz_supervisor", "escalate")
    assert lianban.status(case_id) == "completed"
    assert time_limits.fire_due(lianban.ctx) == 0                              # each timer fired once


def test_an_error_thrown_in_a_sub_process_is_caught_on_its_boundary(lianban):
    lianban.deploy("error_boundary.bpmn", "EL-ERR", "el_error_boundary")
    fake = lianban.start("EL-ERR")
    lianban.work(fake, "xcz_reviewer", "check", {"fake": True})
    assert lianban.open_steps(fake, "xcz_receiver") == []                      # 审批 skipped
    lianban.work(fake, "xcz_supervisor", "report_fake")
    assert lianban.status(fake) == "completed"

    genuine = lianban.start("EL-ERR")
    lianban.work(genuine, "xcz_reviewer", "check", {"fake": False})
    assert lianban.open_steps(genuine, "xcz_supervisor") == []
    lianban.work(genuine, "xcz_receiver", "decide")
    assert lianban.status(genuine) == "completed"


def test_multi_instance_parallel_then_sequential(lianban):
    lianban.deploy("multi_instance.bpmn", "EL-MI", "el_multi_instance")
    case_id = lianban.start("EL-MI")
    assert [t["spec_id"] for t in lianban.open_steps(case_id, "xcz_reviewer")] == ["countersign"] * 3
    for _ in range(3):
        assert lianban.open_steps(case_id, "xcz_receiver") == []                # not before all three
        lianban.work(case_id, "xcz_reviewer", "countersign")
    for _ in range(2):
        assert [t["spec_id"] for t in lianban.open_steps(case_id, "xcz_receiver")] == ["sign_off"]   # one at a time
        lianban.work(case_id, "xcz_receiver", "sign_off")
    assert lianban.status(case_id) == "completed"


def test_a_call_activity_and_user_tasks_inside_sub_processes(lianban):
    path = FIXTURES / "user_task_in_subprocess.bpmn"
    lianban.call("POST", "/api/v1/process-definitions/deployments", "designer", 201,
                 data={"name": path.name}, files={"files": (path.name, path.read_bytes(), "application/xml")})
    add_item(lianban.ctx, "EL-CALL", "sub_tasks")
    case_id = lianban.start("EL-CALL")
    for who, element in (("xcz_reviewer", "site_check"), ("xcz_receiver", "recheck"), ("xcz_reviewer", "sign")):
        lianban.work(case_id, who, element)
    assert lianban.status(case_id) == "completed"
