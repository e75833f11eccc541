"""Lianban's own external-task API (/api/v1/external-tasks) on SQLite and PostgreSQL: a worker
fetches, extends, fails, completes and throws in Lianban's style; operators list with filters and
paging, read one task and the per-topic counts within their scope; every bad request is a
problem+json with a code and this API's field name, and changes nothing."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from api import create_app
from engine.services import cases
from engine.services.accounts import auth
from engine.store.models import ExternalTask
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files

TOPIC = "fee-payment-check"
BASE = "/api/v1/external-tasks"


@pytest.fixture
def api(demo):
    deploy_files(demo, FIXTURES / "fee_payment_check.bpmn")
    add_item(demo, "TEST-FEE", "fee_payment_check")
    return demo, create_app(context=demo).test_client()


def start(ctx, window="ZCZ-W01", receiver="zcz_receiver", name="甲"):
    return cases.start_case(ctx, cases.StartCase("TEST-FEE", window_id(ctx, window), {"name": name}),
                            staff(ctx, receiver))


def auth_for(ctx, username):
    return {"Authorization": "Bearer " + auth.create_service_token(ctx, username, "e2e")}


def fetch_body(worker="w1", **extra):
    return {"worker_id": worker, "max_tasks": 5,
            "topics": [{"topic": TOPIC, "lock_duration_ms": 60_000, "variables": ["case"]}], **extra}


def problem(response, status, code, field=None):
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["code"] == code, body
    if field is not None:
        assert body.get("field") == field, body
    return body


def test_a_worker_fetches_fails_and_completes_and_operators_follow_it(api, clock):
    ctx, client = api
    worker = auth_for(ctx, "integration")
    first, second = start(ctx, name="甲"), start(ctx, name="乙")
    fetched = client.post(f"{BASE}/fetch-and-lock", json=fetch_body(), headers=worker)
    assert fetched.status_code == 200
    items = fetched.get_json()["items"]
    assert [t["case_id"] for t in items] == [first.case_id, second.case_id]
    assert items[0]["worker_id"] == "w1" and items[0]["variables"]["case"]["number"] == first.number
    assert set(items[0]["variables"]) == {"case"}
    one, two = items[0]["id"], items[1]["id"]

    ext = client.post(f"{BASE}/{one}/extend-lock", json={"worker_id": "w1", "new_duration_ms": 120_000},
                      headers=worker)
    assert ext.status_code == 204
    failed = client.post(f"{BASE}/{two}/failure", headers=worker, json={
        "worker_id": "w1", "error_message": "支付平台不可达", "error_details": "Traceback ...", "retries": 2,
        "retry_timeout_ms": 30_000})
    assert failed.status_code == 204

    supervisor = auth_for(ctx, "zcz_supervisor")
    listed = client.get(BASE, query_string={"topic": TOPIC, "state": "open"}, headers=supervisor).get_json()
    assert listed["total"] == 2 and [t["id"] for t in listed["items"]] == [one, two]
    by_id = {t["id"]: t for t in listed["items"]}
    assert (by_id[one]["locked"], by_id[one]["lock_owner"], by_id[one]["case_number"]) == (True, "w1", first.number)
    assert (by_id[two]["locked"], by_id[two]["lock_owner"], by_id[two]["retries"]) == (False, None, 2)
    assert "error_details" not in by_id[two]
    assert [t["id"] for t in client.get(BASE, query_string={"locked": "true"}, headers=supervisor)
            .get_json()["items"]] == [one]
    assert [t["id"] for t in client.get(BASE, query_string={"worker": "w1"}, headers=supervisor)
            .get_json()["items"]] == [one]
    assert [t["id"] for t in client.get(BASE, query_string={"retries": 2}, headers=supervisor)
            .get_json()["items"]] == [two]
    paged = client.get(BASE, query_string={"page": 2, "page_size": 1}, headers=supervisor).get_json()
    assert (paged["total"], [t["id"] for t in paged["items"]]) == (2, [two])
    shown = client.get(f"{BASE}/{two}", headers=supervisor).get_json()
    assert (shown["error_message"], shown["error_details"]) == ("支付平台不可达", "Traceback ...")
    [topic] = client.get(f"{BASE}/topics", headers=supervisor).get_json()["items"]
    assert (topic["topic"], topic["open"], topic["locked"], topic["backing_off"], topic["available"],
            topic["workers"]) == (TOPIC, 2, 1, 1, 0, 1)

    done = client.post(f"{BASE}/{one}/complete", json={"worker_id": "w1", "variables": {"paid": True,
                                                                                         "amount": 100}},
                       headers=worker)
    assert done.status_code == 200
    assert done.get_json()["case_id"] == first.case_id and done.get_json()["status"] == "running"
    clock.advance(timedelta(seconds=31))                          # the retry timeout has passed
    [again] = client.post(f"{BASE}/fetch-and-lock", json=fetch_body("w2"), headers=worker).get_json()["items"]
    assert (again["id"], again["retries"], again["error_message"]) == (two, 2, "支付平台不可达")
    thrown = client.post(f"{BASE}/{two}/bpmn-error", json={"worker_id": "w2", "error_code": "FEE_UNPAID"},
                         headers=worker)
    assert thrown.status_code == 200
    states = client.get(BASE, query_string={"case_id": second.case_id}, headers=worker).get_json()["items"]
    assert [t["state"] for t in states] == ["bpmn_error"]
    completed = client.get(BASE, query_string={"state": "completed"}, headers=worker).get_json()["items"]
    assert [(t["id"], t["completed_by"]) for t in completed] == [(one, "w1")]


def test_an_incident_shows_on_the_task_and_filters_it(api):
    ctx, client = api
    worker = auth_for(ctx, "integration")
    start(ctx)
    [task] = client.post(f"{BASE}/fetch-and-lock", json=fetch_body(), headers=worker).get_json()["items"]
    client.post(f"{BASE}/{task['id']}/failure", json={"worker_id": "w1", "error_message": "down", "retries": 0},
                headers=worker)
    admin = auth_for(ctx, "admin")
    [row] = client.get(BASE, query_string={"has_incident": "true"}, headers=admin).get_json()["items"]
    assert row["id"] == task["id"] and row["incident_id"] and row["retries"] == 0
    assert client.get(BASE, query_string={"has_incident": "false"}, headers=admin).get_json()["total"] == 0
    [topic] = client.get(f"{BASE}/topics", headers=admin).get_json()["items"]
    assert (topic["out_of_retries"], topic["available"]) == (1, 0)


def test_who_may_do_what(api):
    ctx, client = api
    start(ctx)
    clerk, sup_out = auth_for(ctx, "zcz_receiver"), auth_for(ctx, "qcz_supervisor")
    problem(client.post(f"{BASE}/fetch-and-lock", json=fetch_body(), headers=clerk), 403, "role_required")
    problem(client.get(BASE, headers=clerk), 403, "role_required")
    problem(client.post(f"{BASE}/fetch-and-lock", json=fetch_body(), headers=auth_for(ctx, "zcz_supervisor")),
            403, "role_required")
    [task] = client.post(f"{BASE}/fetch-and-lock", json=fetch_body(), headers=auth_for(ctx, "admin")) \
        .get_json()["items"]
    assert client.get(BASE, headers=sup_out).get_json()["total"] == 0        # another subtree: not listed
    problem(client.get(f"{BASE}/{task['id']}", headers=sup_out), 404, "external_task_not_found", "id")
    assert client.get(f"{BASE}/topics", headers=sup_out).get_json()["items"] == []
    assert client.get(f"{BASE}/{task['id']}", headers=auth_for(ctx, "designer")).status_code == 200
    assert client.get(BASE).status_code == 401


def test_bad_requests_are_refused_with_their_field_and_change_nothing(api):
    ctx, client = api
    worker = auth_for(ctx, "integration")
    start(ctx)
    [task] = client.post(f"{BASE}/fetch-and-lock", json=fetch_body(), headers=worker).get_json()["items"]
    tid = task["id"]
    before = row_counts(ctx)
    with ctx.uow.read() as tx:
        row_before = tx.conn.execute(select(ExternalTask).where(ExternalTask.id == tid)).one()

    problem(client.post(f"{BASE}/99999999/complete", json={"worker_id": "w1"}, headers=worker), 404,
            "external_task_not_found", "id")
    problem(client.get(f"{BASE}/99999999", headers=worker), 404, "external_task_not_found", "id")
    problem(client.post(f"{BASE}/{tid}/complete", json={"worker_id": "intruder"}, headers=worker), 409,
            "external_task_locked_by_other", "worker_id")
    problem(client.post(f"{BASE}/{tid}/extend-lock", json={"worker_id": "intruder", "new_duration_ms": 1000},
                        headers=worker), 409, "external_task_locked_by_other", "worker_id")
    for bad, field in ((-1, "async_response_timeout_ms"), (60_001, "async_response_timeout_ms"),
                       (10 ** 12, "async_response_timeout_ms"), ("soon", "async_response_timeout_ms")):
        problem(client.post(f"{BASE}/fetch-and-lock", json=fetch_body(async_response_timeout_ms=bad),
                            headers=worker), 422, "request_invalid", field)
    problem(client.post(f"{BASE}/fetch-and-lock", json={**fetch_body(), "topics": [
        {"topic": TOPIC, "lock_duration_ms": -5}]}, headers=worker), 422, "request_invalid",
        "topics.0.lock_duration_ms")
    problem(client.post(f"{BASE}/fetch-and-lock", json={**fetch_body(), "topics": []}, headers=worker), 422,
            "request_invalid", "topics")
    problem(client.post(f"{BASE}/fetch-and-lock", json={**fetch_body(), "worker_id": "   "}, headers=worker), 422,
            "worker_id_required", "worker_id")
    problem(client.post(f"{BASE}/{tid}/failure", json={"worker_id": "w1", "retries": -1}, headers=worker), 422,
            "request_invalid", "retries")
    problem(client.post(f"{BASE}/{tid}/failure", json={"worker_id": "w1", "retries": 1, "retry_timeout_ms": -1},
                        headers=worker), 422, "request_invalid", "retry_timeout_ms")
    problem(client.post(f"{BASE}/{tid}/extend-lock", json={"worker_id": "w1", "new_duration_ms": 0},
                        headers=worker), 422, "request_invalid", "new_duration_ms")
    problem(client.post(f"{BASE}/{tid}/bpmn-error", json={"worker_id": "w1", "error_code": ""}, headers=worker),
            422, "request_invalid", "error_code")
    problem(client.post(f"{BASE}/{tid}/complete", json={"worker_id": "w1", "variables": {"typename": "x"}},
                        headers=worker), 422, "data_reserved_key")
    problem(client.post(f"{BASE}/{tid}/complete", json={"worker_id": "w1", "variables": {"big": "x" * 70_000}},
                        headers=worker), 413, "variables_too_large", "variables")
    problem(client.get(BASE, query_string={"page_size": 0}, headers=worker), 422, "request_invalid", "page_size")
    problem(client.get(BASE, query_string={"state": "lost"}, headers=worker), 422, "request_invalid", "state")
    assert row_counts(ctx) == before
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(ExternalTask).where(ExternalTask.id == tid)).one() == row_before


def test_an_expired_lock_cannot_be_extended(api, clock):
    ctx, client = api
    worker = auth_for(ctx, "integration")
    start(ctx)
    body = {**fetch_body(), "topics": [{"topic": TOPIC, "lock_duration_ms": 1000}]}
    [task] = client.post(f"{BASE}/fetch-and-lock", json=body, headers=worker).get_json()["items"]
    clock.advance(timedelta(seconds=2))
    problem(client.post(f"{BASE}/{task['id']}/extend-lock", json={"worker_id": "w1", "new_duration_ms": 1000},
                        headers=worker), 409, "external_task_lock_expired", "id")
    unlocked = client.post(f"{BASE}/{task['id']}/unlock", headers=worker)
    assert unlocked.status_code == 204
    [again] = client.post(f"{BASE}/fetch-and-lock", json=fetch_body("w2"), headers=worker).get_json()["items"]
    assert again["id"] == task["id"] and again["worker_id"] == "w2"
