"""Messages and signals over real HTTP (docs/integration.md#messages-and-signals), on both
databases: POST /api/v1/messages and /api/v1/signals for the integration account, and the
Camunda 7 POST /engine-rest/message and /engine-rest/signal with Basic credentials; every error
with its status, code and field, problem+json on /api/v1 and Camunda's shape on /engine-rest."""
import base64
import threading

import pytest
import requests
from werkzeug.serving import make_server

from api import create_app
from demo.org import DEMO_PASSWORD
from engine.services import cases
from engine.services.accounts import auth
from tests.conftest import row_counts, staff, window_id
from tests.integration.helpers import FIXTURES, add_item, deploy_files


@pytest.fixture
def http(demo):
    for name, key, code in (("message_catch", "wait_for_payment", "TEST-PAY"),
                            ("signal_catch", "wait_for_policy", "TEST-SIG")):
        deploy_files(demo, FIXTURES / f"{name}.bpmn")
        add_item(demo, code, key)
    httpd = make_server("127.0.0.1", 0, create_app(context=demo), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield demo, f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def bearer(ctx, username):
    return {"Authorization": "Bearer " + auth.create_service_token(ctx, username, "messages test")}


def basic(username):
    return {"Authorization": "Basic " + base64.b64encode(f"{username}:{DEMO_PASSWORD}".encode()).decode()}


def start(ctx, code, business_key=None):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, "XCZ-W01"), {"name": "王五"}, {},
                                                 business_key=business_key), staff(ctx, "xcz_receiver"))


def problem(response, status, code, field=None):
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == code
    if field is not None:
        assert body["field"] == field
    return body


def test_message_api_delivers_once_and_answers_the_resend(http):
    ctx, base = http
    started = start(ctx, "TEST-PAY", business_key="PAY-1")
    h = bearer(ctx, "integration")
    body = {"name": "payment_received", "message_id": "pay-http-1", "business_key": "PAY-1",
            "variables": {"amount": 88}}
    first = requests.post(f"{base}/api/v1/messages", json=body, headers=h, timeout=30)
    assert first.status_code == 200, first.text
    answer = first.json()
    assert answer["case_id"] == started.case_id and answer["case_number"] == started.number
    assert answer["caught_by"] == ["paid"] and [t["element"] for t in answer["tasks"]] == ["confirm_payment"]
    before = row_counts(ctx)
    again = requests.post(f"{base}/api/v1/messages", json=body, headers=h, timeout=30)
    assert again.status_code == 200 and again.json() == answer
    assert row_counts(ctx) == before
    problem(requests.post(f"{base}/api/v1/messages", json={**body, "variables": {"amount": 99}}, headers=h,
                          timeout=30), 409, "message_id_reused", "message_id")
    # the case's trail says who sent which message
    trail = requests.get(f"{base}/api/v1/cases/{started.case_id}/events", headers=bearer(ctx, "admin"), timeout=30)
    received = [e for e in trail.json()["events"] if e["type"] == "message_received"]
    assert len(received) == 1 and received[0]["actor"] == "integration"
    assert received[0]["payload"]["id"] == "pay-http-1" and trail.json()["intact"]


def test_message_api_refusals(http):
    ctx, base = http
    a, b = start(ctx, "TEST-PAY"), start(ctx, "TEST-PAY")
    h, clerk = bearer(ctx, "integration"), bearer(ctx, "xcz_receiver")
    url = f"{base}/api/v1/messages"
    before = row_counts(ctx)
    problem(requests.post(url, json={"name": "payment_received", "message_id": "m", "case_number": "NOPE"},
                          headers=h, timeout=30), 404, "message_not_correlated", "name")
    body = problem(requests.post(url, json={"name": "payment_received", "message_id": "m"}, headers=h, timeout=30),
                   409, "message_ambiguous", "name")
    assert sorted(body["case_ids"]) == [a.case_id, b.case_id]
    problem(requests.post(url, json={"name": "payment_received", "case_id": a.case_id}, headers=h, timeout=30),
            422, "request_invalid", "message_id")
    problem(requests.post(url, json={"name": "payment_received", "message_id": "m", "case_id": a.case_id,
                                     "variables": {"typename": 1}}, headers=h, timeout=30),
            422, "data_reserved_key", "typename")
    problem(requests.post(url, json={"name": "payment_received", "message_id": "m", "case_id": a.case_id,
                                     "variables": {"x": "y" * 70_000}}, headers=h, timeout=30),
            413, "variables_too_large", "variables")
    problem(requests.post(url, json={"name": "payment_received", "message_id": "m", "case_id": a.case_id},
                          headers=clerk, timeout=30), 403, "role_required")
    assert requests.post(url, json={"name": "payment_received", "message_id": "m"}, timeout=30).status_code == 401
    assert row_counts(ctx) == before


def test_signal_api_reaches_every_waiting_case(http):
    ctx, base = http
    ids = sorted(start(ctx, "TEST-SIG").case_id for _ in range(3))
    h = bearer(ctx, "integration")
    response = requests.post(f"{base}/api/v1/signals", json={"name": "policy_published", "signal_id": "s-1",
                                                              "variables": {"policy": "P-7"}}, headers=h, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json() == {"name": "policy_published", "signal_id": "s-1", "count": 3, "case_ids": ids,
                               "failed": []}
    again = requests.post(f"{base}/api/v1/signals", json={"name": "policy_published", "signal_id": "s-1",
                                                           "variables": {"policy": "P-7"}}, headers=h, timeout=30)
    assert again.json() == response.json()
    problem(requests.post(f"{base}/api/v1/signals", json={"name": "policy_published", "signal_id": "s-2"},
                          headers=bearer(ctx, "designer"), timeout=30), 403, "role_required")


def camunda_error(response, status, kind, code):
    assert response.status_code == status, response.text
    body = response.json()
    assert body["type"] == kind and body["lianbanCode"] == code and body["code"] == 0
    return body


def test_camunda_message_and_signal(http):
    ctx, base = http
    by_key = start(ctx, "TEST-PAY", business_key="ORDER-7")
    by_number = start(ctx, "TEST-PAY")
    url = f"{base}/engine-rest/message"
    h = basic("integration")
    # businessKey, typed processVariables, no result: 204
    r = requests.post(url, json={"messageName": "payment_received", "businessKey": "ORDER-7",
                                 "processVariables": {"paid": {"value": True, "type": "Boolean"},
                                                      "amount": {"value": 12.5, "type": "Double"}}},
                      headers=h, timeout=30)
    assert r.status_code == 204, r.text
    view = cases.get_case(ctx, by_key.case_id, staff(ctx, "admin"))
    assert view.data["paid"] is True and view.data["amount"] == 12.5
    # nothing waits any more for that business key: Camunda's mismatching-correlation error
    body = camunda_error(requests.post(url, json={"messageName": "payment_received", "businessKey": "ORDER-7"},
                                       headers=h, timeout=30), 400, "RestException", "message_not_correlated")
    assert body["message"] == ("Cannot correlate message 'payment_received': No process definition or execution "
                               "matches the parameters")
    # the correlation key caseNumber, with the result
    r = requests.post(url, json={"messageName": "payment_received", "resultEnabled": True,
                                 "correlationKeys": {"caseNumber": {"value": by_number.number, "type": "String"}}},
                      headers=h, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == [{"resultType": "Execution", "processInstance": None,
                         "execution": {"id": str(by_number.case_id), "processInstanceId": str(by_number.case_id),
                                       "ended": False, "tenantId": None}}]
    # another correlation key is a variable the waiting case must have: none has orderNo 7
    camunda_error(requests.post(url, json={"messageName": "payment_received",
                                           "correlationKeys": {"orderNo": {"value": "7", "type": "String"}}},
                                headers=h, timeout=30), 400, "RestException", "message_not_correlated")
    camunda_error(requests.post(url, json={"messageName": "payment_received",
                                           "correlationKeys": {"orderNo": {"value": {"a": 1}, "type": "Json"}}},
                                headers=h, timeout=30), 400, "InvalidRequestException", "correlation_invalid")
    # all=true: every waiting case
    two = [start(ctx, "TEST-PAY").case_id for _ in range(2)]
    body = camunda_error(requests.post(url, json={"messageName": "payment_received"}, headers=h, timeout=30),
                         400, "RestException", "message_ambiguous")
    assert "2 executions match" in body["message"]
    r = requests.post(url, json={"messageName": "payment_received", "all": True, "resultEnabled": True},
                      headers=h, timeout=30)
    assert sorted(int(x["execution"]["processInstanceId"]) for x in r.json()) == two
    camunda_error(requests.post(url, json={"messageName": "payment_received"}, headers=basic("xcz_receiver"),
                                timeout=30), 403, "AuthorizationException", "role_required")
    # signals
    waiting = [start(ctx, "TEST-SIG").case_id for _ in range(2)]
    r = requests.post(f"{base}/engine-rest/signal", json={"name": "policy_published",
                                                           "variables": {"v": {"value": 1, "type": "Integer"}}},
                      headers=h, timeout=30)
    assert r.status_code == 204, r.text
    for case_id in waiting:
        assert cases.get_case(ctx, case_id, staff(ctx, "admin")).data["v"] == 1
    camunda_error(requests.post(f"{base}/engine-rest/signal", json={"name": "x", "executionId": "5"}, headers=h,
                                timeout=30), 400, "InvalidRequestException", "signal_execution_unsupported")


def start_with(ctx, code, form):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, "XCZ-W01"), {"name": "王五"}, form),
                            staff(ctx, "xcz_receiver"))


def test_messages_correlated_by_variables_over_http(http):
    """/api/v1/messages `correlation` and `all`, and Camunda's correlationKeys /
    localCorrelationKeys: the waiting case is found by its variables."""
    ctx, base = http
    h = bearer(ctx, "integration")
    a1 = start_with(ctx, "TEST-PAY", {"order_no": "A-1", "batch": "B"})
    a2 = start_with(ctx, "TEST-PAY", {"order_no": "A-2", "batch": "B"})
    a3 = start_with(ctx, "TEST-PAY", {"order_no": "A-3", "batch": "B"})
    url = f"{base}/api/v1/messages"
    r = requests.post(url, json={"name": "payment_received", "message_id": "var-1",
                                 "correlation": {"form.order_no": "A-2"}, "variables": {"paid": True}},
                      headers=h, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["case_id"] == a2.case_id and r.json()["caught_by"] == ["paid"]
    body = problem(requests.post(url, json={"name": "payment_received", "message_id": "var-2",
                                            "correlation": {"form.batch": "B"}}, headers=h, timeout=30),
                   409, "message_ambiguous", "name")
    assert body["case_ids"] == [a1.case_id, a3.case_id]
    problem(requests.post(url, json={"name": "payment_received", "message_id": "var-3",
                                     "correlation": {"applicant.name": "王五"}}, headers=h, timeout=30),
            422, "correlation_variable_private", "correlation.applicant.name")
    problem(requests.post(url, json={"name": "payment_received", "message_id": "var-3",
                                     "correlation": {"form.order_no": ["A-1"]}}, headers=h, timeout=30),
            422, "correlation_invalid", "correlation.form.order_no")
    # Camunda: a local correlation key (the waiting task's own variables) and a process variable
    r = requests.post(f"{base}/engine-rest/message", json={
        "messageName": "payment_received", "resultEnabled": True,
        "localCorrelationKeys": {"form.order_no": {"value": "A-3", "type": "String"}}}, headers=h, timeout=30)
    assert r.status_code == 200, r.text
    assert [int(x["execution"]["processInstanceId"]) for x in r.json()] == [a3.case_id]
    # all: true reaches every match; the resend answers the same
    b = [start_with(ctx, "TEST-PAY", {"batch": "C"}).case_id for _ in range(2)]
    body = {"name": "payment_received", "message_id": "var-all", "correlation": {"form.batch": "C"}, "all": True}
    r = requests.post(url, json=body, headers=h, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 2 and r.json()["case_ids"] == b and r.json()["failed"] == []
    assert requests.post(url, json=body, headers=h, timeout=30).json() == r.json()
    problem(requests.post(url, json={**body, "message_id": "var-none"}, headers=h, timeout=30),
            404, "message_not_correlated", "name")


def test_message_start_events_over_http(http):
    """A message that is a process's message start event starts a case at the window named (the
    sender must hold a post there), once per message id; /engine-rest/message does the same with
    Camunda's variables."""
    from tests.integration.test_messages import give_post

    ctx, base = http
    deploy_files(ctx, FIXTURES / "message_start.bpmn")
    for code, key in (("TEST-MSTART", "licence_by_message"), ("TEST-TA", "transfer_a"), ("TEST-TB", "transfer_b")):
        add_item(ctx, code, key)
    h = bearer(ctx, "integration")
    url = f"{base}/api/v1/messages"
    window = window_id(ctx, "XCZ-W01")
    body = {"name": "licence_application_received", "message_id": "elic-1", "business_key": "ELIC-1",
            "window_id": window, "applicant": {"name": "赵六"}, "variables": {"licence_type": "food"}}
    problem(requests.post(url, json={k: v for k, v in body.items() if k != "window_id"}, headers=h, timeout=30),
            422, "window_required", "window_id")
    problem(requests.post(url, json={k: v for k, v in body.items() if k != "applicant"}, headers=h, timeout=30),
            422, "applicant_required", "applicant")
    problem(requests.post(url, json=body, headers=h, timeout=30), 403, "window_not_yours", "window_id")
    give_post(ctx, "integration")
    before = row_counts(ctx)["case"]
    r = requests.post(url, json=body, headers=h, timeout=30)
    assert r.status_code == 200, r.text
    answer = r.json()
    assert answer["started"] is True and answer["business_key"] == "ELIC-1"
    assert [t["element"] for t in answer["tasks"]] == ["check_application"]
    assert requests.post(url, json=body, headers=h, timeout=30).json() == answer      # no second case
    assert row_counts(ctx)["case"] == before + 1
    body = problem(requests.post(url, json={"name": "transfer_in", "message_id": "tr-1", "window_id": window,
                                            "applicant": {"name": "赵六"}}, headers=h, timeout=30),
                   409, "message_start_ambiguous", "name")
    assert body["process_keys"] == ["transfer_a", "transfer_b"]
    # Camunda: windowId and applicantName are the case's, not its variables
    camunda = f"{base}/engine-rest/message"
    camunda_error(requests.post(camunda, json={"messageName": "licence_application_received"}, headers=h,
                                timeout=30), 400, "InvalidRequestException", "window_required")
    r = requests.post(camunda, json={
        "messageName": "licence_application_received", "businessKey": "ELIC-2", "resultEnabled": True,
        "processVariables": {"windowId": {"value": window, "type": "Integer"},
                             "applicantName": {"value": "钱七", "type": "String"},
                             "licence_type": {"value": "drug", "type": "String"}}}, headers=h, timeout=30)
    assert r.status_code == 200, r.text
    [result] = r.json()
    assert result["resultType"] == "ProcessDefinition" and result["processInstance"]["businessKey"] == "ELIC-2"
    case = cases.get_case(ctx, int(result["processInstance"]["id"]), staff(ctx, "admin"))
    assert case.data["licence_type"] == "drug" and "windowId" not in case.data
