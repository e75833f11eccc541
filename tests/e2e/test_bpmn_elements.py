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
from engine.services import messages, time_limits
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

    def start(self, item_code: str, form: dict | None = None) -> int:
        started = self.call("POST", "/api/v1/cases", "xcz_receiver", 201, json={
            "item_code": item_code, "window_id": window_id(self.ctx, WINDOW),
            "applicant": {"name": "王五"}, "form": form or {}})
        return started["id"]

    def number(self, case_id: int) -> str:
        return self.call("GET", f"/api/v1/cases/{case_id}", "xcz_receiver")["number"]

    def open_steps(self, case_id: int, who: str) -> list[dict]:
        """The case's open tasks on `who`'s inbox, by element id."""
        return sorted((t for t in self.call("GET", "/api/v1/tasks?limit=200", who) if t["case_id"] == case_id),
                      key=lambda t: t["spec_id"])

    def work(self, case_id: int, who: str, element: str, data: dict | None = None) -> None:
        """`who` claims and completes one open task of `element` on the case."""
        task = next((t for t in self.open_steps(case_id, who) if t["spec_id"] == element), None)
        assert task is not None, (element, who, self.open_steps(case_id, who))
        if task["assignee_id"] is None:           # a step with camunda:assignee is claimed already
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


def test_a_decision_table_a_collection_and_an_assignee_as_camunda_modeler_writes_them(lianban):
    files = [FIXTURES / "camunda" / "camunda_permit.bpmn", FIXTURES / "camunda" / "camunda_permit.dmn"]
    lianban.call("POST", "/api/v1/process-definitions/deployments", "designer", 201, data={"name": "permit"},
                 files=[("files", (f.name, f.read_bytes(), "application/xml")) for f in files])
    add_item(lianban.ctx, "EL-DMN", "camunda_permit")
    small = lianban.start("EL-DMN", {"amount": 500})          # the decision table says: township
    lianban.work(small, "xcz_reviewer", "assign", {"reviewers": ["甲", "乙", "丙"]})
    assert [t["spec_id"] for t in lianban.open_steps(small, "xcz_reviewer")] == ["review"] * 3
    for _ in range(3):
        lianban.work(small, "xcz_reviewer", "review", {"ok": True})
    lianban.work(small, "xcz_reviewer", "sign")                # camunda:assignee="xcz_reviewer"
    assert lianban.status(small) == "completed"

    large = lianban.start("EL-DMN", {"amount": 5000})          # "window": the step with no group
    assert lianban.open_steps(large, "xcz_reviewer") == []
    lianban.work(large, "xcz_receiver", "window_step")
    assert lianban.status(large) == "completed"


def _integration(lianban, path: str, body: dict, expect: int = 200):
    return lianban.call("POST", path, "integration", expect, json=body)


def test_messages_a_signal_an_external_task_and_an_event_gateway_over_http(lianban, clock):
    lianban.deploy("outside_world.bpmn", "EL-WORLD", "el_outside_world")
    paid, lapsing, withdrawing = (lianban.start("EL-WORLD") for _ in range(3))
    for case_id in (paid, lapsing, withdrawing):
        lianban.work(case_id, "xcz_receiver", "intake")
    # the event-based gateway: the payment platform's message takes one case on ...
    for n, case_id in enumerate((paid, withdrawing)):
        answer = _integration(lianban, "/api/v1/messages", {
            "name": "el_payment_confirmed", "message_id": f"pay-{n}", "case_number": lianban.number(case_id)})
        # (what waited is named: the gateway, which SpiffWorkflow holds the subscription on)
        assert answer["case_id"] == case_id and answer["caught_by"] == ["await_payment"]
    # ... the other lapses on the gateway's timer, and a late payment finds nothing waiting
    clock.advance(timedelta(hours=2, minutes=1))
    assert time_limits.fire_due(lianban.ctx) >= 1
    assert lianban.status(lapsing) == "completed"
    assert lianban.status(paid) == "running"
    late = requests.post(f"{lianban.base}/api/v1/messages", headers=lianban.headers("integration"), timeout=30,
                         json={"name": "el_payment_confirmed", "message_id": "pay-late",
                               "case_number": lianban.number(lapsing)})
    assert late.status_code == 404 and late.json()["code"] == "message_not_correlated"
    # the external service task: a worker fetches both cases' tasks by topic and completes them
    locked = _integration(lianban, "/engine-rest/external-task/fetchAndLock", {
        "workerId": "licence-worker", "maxTasks": 10,
        "topics": [{"topicName": "el-licence-issue", "lockDuration": 60000}]})
    assert sorted(int(t["processInstanceId"]) for t in locked) == sorted([paid, withdrawing])
    assert {t["activityId"] for t in locked} == {"issue_licence"}
    for task in locked:
        _integration(lianban, f"/engine-rest/external-task/{task['id']}/complete", {
            "workerId": "licence-worker", "variables": {"licence_no": {"value": "DZ-1", "type": "String"}}}, 204)
    # one signal reaches both waiting cases; each then waits at its receive task
    sent = _integration(lianban, "/api/v1/signals", {"name": "el_policy_published", "signal_id": "policy-1"})
    assert sent["case_ids"] == sorted([paid, withdrawing]) and sent["failed"] == []
    for n, case_id in enumerate((paid, withdrawing)):
        assert lianban.open_steps(case_id, "xcz_receiver") == []
        _integration(lianban, "/api/v1/messages", {"name": "el_licence_posted", "message_id": f"post-{n}",
                                                   "case_number": lianban.number(case_id)})
        assert [t["spec_id"] for t in lianban.open_steps(case_id, "xcz_receiver")] == ["handover"]
    # the boundary message interrupts the hand-over of one; the other is handed over
    _integration(lianban, "/api/v1/messages", {"name": "el_applicant_withdrew", "message_id": "wd-1",
                                               "case_number": lianban.number(withdrawing)})
    assert lianban.open_steps(withdrawing, "xcz_receiver") == []
    assert lianban.status(withdrawing) == "completed"
    lianban.work(paid, "xcz_receiver", "handover")
    assert lianban.status(paid) == "completed"


def test_a_step_offered_to_named_people_each_sees_it_one_claims_it(lianban):
    lianban.deploy("candidate_users.bpmn", "EL-NAMED", "el_candidate_users")
    case_id = lianban.start("EL-NAMED")
    # camunda:candidateUsers="xcz_reviewer, xcz_social_approver": in each one's inbox, nobody else's
    [offered] = lianban.open_steps(case_id, "xcz_reviewer")
    assert [t["id"] for t in lianban.open_steps(case_id, "xcz_social_approver")] == [offered["id"]]
    assert lianban.open_steps(case_id, "xcz_issuer") == lianban.open_steps(case_id, "xcz_receiver") == []
    for who in ("xcz_reviewer", "xcz_social_approver"):             # the workbench's worklist too
        items = lianban.call("GET", "/api/v1/tasks/workbench?scope=unclaimed", who)["items"]
        assert [i["id"] for i in items if i["case_id"] == case_id] == [offered["id"]]
    refused = lianban.call("POST", f"/api/v1/tasks/{offered['id']}/claim", "xcz_issuer", 403)
    assert refused["code"] == "task_not_in_your_queue"
    # one claims; the other no longer can (409 with the code) and no longer sees it
    lianban.call("POST", f"/api/v1/tasks/{offered['id']}/claim", "xcz_social_approver")
    late = lianban.call("POST", f"/api/v1/tasks/{offered['id']}/claim", "xcz_reviewer", 409)
    assert late["code"] == "task_already_claimed"
    assert lianban.open_steps(case_id, "xcz_reviewer") == []
    lianban.work(case_id, "xcz_social_approver", "check")
    assert lianban.status(case_id) == "completed"


def test_assignee_and_candidate_users_given_by_the_case_data(lianban):
    lianban.deploy("assignee_expression.bpmn", "EL-EXPR", "el_assignee_expression")
    case_id = lianban.start("EL-EXPR")
    lianban.work(case_id, "xcz_receiver", "intake", {"reviewers": ["xcz_reviewer", "xcz_social_approver"],
                                                     "approver": "xcz_issuer"})
    # camunda:candidateUsers="${reviewers}": offered to each person the data names, nobody else
    [offered] = lianban.open_steps(case_id, "xcz_reviewer")
    assert [t["id"] for t in lianban.open_steps(case_id, "xcz_social_approver")] == [offered["id"]]
    assert lianban.open_steps(case_id, "xcz_receiver") == []
    lianban.call("POST", f"/api/v1/tasks/{offered['id']}/claim", "xcz_social_approver")
    late = lianban.call("POST", f"/api/v1/tasks/{offered['id']}/claim", "xcz_reviewer", 409)
    assert late["code"] == "task_already_claimed"
    lianban.work(case_id, "xcz_social_approver", "check")
    # camunda:assignee="${approver}": claimed for her
    [sign] = lianban.open_steps(case_id, "xcz_issuer")
    assert sign["spec_id"] == "sign" and sign["assignee_id"] is not None
    lianban.work(case_id, "xcz_issuer", "sign")
    assert lianban.status(case_id) == "completed"
    # a name that is no staff account: nobody gets the step, an incident says why; a retry that
    # finds it still wrong is 409 and the incident stays open
    bad = lianban.start("EL-EXPR")
    lianban.work(bad, "xcz_receiver", "intake", {"reviewers": "xcz_reviewer", "approver": "ghost"})
    lianban.work(bad, "xcz_reviewer", "check")
    assert lianban.open_steps(bad, "xcz_issuer") == lianban.open_steps(bad, "xcz_reviewer") == []
    [incident] = lianban.call("GET", f"/api/v1/incidents?case_id={bad}", "admin")["items"]
    assert (incident["kind"], incident["element_id"], incident["state"]) == ("assignment", "sign", "open")
    assert "'ghost'" in incident["message"]
    again = lianban.call("POST", f"/api/v1/incidents/{incident['id']}/retry", "admin", 409)
    assert again["code"] == "assignment_invalid"
    assert lianban.call("GET", f"/api/v1/incidents/{incident['id']}", "admin")["state"] == "open"


def test_a_multi_instance_over_a_property_path(lianban):
    lianban.deploy("collection_path.bpmn", "EL-PATH", "el_collection_path")
    case_id = lianban.start("EL-PATH")
    order = {"no": "A-7", "items": ["营业执照", "卫生许可", "消防验收"]}
    lianban.work(case_id, "xcz_receiver", "intake", {"order": order})
    # camunda:collection="${order.items}": one check per item of the order
    assert [t["spec_id"] for t in lianban.open_steps(case_id, "xcz_reviewer")] == ["check_item"] * 3
    for _ in range(3):
        lianban.work(case_id, "xcz_reviewer", "check_item", {"ok": True})
    assert lianban.status(case_id) == "completed"


def test_a_non_interrupting_boundary_message_starts_its_path_for_each_message(lianban):
    lianban.deploy("repeated_message.bpmn", "EL-AGAIN", "el_repeated_message")
    case_id = lianban.start("EL-AGAIN")
    number = lianban.number(case_id)

    def send(message_id: str, pages: int):
        return _integration(lianban, "/api/v1/messages", {"name": "el_supplement_received", "message_id": message_id,
                                                          "case_number": number, "variables": {"pages": pages}})
    first = send("sup-1", 3)
    assert first["caught_by"] == ["supplement"]
    assert send("sup-1", 3) == first                          # the same id again: the first answer, no new path
    second = send("sup-2", 5)                                 # another supplement: a second path
    assert second["caught_by"] == ["supplement"]
    assert sorted(t["element"] for t in second["tasks"]) == ["check_supplement", "check_supplement", "review"]
    steps = [t["spec_id"] for t in lianban.open_steps(case_id, "xcz_reviewer")]
    assert sorted(steps) == ["check_supplement", "check_supplement", "review"]
    lianban.work(case_id, "xcz_reviewer", "review")
    # the review ended: a late supplement finds nothing waiting; the two checks stay
    late = requests.post(f"{lianban.base}/api/v1/messages", headers=lianban.headers("integration"), timeout=30,
                         json={"name": "el_supplement_received", "message_id": "sup-3", "case_number": number})
    assert late.status_code == 404 and late.json()["code"] == "message_not_correlated"
    for _ in range(2):
        lianban.work(case_id, "xcz_reviewer", "check_supplement")
    assert lianban.status(case_id) == "completed"


def test_a_signal_thrown_by_one_case_reaches_the_cases_waiting_for_it(lianban):
    """A signal end event of one case; a catch behind an event-based gateway and a boundary signal
    in other cases receive it through the outbox (the scheduler's delivery, run here once)."""
    lianban.deploy("signal_relay.bpmn", "EL-PAUSE", "el_pause_service")
    add_item(lianban.ctx, "EL-AWAIT", "el_await_pause")
    add_item(lianban.ctx, "EL-REVIEW", "el_review_pausable")
    gate, review = lianban.start("EL-AWAIT"), lianban.start("EL-REVIEW")
    bystander = lianban.start("EL-REVIEW")
    lianban.work(bystander, "xcz_receiver", "rv_review")          # done before the pause: not reached
    thrower = lianban.start("EL-PAUSE")
    lianban.work(thrower, "xcz_receiver", "decide_pause", {"reason": "系统升级"})
    assert lianban.status(thrower) == "completed"
    assert [t["spec_id"] for t in lianban.open_steps(review, "xcz_receiver")] == ["rv_review"]   # not yet
    assert messages.deliver_outbox(lianban.ctx, "e2e") == 2
    assert [t["spec_id"] for t in lianban.open_steps(gate, "xcz_receiver")] == ["tell_applicant"]
    assert [t["spec_id"] for t in lianban.open_steps(review, "xcz_receiver")] == ["resume_later"]
    for case_id in (gate, review):
        case = lianban.call("GET", f"/api/v1/cases/{case_id}", "xcz_receiver")
        assert case["data"]["pause_reason"] == "系统升级"
    assert lianban.status(bystander) == "completed"
    # the gateway's timer went with the signal branch; delivered once: a second pass does nothing
    assert messages.deliver_outbox(lianban.ctx, "e2e") == 0
    lianban.work(gate, "xcz_receiver", "tell_applicant")
    assert lianban.status(gate) == "completed"


def test_a_message_thrown_by_one_case_reaches_the_one_case_it_names(lianban):
    """Two diagrams deployed over HTTP; the sender's throw names its receiver by the application
    number in the receiver's form (camunda:properties); the worker's pass delivers it to that case
    only (docs/integration.md#messages-thrown-between-cases)."""
    lianban.deploy("message_relay_receive.bpmn", "EL-AWAIT-PERMIT", "el_await_permit")
    lianban.deploy("message_relay_send.bpmn", "EL-PERMIT", "el_issue_permit")
    other = lianban.start("EL-AWAIT-PERMIT", {"application_no": "SQ-2026-001"})
    waiting = lianban.start("EL-AWAIT-PERMIT", {"application_no": "SQ-2026-002"})
    sender = lianban.start("EL-PERMIT")
    lianban.work(sender, "xcz_receiver", "decide_permit", {"application_no": "SQ-2026-002", "permit_no": "XK-77"})
    assert lianban.status(sender) == "completed"                # the sender's step completed with its throw
    assert lianban.open_steps(waiting, "xcz_receiver") == []     # the receiver waits for the worker
    assert messages.deliver_outbox(lianban.ctx, "e2e") == 1
    assert [t["spec_id"] for t in lianban.open_steps(waiting, "xcz_receiver")] == ["hand_permit"]
    assert lianban.call("GET", f"/api/v1/cases/{waiting}", "xcz_receiver")["data"]["permit_no"] == "XK-77"
    assert lianban.open_steps(other, "xcz_receiver") == []
    assert messages.deliver_outbox(lianban.ctx, "e2e") == 0     # delivered once
    lianban.work(waiting, "xcz_receiver", "hand_permit")
    assert lianban.status(waiting) == "completed"
