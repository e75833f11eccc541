"""A process's start schedule over real HTTP (docs/camunda-bpmn.md#timer-start-events), on both
databases: a designer deploys a diagram with a timer start event (the answer warns that it is
inactive), activates it naming a window, the scheduler's sweep starts a case at the due time, and
the case is read like any other; bad requests get their status, code and field and change nothing.
The `lianban fire-timers` sweep reports the scheduled cases it started."""
import threading
from datetime import timedelta

import pytest
import requests
from werkzeug.serving import make_server

from api import create_app
from demo.org import DEMO_PASSWORD
from engine.services import start_schedules
from tests.conftest import row_counts, window_id
from tests.e2e.test_cli import lianban
from tests.e2e.test_cli_failures import ready  # noqa: F401 - a fixture
from tests.e2e.test_cli_failures import env  # noqa: F401 - a fixture
from tests.integration.helpers import FIXTURES, add_item

URL = "/api/v1/process-definitions/site_inspection/start-schedule"


@pytest.fixture
def http(demo):
    httpd = make_server("127.0.0.1", 0, create_app(context=demo), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield demo, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def login(base, username):
    r = requests.post(base + "/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}, timeout=10)
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["token"]}


def problem(response, status, code, field=None):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code and (field is None or body["field"] == field), body
    return body


def test_deploy_activate_fire_and_read_the_case(http, clock):
    ctx, base = http
    designer = login(base, "designer")
    source = (FIXTURES / "schedule" / "inspection_hourly.bpmn").read_bytes()
    r = requests.post(base + "/api/v1/process-definitions/deployments", headers=designer, data={"name": "inspection"},
                      files={"files": ("inspection_hourly.bpmn", source)}, timeout=30)
    assert r.status_code == 201, r.text
    assert [(w["code"], w["element"]) for w in r.json()["warnings"]] == [("timer_start_inactive", "every_hour")]
    add_item(ctx, "TEST-INSPECT", "site_inspection")
    r = requests.get(base + URL, headers=designer, timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "inactive"
    r = requests.put(base + URL, headers=designer, json={"active": True, "window_id": window_id(ctx, "XCZ-W01")},
                     timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["next_due_at"].startswith("2026-11-27T02:00:00")
    clock.advance(timedelta(hours=1, seconds=1))
    assert start_schedules.fire_due(ctx) == 1
    [run] = requests.get(base + URL, headers=designer, timeout=10).json()["runs"]
    clerk = login(base, "xcz_receiver")
    case = requests.get(base + f"/api/v1/cases/{run['case_id']}", headers=clerk, timeout=10)
    assert case.status_code == 200, case.text
    assert case.json()["applicant_name"] == "系统（定时启动）" and case.json()["status"] == "running"


def test_bad_requests_are_refused_with_their_code(http):
    ctx, base = http
    designer = login(base, "designer")
    source = (FIXTURES / "schedule" / "inspection_hourly.bpmn").read_bytes()
    requests.post(base + "/api/v1/process-definitions/deployments", headers=designer, data={"name": "inspection"},
                  files={"files": ("inspection_hourly.bpmn", source)}, timeout=30)
    add_item(ctx, "TEST-INSPECT", "site_inspection")
    clerk = login(base, "xcz_receiver")
    before = row_counts(ctx)
    put = lambda body, who=designer, url=URL: requests.put(base + url, headers=who, json=body, timeout=10)  # noqa: E731
    problem(put({"active": True}), 422, "start_schedule_window_required", "window_id")
    problem(put({"active": True, "window_id": 999999}), 404, "window_not_found", "window_id")
    problem(put({"active": "yes", "window_id": 1}), 422, "request_invalid")
    problem(put({"active": True, "window_id": 0}), 422, "request_invalid")
    problem(put({"window_id": window_id(ctx, "XCZ-W01")}), 422, "request_invalid")
    problem(put({"active": True, "window_id": window_id(ctx, "XCZ-W01")}, who=clerk),
            403, "role_required")
    problem(put({"active": True, "window_id": window_id(ctx, "XCZ-W01")},
                url="/api/v1/process-definitions/nothing_here/start-schedule"), 404, "start_schedule_not_found", "key")
    problem(requests.get(base + URL, timeout=10), 401, "token_missing")
    assert row_counts(ctx) == before


def test_the_fire_timers_command_reports_scheduled_cases(ready):  # noqa: F811 - the fixture
    result = lianban(ready, "fire-timers")
    assert result.returncode == 0, result.stderr
    assert "started 0 scheduled case(s)" in result.stdout
