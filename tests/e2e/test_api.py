"""The HTTP API through the Flask test client: authentication, the clerk's day (inbox, claim,
complete with Idempotency-Key), deployment (API and Camunda Modeler's endpoint), errors as
problem+json, and an authorization matrix of role x endpoint x scope. Runs on both databases."""
import base64
import io
import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from demo.org import DEMO_PASSWORD
from engine.store.models import Event, OrgUnit
from tests.conftest import ROOT, app_for, row_counts, window_id
from tests.form_samples import sample
from tests.integration.helpers import FIXTURES

FOOD = "620100-XK-SCJG-0001"


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def token(client, username, password=DEMO_PASSWORD):
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.json
    return r.json["token"]


def auth(client, username):
    return {"Authorization": f"Bearer {token(client, username)}"}


def start(client, demo, headers, window="ZCZ-QS-W01"):
    return client.post("/api/v1/cases", headers=headers, json={
        "item_code": FOOD, "window_id": window_id(demo, window), "channel": "proxy",
        "applicant": {"name": "张三", "id_number": "620102199001011233"},
        "form": sample("apply_food_licence", shop_name="面馆")})


def assert_problem(response, status, code):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    assert response.json["code"] == code
    return response.json


def test_login_me_logout_and_expiry(client, demo, clock):
    assert_problem(client.post("/api/v1/auth/login", json={"username": "zcz_qs_agent", "password": "nope"}),
                   401, "login_failed")
    assert_problem(client.post("/api/v1/auth/login", json={"username": "ghost", "password": "x"}), 401, "login_failed")
    assert_problem(client.get("/api/v1/tasks"), 401, "token_missing")
    headers = auth(client, "zcz_qs_agent")
    me = client.get("/api/v1/auth/me", headers=headers).json
    assert me["kind"] == "staff" and [p["role"] for p in me["posts"]] == ["agent"]
    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert_problem(client.get("/api/v1/auth/me", headers=headers), 401, "token_invalid")
    headers = auth(client, "zcz_qs_agent")
    clock.advance(timedelta(hours=13))
    assert_problem(client.get("/api/v1/auth/me", headers=headers), 401, "token_expired")


def test_a_clerks_day_over_http(client, demo):
    agent = auth(client, "zcz_qs_agent")
    started = start(client, demo, agent)
    assert started.status_code == 201
    case_id, [task_id] = started.json["id"], started.json["tasks"]
    inbox = client.get("/api/v1/tasks", headers=agent).json
    assert [t["id"] for t in inbox] == [task_id]
    assert client.post(f"/api/v1/tasks/{task_id}/claim", headers=agent).json["assignee_id"] is not None
    assert_problem(client.post(f"/api/v1/tasks/{task_id}/claim", headers=agent), 409, "task_already_claimed")
    key = {"Idempotency-Key": "req-1", **agent}
    received = {"data": sample("proxy_intake", note="已收件")}
    first = client.post(f"/api/v1/tasks/{task_id}/complete", headers=key, json=received)
    again = client.post(f"/api/v1/tasks/{task_id}/complete", headers=key, json=received)
    assert first.status_code == again.status_code == 200 and first.json == again.json
    with demo.uow.read() as tx:
        completed = tx.conn.execute(select(func.count()).select_from(Event)
                                    .where(Event.case_id == case_id, Event.type == "task_completed")).scalar()
    assert completed == 1
    changed = {"data": sample("proxy_intake", note="改")}
    assert_problem(client.post(f"/api/v1/tasks/{task_id}/complete", headers=key, json=changed),
                   409, "idempotency_key_reused")
    assert_problem(client.post(f"/api/v1/tasks/{task_id}/complete", headers=agent, json={"data": {}}),
                   409, "task_not_open")
    case = client.get(f"/api/v1/cases/{case_id}", headers=agent).json
    assert case["applicant_id_masked"] == "620102********1233" and "620102199001011233" not in json.dumps(case)
    trail = client.get(f"/api/v1/cases/{case_id}/events", headers=agent).json
    assert trail["intact"] and trail["events"][0]["type"] == "case_started"
    first = trail["events"][0]                                  # the display name rides beside the chain
    assert (first["actor"], first["actor_name"]) == ("zcz_qs_agent", "ZCZ-QS代办员")
    reviewer = auth(client, "zcz_reviewer")
    [review] = client.get("/api/v1/tasks", headers=reviewer).json
    stale = client.post(f"/api/v1/tasks/{review['id']}/complete", headers=reviewer,
                        json={"data": {"complete": True}, "version": case["version"] - 1})
    assert_problem(stale, 409, "case_version_conflict")


def test_bad_requests_are_problems_naming_the_field(client, demo):
    agent = auth(client, "zcz_qs_agent")
    bad = client.post("/api/v1/cases", headers=agent, json={"item_code": FOOD, "window_id": 1, "applicant": {}})
    assert assert_problem(bad, 422, "request_invalid")["field"] == "applicant.name"
    started = start(client, demo, agent).json
    typename = client.post(f"/api/v1/tasks/{started['tasks'][0]}/complete", headers=agent,
                           json={"data": {"typename": "x"}})
    assert assert_problem(typename, 422, "data_reserved_key")["field"] == "typename"
    assert_problem(client.post("/api/v1/tasks/nope/claim", headers=agent), 404, "task_not_found")
    assert_problem(client.get("/api/v1/cases/999999", headers=agent), 404, "case_not_found")
    assert_problem(client.get("/api/v1/nowhere", headers=agent), 404, "not_found")
    assert_problem(client.get("/api/v1/calendar/deadline?from=2026-09-30", headers=agent), 422, "limit_required")
    ok = client.get("/api/v1/calendar/deadline?from=2026-09-30&workdays=5", headers=agent).json
    assert ok["date"] == "2026-10-13" and ok["provisional"] is False


def _files(*paths_or_pairs):
    out = {"files": []}
    for item in paths_or_pairs:
        name, content = (item.name, item.read_bytes()) if hasattr(item, "read_bytes") else item
        out["files"].append((io.BytesIO(content), name))
    return out


def test_deploy_validate_download_and_camunda_modeler_endpoint(client, demo):
    designer = auth(client, "designer")
    bpmn = (ROOT / "workflows" / "elderly_allowance.bpmn").read_text(encoding="utf-8")
    changed = bpmn.replace("窗口收件", "窗口收件（新）")
    r = client.post("/api/v1/process-definitions/deployments", headers=designer,
                    data={"name": "v2", **_files(("elderly_allowance.bpmn", changed.encode()))},
                    content_type="multipart/form-data")
    assert r.status_code == 201 and r.json["processes"][0]["version"] == 2
    definition_id = r.json["processes"][0]["definition_id"]
    source = client.get(f"/api/v1/process-definitions/{definition_id}/source", headers=designer)
    assert source.mimetype == "application/xml" and "窗口收件（新）" in source.get_data(as_text=True)
    bad = client.post("/api/v1/process-definitions/validate", headers=designer,
                      data=_files(("x.bpmn", changed.replace("township:receiver", "township:janitor").encode())),
                      content_type="multipart/form-data")
    problem = assert_problem(bad, 422, "routing_unknown_role")
    assert problem["element"] == "township_receive" and problem["file"] == "x.bpmn"
    basic = base64.b64encode(f"designer:{DEMO_PASSWORD}".encode()).decode()
    camunda = client.post("/engine-rest/deployment/create", headers={"Authorization": f"Basic {basic}"},
                          data={"deployment-name": "from modeler", "deployment-source": "Camunda Modeler",
                                **_files(("elderly_allowance.bpmn", changed.replace("（新）", "（三）").encode()))},
                          content_type="multipart/form-data")
    assert camunda.status_code == 200 and list(camunda.json["deployedProcessDefinitions"].values())[0]["version"] == 3
    refused = client.post("/engine-rest/deployment/create", data=_files(ROOT / "workflows" / "food_licence.bpmn"),
                          content_type="multipart/form-data")      # Camunda-shaped (test_engine_rest.py)
    assert refused.status_code == 401 and refused.json["type"] == "AuthenticationException"
    assert refused.json["lianbanCode"] == "token_missing"
    big = client.post("/api/v1/process-definitions/deployments", headers=designer,
                      data=_files(("big.bpmn", b" " * (11 * 1024 * 1024))), content_type="multipart/form-data")
    assert_problem(big, 413, "payload_too_large")


def test_validate_is_deploys_dry_run(client, demo):
    """One code path: validate runs every check deploy runs (here the departments, which it once
    skipped), answers what deploy would answer and writes nothing."""
    designer = auth(client, "designer")

    def post(action, content, name="food_licence.bpmn"):
        return client.post(f"/api/v1/process-definitions/{action}", headers=designer,
                           data=_files((name, content)), content_type="multipart/form-data")

    before = row_counts(demo)
    misrouted = (FIXTURES / "misrouted.bpmn").read_text(encoding="utf-8").replace("@civil", "@nosuchdept").encode()
    checked, refused = (assert_problem(post(action, misrouted, "x.bpmn"), 422, "routing_unknown_department")
                        for action in ("validate", "deployments"))
    assert (checked["element"], checked["file"]) == (refused["element"], refused["file"]) == ("civil_review", "x.bpmn")
    source = (ROOT / "workflows" / "food_licence.bpmn").read_bytes()
    changed = source.replace("代办收件".encode(), "代办收件（新版）".encode())
    for content, version, created in ((source, 1, False), (changed, 2, True), (changed, 2, False)):
        preview = post("validate", content)
        assert preview.status_code == 200 and row_counts(demo) == before
        done = post("deployments", content)
        assert done.status_code == 201
        [would], [did] = preview.json["processes"], done.json["processes"]
        assert (would["key"], would["version"], would["created"]) == ("food_licence", version, created)
        assert would == {**did, "definition_id": None if created else did["definition_id"]}
        assert would["user_tasks"] == did["user_tasks"] > 0
        before = row_counts(demo)


def test_the_public_network_summary_shows_units_by_tier_and_no_person(client, demo):
    answer = client.get("/api/v1/catalogue/network")           # no token: the landing page is public
    assert answer.status_code == 200
    body = answer.json
    assert body["tiers"]["district"] == 1 and body["tiers"]["village"] >= 2
    assert body["published_items"] >= 20 and body["cases"] == 0
    assert {"code", "name", "tier", "depth"} == set(body["units"][0]) and body["units"][0]["depth"] == 0
    assert "兰州新区" in answer.get_data(as_text=True)


def test_every_page_path_answers_with_the_console_and_its_security_headers(client, demo):
    for path in ("/", "/guide", "/guide/X-1", "/login", "/console", "/console/cases/1", "/portal", "/portal/vault"):
        page = client.get(path)
        assert page.status_code == 200, path
        assert '<div id="app"></div>' in page.get_data(as_text=True)
        policy = page.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy and "unsafe-eval" not in policy
        assert page.headers["X-Frame-Options"] == "DENY" and page.headers["X-Content-Type-Options"] == "nosniff"
    api = client.get("/api/v1/catalogue/items")
    assert api.headers["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert api.headers["X-Content-Type-Options"] == "nosniff"
    assert "X-Frame-Options" not in api.headers             # frame-ancestors says it for data
    docs = client.get("/api/docs")
    assert "script-src 'self' 'unsafe-inline'" in docs.headers["Content-Security-Policy"]
    missing = client.get("/nowhere")                       # errors (problem+json) carry them too
    assert missing.status_code == 404 and missing.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/api/v1/tasks").headers["Content-Security-Policy"].startswith("default-src 'none'")


def _unit(demo, code):
    with demo.uow.read() as tx:
        return tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


# who may do what: (account, action, expected status). The case is received at 中川镇清水村.
MATRIX = [
    ("admin", "read_case", 200), ("designer", "read_case", 403), ("zcz_qs_agent", "read_case", 200),
    ("qcz_mjp_agent", "read_case", 403), ("zcz_supervisor", "read_case", 200), ("qcz_supervisor", "read_case", 403),
    ("lzxq_supervisor", "read_case", 200), ("applicant_zhang", "read_case", 403),
    ("zcz_qs_agent", "audit", 200), ("qcz_mjp_agent", "audit", 403),
    ("zcz_qs_agent", "claim", 200), ("qcz_mjp_agent", "claim", 403), ("designer", "claim", 403),
    ("applicant_zhang", "claim", 403), ("zcz_supervisor", "claim", 403),
    ("zcz_supervisor", "supervise_zcz", 200), ("qcz_supervisor", "supervise_zcz", 403),
    ("lzxq_supervisor", "supervise_zcz", 200), ("zcz_qs_agent", "supervise_zcz", 403), ("admin", "supervise_zcz", 200),
    ("designer", "deploy", 201), ("admin", "deploy", 201), ("zcz_qs_agent", "deploy", 403),
    ("lzxq_supervisor", "deploy", 403), ("applicant_zhang", "deploy", 403),
    ("admin", "load_calendar", 201), ("designer", "load_calendar", 403), ("lzxq_supervisor", "load_calendar", 403),
    ("zcz_qs_agent", "start_here", 201), ("qcz_mjp_agent", "start_here", 403), ("designer", "start_here", 403),
]


@pytest.mark.parametrize("account, action, expected", MATRIX)
def test_authorization_matrix(client, demo, account, action, expected):
    owner = auth(client, "zcz_qs_agent")
    started = start(client, demo, owner).json
    headers = auth(client, account)
    if action == "read_case":
        r = client.get(f"/api/v1/cases/{started['id']}", headers=headers)
    elif action == "audit":
        r = client.get(f"/api/v1/cases/{started['id']}/events", headers=headers)
    elif action == "claim":
        r = client.post(f"/api/v1/tasks/{started['tasks'][0]}/claim", headers=headers)
    elif action == "supervise_zcz":
        r = client.get(f"/api/v1/supervision/cases?unit_id={_unit(demo, 'ZCZ')}", headers=headers)
    elif action == "deploy":
        changed = (ROOT / "workflows" / "elderly_allowance.bpmn").read_bytes().replace("审核".encode(), "复核".encode())
        r = client.post("/api/v1/process-definitions/deployments", headers=headers,
                        data=_files(("elderly_allowance.bpmn", changed)), content_type="multipart/form-data")
    elif action == "load_calendar":
        r = client.post("/api/v1/calendar/notices", headers=headers,
                        data=(ROOT / "docs" / "examples" / "calendar-2027-hypothetical.json").read_bytes(),
                        content_type="application/json")
    else:
        r = start(client, demo, headers)
    assert r.status_code == expected, (account, action, r.get_data(as_text=True))
    if expected == 403:
        assert r.mimetype == "application/problem+json" and r.json["code"]


def test_applicants_see_their_own_cases_only(client, demo):
    applicant = auth(client, "applicant_zhang")
    mine = client.post("/api/v1/cases", headers=applicant, json={
        "item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "online",
        "applicant": {"name": "张三"}, "form": sample("apply_food_licence")})
    assert mine.status_code == 201
    assert_problem(client.post("/api/v1/cases", headers=applicant, json={
        "item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "window",
        "applicant": {"name": "张三"}}), 422, "channel_not_allowed")
    start(client, demo, auth(client, "zcz_qs_agent"))                    # somebody else's case
    listed = client.get("/api/v1/cases", headers=applicant).json
    assert [c["id"] for c in listed] == [mine.json["id"]]
    assert listed[0]["lifecycle"] == "received"            # my cases show the state without a read each
    assert client.get(f"/api/v1/cases/{mine.json['id']}", headers=applicant).status_code == 200


def test_openapi_declares_security_and_docs_are_local(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/auth/login"]["post"]["security"] == []
    for path in ("/api/v1/tasks/{task_id}/complete", "/api/v1/cases", "/engine-rest/deployment/create",
                 "/api/v1/supervision/cases", "/api/v1/calendar/notices", "/api/v1/process-definitions/deployments"):
        assert path in spec["paths"], path
    page = client.get("/api/docs").get_data(as_text=True)
    assert "/api/docs/assets/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    assert client.get("/api/docs/assets/swagger-ui-bundle.js").status_code == 200


def test_return_delegate_and_withdraw_over_http(client, demo):
    agent = auth(client, "zcz_qs_agent")
    started = start(client, demo, agent).json
    [intake] = started["tasks"]
    client.post(f"/api/v1/tasks/{intake}/complete", headers=agent, json={"data": sample("proxy_intake")})
    reviewer = auth(client, "zcz_reviewer")
    [review] = client.get("/api/v1/tasks", headers=reviewer).json
    assert_problem(client.post(f"/api/v1/tasks/{review['id']}/return", headers=reviewer, json={}), 422,
                   "request_invalid")
    back = client.post(f"/api/v1/tasks/{review['id']}/return", headers=reviewer, json={"reason": "材料不清"})
    assert back.status_code == 200 and back.json["next_tasks"] == [intake]
    assert_problem(client.post(f"/api/v1/tasks/{intake}/delegate", headers=agent, json={"to": "qcz_mjp_agent"}),
                   403, "delegate_not_eligible")
    assert client.post(f"/api/v1/cases/{started['id']}/withdraw", headers=agent,
                       json={"reason": "申请人撤回"}).status_code == 204
    assert client.get(f"/api/v1/cases/{started['id']}", headers=agent).json["status"] == "withdrawn"
    assert_problem(client.post(f"/api/v1/tasks/{intake}/complete", headers=agent, json={"data": {}}), 409,
                   "case_not_running")


def test_concurrent_claims_over_http_exactly_one_wins(client, demo):
    import threading
    started = start(client, demo, auth(client, "zcz_qs_agent")).json
    task = started["tasks"][0]
    app = client.application
    headers = auth(client, "zcz_qs_agent")
    barrier, statuses = threading.Barrier(6), []

    def claim():
        c = app.test_client()
        barrier.wait()
        statuses.append(c.post(f"/api/v1/tasks/{task}/claim", headers=headers).status_code)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert sorted(statuses) == [200] + [409] * 5


def test_service_items(client):
    headers = auth(client, "zcz_qs_agent")
    items = client.get("/api/v1/service-items", headers=headers).json
    assert {i["local_code"] for i in items} >= {FOOD}
    food = client.get(f"/api/v1/service-items/{FOOD}", headers=headers).json
    assert (food["legal_limit"], food["promise_limit"], food["process_key"]) == (20, 10, "food_licence")
    assert_problem(client.get("/api/v1/service-items/NOPE", headers=headers), 404, "item_not_found")


def test_form_errors_are_problems_with_one_entry_per_field(client, demo):
    agent = auth(client, "zcz_qs_agent")
    [intake] = start(client, demo, agent).json["tasks"]
    form = client.get(f"/api/v1/tasks/{intake}/form", headers=agent).json
    assert form["key"] == "proxy_intake" and "mandate_no" in form["schema"]["required"]
    bad = client.post(f"/api/v1/tasks/{intake}/complete", headers=agent, json={"data": {"mandate_no": "x"}})
    body = assert_problem(bad, 422, "form_invalid")
    assert body["field"] == "data.agent_name"
    assert {(e["field"], e["validator"]) for e in body["errors"]} == {
        ("data.agent_name", "required"), ("data.materials_received", "required"), ("data.mandate_no", "pattern")}
    start_bad = client.post("/api/v1/cases", headers=agent, json={
        "item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "proxy",
        "applicant": {"name": "张三"}, "form": sample("apply_food_licence", business_scope=["卖车"])})
    assert assert_problem(start_bad, 422, "form_invalid")["errors"][0]["field"] == "form.business_scope.0"
    assert client.get("/api/v1/forms/apply_food_licence", headers=agent).json["schema"]["title"] == "食品经营许可申请表"
    assert_problem(client.get("/api/v1/forms/decide.form", headers=agent), 404, "form_not_found")


def test_validating_a_deployment_checks_its_forms_too(client, demo):
    import io

    from tests.integration.test_forms import bpmn
    designer = auth(client, "designer")
    files = {"files": [(io.BytesIO(bpmn('camunda:formKey="probe"')), "probe.bpmn"),
                       (io.BytesIO(b'{"type": "object", "required": 5}'), "probe.schema.json")]}
    body = assert_problem(client.post("/api/v1/process-definitions/validate", headers=designer, data=files,
                                      content_type="multipart/form-data"), 422, "form_invalid_schema")
    assert body["file"] == "probe.schema.json"
    ok = {"files": [(io.BytesIO(bpmn('camunda:formKey="review"')), "probe.bpmn")]}
    assert client.post("/api/v1/process-definitions/validate", headers=designer, data=ok,
                       content_type="multipart/form-data").status_code == 200
