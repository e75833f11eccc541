"""Bad input over HTTP on both databases: JSON nested too deep and text with a NUL character get a
4xx with a code and the offending field, never a 500, and nothing is written."""
import io

import pytest

from engine.domain.input_limits import MAX_JSON_DEPTH
from engine.services import tasks as task_service
from tests.conftest import ROOT, app_for, row_counts, snapshot, window_id
from tests.e2e.test_api import FOOD, assert_problem, auth, start
from tests.form_samples import sample

PDF = b"%PDF-1.7\n% scan\n%%EOF\n"


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def problem(response, status, code, field=None):
    body = assert_problem(response, status, code)
    assert body.get("field") == field, body
    return body


def camunda(response, status, code, field=None):
    """/engine-rest answers in Camunda's shape (api/engine_rest_errors.py), with Lianban's code beside it."""
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.json
    assert body["type"] and body["message"] and body["lianbanCode"] == code and body.get("field") == field, body
    return body


def nested(depth: int, leaf: str = "1") -> str:
    """A JSON value `depth` objects deep: {"a":{"a":...1...}}."""
    return '{"a":' * depth + leaf + "}" * depth


def post_json(client, path, text, headers=None):
    return client.post(path, data=text, content_type="application/json", headers=headers or {})


def test_deep_json_is_refused_before_any_route_even_without_a_token(client, demo):
    before = row_counts(demo)
    problem(post_json(client, "/api/v1/auth/login", "[" * 1100 + "]" * 1100), 422, "json_too_deep")
    problem(post_json(client, "/api/v1/auth/login", nested(1100)), 422, "json_too_deep")
    # the limit itself: 64 levels are read (and refused by the schema), 65 are not
    at_limit = '{"username": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + ', "password": "x"}'
    problem(post_json(client, "/api/v1/auth/login", at_limit), 422, "request_invalid", "username")
    problem(post_json(client, "/api/v1/auth/login", at_limit.replace("[", "[[", 1).replace("]", "]]", 1)),
            422, "json_too_deep")
    # brackets inside strings are text, not nesting
    text = '{"username": "admin", "password": "' + "[{" * 100 + '"}'
    problem(post_json(client, "/api/v1/auth/login", text), 401, "login_failed")
    # only the one login that was read and failed counts towards throttling (its account and its
    # address: docs/security.md); the refused bodies wrote nothing
    after = row_counts(demo)
    assert after.pop("login_throttle") == before.pop("login_throttle") + 2
    assert after == before


def test_a_deep_value_inside_a_valid_body_never_reaches_the_engine(client, demo, monkeypatch):
    agent = auth(client, "zcz_qs_agent")
    started = start(client, demo, agent)
    assert started.status_code == 201
    task_id = started.json["tasks"][0]
    before = snapshot(demo)
    ran = []
    monkeypatch.setattr(task_service, "complete", lambda *a, **k: ran.append(a))
    for depth in (MAX_JSON_DEPTH, 300, 1100):        # 300 parses in Python; the sandbox must not see it either
        body = '{"data": {"note": ' + nested(depth) + "}}"
        problem(post_json(client, f"/api/v1/tasks/{task_id}/complete", body, agent), 422, "json_too_deep")
    form = '{"item_code": "%s", "window_id": %d, "applicant": {"name": "张三"}, "form": {"x": %s}}' % (
        FOOD, window_id(demo, "ZCZ-QS-W01"), nested(200))
    problem(post_json(client, "/api/v1/cases", form, agent), 422, "json_too_deep")
    assert ran == [] and snapshot(demo) == before


def test_nul_in_a_path_is_not_found(client, demo):
    admin = auth(client, "admin")
    before = row_counts(demo)
    problem(client.post("/api/v1/tasks/%00/claim", headers=admin), 404, "not_found", "task_id")
    problem(client.get("/api/v1/service-items/a%00b", headers=admin), 404, "not_found", "code")
    problem(client.get("/api/v1/forms/x%00", headers=admin), 404, "not_found", "key")
    problem(client.get("/api/v1/packages/a%00", headers=admin), 404, "not_found", "code")
    problem(client.get("/api/v1/catalogue/items/a%00b"), 404, "not_found", "code")      # public: no token
    assert row_counts(demo) == before


def test_nul_in_query_json_and_headers_is_refused_with_the_field(client, demo):
    agent = auth(client, "zcz_qs_agent")
    before = row_counts(demo)
    problem(client.get("/api/v1/cases?item_code=a%00", headers=agent), 422, "nul_character", "item_code")
    problem(client.get("/api/v1/catalogue/items?keyword=%00"), 422, "nul_character", "keyword")
    problem(client.post("/api/v1/auth/login", json={"username": "a\x00", "password": "x"}),
            422, "nul_character", "username")
    body = {"item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "proxy",
            "applicant": {"name": "张\x00三"}, "form": sample("apply_food_licence")}
    problem(client.post("/api/v1/cases", headers=agent, json=body), 422, "nul_character", "applicant.name")
    body["applicant"]["name"] = "张三"
    body["form"]["items"] = ["x", {"k\x00": 1}]
    problem(client.post("/api/v1/cases", headers=agent, json=body), 422, "nul_character", "form.items[1].k\x00")
    assert row_counts(demo) == before
    task_id = start(client, demo, agent).json["tasks"][0]
    before = snapshot(demo)
    problem(client.post(f"/api/v1/tasks/{task_id}/complete", headers=agent,
                        json={"data": sample("proxy_intake", note="a\x00")}), 422, "nul_character", "data.note")
    problem(client.post(f"/api/v1/tasks/{task_id}/complete", headers={**agent, "Idempotency-Key": "k\x00"},
                        json={"data": sample("proxy_intake")}), 422, "nul_character", "Idempotency-Key")
    camunda(client.post("/engine-rest/deployment/create", headers={"Authorization": "Basic ZGVzaWduZXIAOng="}),
            401, "credentials_malformed")            # designer\x00:x
    assert snapshot(demo) == before


def _file(content: bytes, name: str):
    return io.BytesIO(content), name, "application/octet-stream"


def test_nul_in_an_uploaded_file_name_is_refused_and_nothing_stored(client, demo):
    agent, designer, zhang = auth(client, "zcz_qs_agent"), auth(client, "designer"), auth(client, "applicant_zhang")
    case_id = start(client, demo, agent).json["id"]
    before = row_counts(demo)
    r = client.post(f"/api/v1/cases/{case_id}/materials/M01/upload", headers=agent, content_type="multipart/form-data",
                    data={"file": _file(PDF, "scan\x00.pdf")})
    problem(r, 422, "nul_character", "file")
    r = client.post("/api/v1/vault/documents", headers=zhang, content_type="multipart/form-data",
                    data={"kind": "lease", "title": "租赁合同", "file": _file(PDF, "a\x00.pdf")})
    problem(r, 422, "nul_character", "file")
    r = client.post("/api/v1/vault/documents", headers=zhang, content_type="multipart/form-data",
                    data={"kind": "lease", "title": "租\x00赁", "file": _file(PDF, "a.pdf")})
    problem(r, 422, "nul_character", "title")
    bpmn = (ROOT / "workflows" / "food_licence.bpmn").read_bytes()
    r = client.post("/api/v1/process-definitions/deployments", headers=designer, content_type="multipart/form-data",
                    data={"files": _file(bpmn, "food\x00.bpmn")})
    problem(r, 422, "nul_character", "files")
    r = client.post("/engine-rest/deployment/create", headers=designer, content_type="multipart/form-data",
                    data={"deployment-name": "x", "data": _file(bpmn, "food\x00.bpmn")})
    camunda(r, 400, "nul_character", "data")
    r = client.post("/api/v1/process-definitions/deployments", headers=designer, content_type="multipart/form-data",
                    data={"files": _file(bpmn, "f" * 256 + ".bpmn")})        # longer than the column (a 500 on PG)
    assert problem(r, 422, "file_name_too_long")["file"].startswith("fff")
    assert row_counts(demo) == before


def test_deep_json_and_nul_inside_uploaded_files_are_refused_by_their_parsers(client, demo):
    """Files are parsed by the services (the CLI reads the same files): each parser names the file's problem."""
    admin, designer = auth(client, "admin"), auth(client, "designer")
    before = row_counts(demo)
    deep = "[" * 1100 + "]" * 1100
    r = client.post("/api/v1/calendar/notices", headers=admin, data=deep, content_type="text/plain")
    assert "nested deeper than 64 levels" in problem(r, 422, "calendar_file_invalid")["detail"]
    r = client.post("/api/v1/calendar/notices?source=x", headers=admin, content_type="text/csv",
                    data="date,kind,name\n2027-01-01,holiday,元\x00旦\n".encode())
    problem(r, 422, "nul_character", "holidays[0].name")
    r = client.post("/api/v1/catalogue/imports", headers=admin, content_type="multipart/form-data",
                    data={"file": _file(deep.encode(), "catalogue.json")})
    assert problem(r, 422, "catalogue_invalid", "file")["problems"][0]["code"] == "catalogue_json_invalid"
    r = client.post("/api/v1/catalogue/imports", headers=admin, content_type="text/csv",
                    data=f'code,materials\n11620100MB1234567E2001XK0010100,"{deep}"\n'.encode())
    found = {p["field"]: p for p in problem(r, 422, "catalogue_invalid", "basic_code")["problems"]}
    assert "nested deeper than 64 levels" in found["materials"]["message"]
    form = '{"type": "object", "x": ' + deep + "}"
    r = client.post("/api/v1/process-definitions/deployments", headers=designer, content_type="multipart/form-data",
                    data={"files": [_file((ROOT / "workflows" / "food_licence.bpmn").read_bytes(), "food_licence.bpmn"),
                                    _file(form.encode(), "proxy_intake.schema.json")]})
    assert "nested deeper than 64 levels" in problem(r, 422, "form_invalid_schema")["detail"]
    assert row_counts(demo) == before


def test_a_multipart_part_without_a_name_is_a_request_error(client, demo):
    """werkzeug names such a part None; the check and the problem's errors must cope (it was a 500)."""
    agent = auth(client, "zcz_qs_agent")
    case_id = start(client, demo, agent).json["id"]
    before = row_counts(demo)
    body = b'--b\r\nContent-Disposition: form-data; name="\r"\r\n\r\nnull\r\n--b--\r\n'
    r = client.post(f"/api/v1/cases/{case_id}/mandate", headers=agent, data=body,
                    content_type="multipart/form-data; boundary=b")
    assert problem(r, 422, "request_invalid", "scope")["errors"]["form"][""] == ["Unknown field."]
    assert row_counts(demo) == before
