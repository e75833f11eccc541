"""External tasks and incidents over real HTTP, on SQLite and PostgreSQL: the example fee-payment
worker (lianban_worker, stdlib HTTP only) works the demo diagram's service tasks as the
`integration` account; a paid case goes on to review, an unpaid one to 催缴 by its BPMN error, a
platform outage retries with back-off and ends in an incident that the API lists, retries and
resolves; the dashboard counts it. Errors on /engine-rest are Camunda-shaped."""
import base64
import dataclasses
import json
import socket
import threading
import time
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select
from werkzeug.serving import make_server

from api import create_app
from demo.org import DEMO_PASSWORD
from engine.services import cases, tasks
from engine.services.accounts import auth
from engine.store import doorbell
from engine.store.models import ExternalTask, OrgUnit
from lianban_worker import Client, Worker
from lianban_worker.examples.fee_payment_check import TOPIC, make_handler
from tests.conftest import staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files


@pytest.fixture
def served(demo):
    deploy_files(demo, FIXTURES / "fee_payment_check.bpmn")
    add_item(demo, "TEST-FEE", "fee_payment_check")
    httpd = make_server("127.0.0.1", 0, create_app(context=demo), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield demo, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def start(ctx, name):
    return cases.start_case(ctx, cases.StartCase("TEST-FEE", window_id(ctx, "ZCZ-W01"), {"name": name}),
                            staff(ctx, "zcz_receiver"))


def bearer(ctx, username):
    return {"Authorization": "Bearer " + auth.create_service_token(ctx, username, "e2e")}


def basic(username):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()}


def states(ctx):
    with ctx.uow.read() as tx:
        return {r.case_id: r.state for r in tx.conn.execute(select(ExternalTask.case_id, ExternalTask.state))}


def test_the_example_worker_settles_paid_and_unpaid_cases(served, tmp_path):
    ctx, url = served
    paid, unpaid = start(ctx, "甲"), start(ctx, "乙")
    payments = tmp_path / "payments.json"
    payments.write_text(json.dumps({paid.number: 120.0}), encoding="utf-8")
    worker = Worker(Client(url, "integration", DEMO_PASSWORD), "fee-1", poll_interval_s=0.01, long_poll_ms=300)
    worker.subscribe(TOPIC, make_handler(payments), variables=["case"])
    assert worker.run(max_idle_polls=1) == 2
    assert states(ctx) == {paid.case_id: "completed", unpaid.case_id: "bpmn_error"}
    assert [t.case_id for t in tasks.inbox(ctx, staff(ctx, "zcz_reviewer"))] == [paid.case_id]
    assert [t.case_id for t in tasks.inbox(ctx, staff(ctx, "zcz_receiver"))] == [unpaid.case_id]


def test_an_outage_retries_with_back_off_then_is_an_incident_the_console_api_retries(served, tmp_path, clock):
    ctx, url = served
    case = start(ctx, "丙")
    missing = tmp_path / "no-such-file.json"                       # the platform is down
    worker = Worker(Client(url, "integration", DEMO_PASSWORD), "fee-2", retries=1, backoff_ms=10_000,
                    poll_interval_s=0.01, long_poll_ms=0).subscribe(TOPIC, make_handler(missing), variables=["case"])
    assert worker.run_once() == 1                                  # failure: 1 retry left, back in 10 s
    assert worker.run_once() == 0
    clock.advance(timedelta(seconds=11))
    assert worker.run_once() == 1                                  # failure: 0 retries, an incident
    clock.advance(timedelta(days=1))
    assert worker.run_once() == 0

    admin = bearer(ctx, "admin")
    listed = requests.get(f"{url}/api/v1/incidents", params={"state": "open", "kind": "external_task"},
                          headers=admin, timeout=10).json()
    assert listed["total"] == 1
    [incident] = listed["items"]
    assert (incident["case_id"], incident["element_id"], incident["state"]) == (case.case_id, "fee_check", "open")
    assert "payment platform unreachable" in incident["message"] and "Traceback" in incident["details"]
    camunda = requests.get(f"{url}/engine-rest/incident", headers=admin, timeout=10).json()
    assert [(i["id"], i["incidentType"], i["activityId"]) for i in camunda] == [
        (str(incident["id"]), "failedExternalTask", "fee_check")]
    with ctx.uow.read() as tx:
        zcz = tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == "ZCZ")).scalar_one()
    summary = requests.get(f"{url}/api/v1/supervision/dashboard/summary", params={"unit_id": zcz},
                           headers=bearer(ctx, "zcz_supervisor"), timeout=10).json()
    assert summary["open_incidents"] == 1

    retried = requests.post(f"{url}/api/v1/incidents/{incident['id']}/retry", headers=admin, timeout=10)
    assert retried.status_code == 200 and retried.json()["incident"]["resolution"] == "retried"
    again = requests.post(f"{url}/api/v1/incidents/{incident['id']}/resolve", headers=admin,
                          json={"note": "x"}, timeout=10)
    assert again.status_code == 409 and again.json()["code"] == "incident_not_open"
    missing.write_text(json.dumps({case.number: 80}), encoding="utf-8")        # the platform is back
    assert worker.run_once() == 1
    assert states(ctx) == {case.case_id: "completed"}


def test_camunda_shaped_answers_and_errors(served):
    ctx, url = served
    case = start(ctx, "丁")
    base = f"{url}/engine-rest/external-task"
    body = {"workerId": "w", "maxTasks": 5, "usePriority": True,
            "topics": [{"topicName": TOPIC, "lockDuration": 60000, "variables": ["case"]}]}
    denied = requests.post(f"{base}/fetchAndLock", json=body, headers=basic("zcz_receiver"), timeout=10)
    assert denied.status_code == 403 and denied.json()["type"] == "AuthorizationException"
    [task] = requests.post(f"{base}/fetchAndLock", json=body, headers=basic("integration"), timeout=10).json()
    assert task["topicName"] == TOPIC and task["processInstanceId"] == str(case.case_id)
    assert task["activityId"] == "fee_check" and task["priority"] == 5 and task["workerId"] == "w"
    assert task["variables"]["case"]["type"] == "Json"
    assert json.loads(task["variables"]["case"]["value"])["number"] == case.number
    listed = requests.get(base, params={"locked": "true"}, headers=basic("integration"), timeout=10).json()
    assert [t["id"] for t in listed] == [task["id"]]
    other = requests.post(f"{base}/{task['id']}/complete", json={"workerId": "intruder"},
                          headers=basic("integration"), timeout=10)
    assert other.status_code == 409 and other.json()["lianbanCode"] == "external_task_locked_by_other"
    for bad in ({"workerId": "w", "retries": -1}, {"workerId": "w"}, {"retries": 1}):
        response = requests.post(f"{base}/{task['id']}/failure", json=bad, headers=basic("integration"), timeout=10)
        assert response.status_code == 400 and response.json()["type"] == "InvalidRequestException", bad
    bad_var = requests.post(f"{base}/{task['id']}/complete", headers=basic("integration"), timeout=10,
                            json={"workerId": "w", "variables": {"amount": {"value": "x", "type": "Integer"}}})
    assert bad_var.status_code == 400 and bad_var.json()["field"] == "variables.amount"
    for path in ("no-such/complete", "0/complete", "99999999/complete"):
        response = requests.post(f"{base}/{path}", json={"workerId": "w"}, headers=basic("integration"), timeout=10)
        assert response.status_code == 404, path
    done = requests.post(f"{base}/{task['id']}/complete", headers=basic("integration"), timeout=10,
                         json={"workerId": "w", "variables": {"amount": {"value": 50, "type": "Integer"}}})
    assert done.status_code == 204
    gone = requests.post(f"{base}/{task['id']}/unlock", headers=basic("integration"), timeout=10)
    assert gone.status_code == 404 and gone.json()["lianbanCode"] == "external_task_not_found"


def test_a_long_poll_over_http_answers_when_a_task_appears_and_a_hang_up_frees_its_thread(served):
    ctx, url = served
    ctx.settings = dataclasses.replace(ctx.settings, external_poll_seconds=0.1)
    bell = doorbell.bell_of(ctx.engine)
    body = {"workerId": "lp", "maxTasks": 5, "asyncResponseTimeout": 20_000,
            "topics": [{"topicName": TOPIC, "lockDuration": 60000}]}
    answers = []
    poller = threading.Thread(target=lambda: answers.append(requests.post(
        f"{url}/engine-rest/external-task/fetchAndLock", json=body, headers=basic("integration"), timeout=30)))
    poller.start()
    assert _until(lambda: bell.seated == 1)
    case = start(ctx, "戊")
    created = time.monotonic()
    poller.join(10)
    assert time.monotonic() - created < 1.0
    [task] = answers[0].json()
    assert task["processInstanceId"] == str(case.case_id) and task["workerId"] == "lp"

    # a client that hangs up mid-wait: the server notices within a poll and frees the seat
    payload = json.dumps(body).encode()
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port))) as raw:
        raw.sendall(b"POST /engine-rest/external-task/fetchAndLock HTTP/1.1\r\nHost: x\r\n"
                    + f"Authorization: {basic('integration')['Authorization']}\r\n".encode()
                    + b"Content-Type: application/json\r\n" + f"Content-Length: {len(payload)}\r\n\r\n".encode()
                    + payload)
        assert _until(lambda: bell.seated == 1)
    assert _until(lambda: bell.seated == 0 and bell.waiting == 0, seconds=3)

    for bad in (-1, 1_800_001, "soon"):
        refused = requests.post(f"{url}/engine-rest/external-task/fetchAndLock", headers=basic("integration"),
                                json={**body, "asyncResponseTimeout": bad}, timeout=10)
        assert refused.status_code == 400 and refused.json()["type"] == "InvalidRequestException", bad


def _until(predicate, seconds=5.0):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.02)
    return False
