"""Camunda Modeler's Camunda 7 tools against Lianban over real HTTP, with the requests the Modeler
sends (client/src/plugins/camunda-plugin/shared/CamundaAPI.js in camunda/camunda-modeler): the
connection check (GET /deployment?maxResults=0), GET /version, the deploy form (deployment-name,
deployment-source, enable-duplicate-filtering, a file part named after the diagram) and starting an
instance (businessKey and typed variables), with Basic or Bearer credentials. Errors are
Camunda-shaped here and problem+json everywhere else. One demo database (SQLite) for the module:
nothing here depends on the database."""
import base64
import json
import re
import threading
from datetime import datetime, timezone

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from api import create_app
from demo.loader import load_demo
from demo.org import DEMO_PASSWORD
from engine.config import Settings
from engine.domain.clock import FrozenClock
from engine.services import cases
from engine.services.accounts import auth
from engine.services.calendar import seed_from_package
from engine.services.context import Context
from engine.store.models import Case, Deployment, DeploymentResource
from engine.store.schema import upgrade
from tests.conftest import ROOT, staff, window_id
from tests.form_samples import sample

FOOD = "620100-XK-SCJG-0001"          # a published food licence item the demo clerk receives
CAMUNDA_DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d{4}$")
PARSE_ERROR = "ENGINE-09005 Could not parse BPMN process."      # what the Modeler looks for


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    ctx = Context.create(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('engine-rest') / 'rest.db'}"),
                         clock=FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)))
    upgrade(ctx.engine)
    seed_from_package(ctx)
    load_demo(ctx, ROOT / "workflows")
    httpd = make_server("127.0.0.1", 0, create_app(context=ctx), threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield ctx, f"http://127.0.0.1:{httpd.server_port}/engine-rest"
    httpd.shutdown()
    ctx.dispose()


def basic(username: str, password: str = DEMO_PASSWORD) -> dict:
    """The headers the Modeler sends with username and password (CamundaAPI.getHeaders)."""
    return {"accept": "application/json",
            "authorization": "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()}


def bearer(ctx, username: str) -> dict:
    return {"accept": "application/json",
            "authorization": "Bearer " + auth.create_service_token(ctx, username, "modeler")}


def diagram(name: str, tag: str, *replacements) -> bytes:
    text = (ROOT / "workflows" / name).read_text(encoding="utf-8").replace("窗口收件", "窗口收件" + tag)
    text = text.replace("乡镇初审", "乡镇初审" + tag)
    for old, new in replacements:
        text = text.replace(old, new)
    return text.encode()


def modeler_deploy(base: str, headers: dict, diagram_name: str, contents: bytes, name: str = "my deployment",
                   tenant: str | None = None, duplicate_filtering: str = "true") -> requests.Response:
    """CamundaAPI.deployDiagram: the form parts in its order, the diagram as a text/xml blob named after it."""
    parts = [("deployment-name", (None, name)), ("deployment-source", (None, "Camunda Modeler")),
             ("enable-duplicate-filtering", (None, duplicate_filtering))]
    if tenant:
        parts.append(("tenant-id", (None, tenant)))
    parts.append((diagram_name, (diagram_name, contents, "text/xml")))
    return requests.post(f"{base}/deployment/create", headers=headers, files=parts, timeout=30)


def camunda_error(response: requests.Response, status: int, kind: str, code: str | None = None) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    body = response.json()
    assert body["type"] == kind and body["message"] and body["code"] == 0, body
    if code:
        assert body["lianbanCode"] == code, body
    return body


def count(ctx, table) -> int:
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(func.count()).select_from(table)).scalar_one()


def test_connection_check_version_and_authentication(server):
    ctx, base = server
    check = requests.get(f"{base}/deployment?maxResults=0", headers=basic("designer"), timeout=10)
    assert check.status_code == 200 and check.json() == []
    version = requests.get(f"{base}/version", headers=basic("designer"), timeout=10)
    assert version.status_code == 200 and version.json() == {"version": "7.20.0"}
    listed = requests.get(f"{base}/deployment?sortBy=id&sortOrder=desc&maxResults=1",
                          headers=bearer(ctx, "designer"), timeout=10).json()
    assert len(listed) == 1 and listed[0]["name"] == "demo workflows" and listed[0]["tenantId"] is None
    assert CAMUNDA_DATE.match(listed[0]["deploymentTime"])
    missing = requests.get(f"{base}/deployment?maxResults=0", timeout=10)
    assert "Basic" in missing.headers["WWW-Authenticate"] and "Bearer" in missing.headers["WWW-Authenticate"]
    assert "Basic" in camunda_error(missing, 401, "AuthenticationException", "token_missing")["message"]
    camunda_error(requests.get(f"{base}/deployment?maxResults=0", headers=basic("designer", "wrong"), timeout=10),
                  401, "AuthenticationException", "login_failed")
    camunda_error(requests.get(f"{base}/deployment?maxResults=-1", headers=basic("designer"), timeout=10),
                  400, "InvalidRequestException", "request_invalid")
    camunda_error(requests.get(f"{base}/deployment/abc", headers=basic("designer"), timeout=10),
                  404, "InvalidRequestException", "deployment_not_found")
    # Basic credentials are for /engine-rest only, and the rest of the API keeps problem+json
    other = requests.get(base.replace("/engine-rest", "/api/v1/cases"), headers=basic("designer"), timeout=10)
    assert other.status_code == 401 and other.headers["Content-Type"] == "application/problem+json"


def test_the_modelers_window_may_read_the_answers_and_no_web_page_may(server):
    """The Modeler's window is a file page: its calls may be cross-origin to the browser engine."""
    ctx, base = server
    preflight = requests.options(f"{base}/deployment/create", timeout=10, headers={
        "Origin": "file://", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 200 and preflight.headers["Access-Control-Allow-Origin"] == "file://"
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    refused = requests.get(f"{base}/deployment?maxResults=0", headers={"Origin": "null"}, timeout=10)
    assert refused.status_code == 401 and refused.headers["Access-Control-Allow-Origin"] == "null"  # readable
    elsewhere = requests.get(f"{base}/version", headers={**basic("designer"), "Origin": "https://example.org"},
                             timeout=10)
    assert elsewhere.status_code == 200 and "Access-Control-Allow-Origin" not in elsewhere.headers


def test_deploy_as_the_modeler_does_with_duplicate_filtering(server):
    ctx, base = server
    contents = diagram("elderly_allowance.bpmn", "（模型器）")
    first = modeler_deploy(base, basic("designer"), "elderly_allowance.bpmn", contents, name="高龄津贴")
    assert first.status_code == 200, first.text
    body = first.json()
    deployment_id = body["id"]
    assert deployment_id.isdigit() and body["name"] == "高龄津贴" and body["source"] == "Camunda Modeler"
    assert body["tenantId"] is None and CAMUNDA_DATE.match(body["deploymentTime"])
    assert body["links"] == [{"method": "GET", "href": f"{base}/deployment/{deployment_id}", "rel": "self"}]
    [(definition_id, definition)] = body["deployedProcessDefinitions"].items()
    assert re.fullmatch(r"elderly_allowance:2:\d+", definition_id)
    assert definition["id"] == definition_id and definition["key"] == "elderly_allowance"
    assert definition["version"] == 2 and definition["deploymentId"] == deployment_id
    assert definition["resource"] == "elderly_allowance.bpmn" and definition["name"] and definition["tenantId"] is None
    assert body["deployedDecisionDefinitions"] is None
    deployments = count(ctx, Deployment)

    again = modeler_deploy(base, bearer(ctx, "designer"), "elderly_allowance.bpmn", contents, name="高龄津贴")
    assert again.status_code == 200 and again.json()["id"] == deployment_id
    assert again.json()["deployedProcessDefinitions"] is None            # nothing new deployed
    assert count(ctx, Deployment) == deployments

    one = requests.get(f"{base}/deployment/{deployment_id}", headers=basic("designer"), timeout=10).json()
    assert {k: one[k] for k in ("id", "name", "source", "deploymentTime", "tenantId")} == {
        k: body[k] for k in ("id", "name", "source", "deploymentTime", "tenantId")}
    by_name = requests.get(f"{base}/deployment", params={"name": "高龄津贴"}, headers=basic("designer"), timeout=10)
    assert [d["id"] for d in by_name.json()] == [deployment_id]
    like = requests.get(f"{base}/deployment", params={"nameLike": "高龄%", "firstResult": 0, "maxResults": 5},
                        headers=basic("designer"), timeout=10)
    assert [d["id"] for d in like.json()] == [deployment_id]
    assert requests.get(f"{base}/deployment/count", headers=basic("designer"), timeout=10).json() == {
        "count": deployments}

    changed = modeler_deploy(base, basic("designer"), "elderly_allowance.bpmn",
                             diagram("elderly_allowance.bpmn", "（第三版）"), name="高龄津贴",
                             duplicate_filtering="false")
    assert changed.status_code == 200 and changed.json()["id"] != deployment_id
    assert [d["version"] for d in changed.json()["deployedProcessDefinitions"].values()] == [3]


def test_tenants_and_clerks_are_refused_and_nothing_is_written(server):
    ctx, base = server
    before = count(ctx, Deployment)
    contents = diagram("elderly_allowance.bpmn", "（租户）")
    camunda_error(modeler_deploy(base, basic("designer"), "elderly_allowance.bpmn", contents, tenant="tenant-1"),
                  400, "InvalidRequestException", "tenant_not_supported")
    later = requests.post(f"{base}/deployment/create", headers=basic("designer"), timeout=30, files=[
        ("deployment-activation-time", (None, "2026-12-01T00:00:00.000+0800")),
        ("elderly_allowance.bpmn", ("elderly_allowance.bpmn", contents, "text/xml"))])
    camunda_error(later, 400, "InvalidRequestException", "activation_time_not_supported")
    refused = camunda_error(modeler_deploy(base, basic("zcz_qs_agent"), "elderly_allowance.bpmn", contents),
                            403, "AuthorizationException", "role_required")
    assert refused["userId"] == "zcz_qs_agent"
    camunda_error(modeler_deploy(base, {"accept": "application/json"}, "elderly_allowance.bpmn", contents),
                  401, "AuthenticationException")
    assert count(ctx, Deployment) == before


def test_an_invalid_diagram_is_a_parse_exception_naming_each_element(server):
    ctx, base = server
    before = count(ctx, Deployment)
    bad = diagram("food_licence.bpmn", "（坏）", ("township:reviewer", "township:janitor"),
                  ("district:issuer", "district:nobody"))
    body = camunda_error(modeler_deploy(base, basic("designer"), "food_licence.bpmn", bad),
                         400, "ParseException", "routing_unknown_role")
    assert body["message"].startswith(PARSE_ERROR)
    lines = [line for line in body["message"].splitlines() if line.startswith("* ")]
    assert len(lines) == 2
    assert "element township_pre_review" in lines[0] and "township:janitor" in lines[0]
    assert "element issue_licence" in lines[1] and "district:nobody" in lines[1]
    errors = body["details"]["food_licence.bpmn"]["errors"]
    assert [e["mainElementId"] for e in errors] == ["township_pre_review", "issue_licence"]
    assert all(e["line"] > 0 and e["elementIds"] == [e["mainElementId"]] for e in errors)
    broken = camunda_error(modeler_deploy(base, basic("designer"), "broken.bpmn", b"<bpmn:definitions"),
                           400, "ParseException")
    assert broken["message"].startswith(PARSE_ERROR) and "broken.bpmn" in broken["message"]
    assert count(ctx, Deployment) == before


def _variables(**extra) -> dict:
    """What a Modeler user types into the start dialog's variables field: Camunda typed variables."""
    form = sample("apply_food_licence")
    variables = {name: {"value": value, "type": "String"} for name, value in form.items() if isinstance(value, str)}
    variables.update({
        "business_area": {"value": form["business_area"], "type": "Double"},
        "business_scope": {"value": json.dumps(form["business_scope"], ensure_ascii=False), "type": "Json"},
        "amount": {"value": 10, "type": "Integer"}, "urgent": {"value": True, "type": "Boolean"},
        "reference": {"value": 2 ** 40, "type": "Long"},
        "received_on": {"value": "2026-11-27T09:00:00.000+0800", "type": "Date"},
        "itemCode": {"value": FOOD, "type": "String"}, "applicantName": {"value": "张三", "type": "String"},
        "channel": {"value": "proxy", "type": "String"}})
    variables.update(extra)
    return variables


def test_start_an_instance_as_the_modeler_does(server):
    ctx, base = server
    deployed = modeler_deploy(base, basic("designer"), "food_licence.bpmn", diagram("food_licence.bpmn", "（启动）"))
    [definition_id] = deployed.json()["deployedProcessDefinitions"]
    clerk = basic("zcz_qs_agent")
    started = requests.post(f"{base}/process-definition/{definition_id}/start", headers=clerk, timeout=30,
                            json={"businessKey": "order-1", "variables": _variables(), "withVariablesInReturn": True})
    assert started.status_code == 200, started.text
    instance = started.json()
    assert instance["definitionId"] == definition_id and instance["businessKey"] == "order-1"
    assert instance["ended"] is False and instance["suspended"] is False and instance["tenantId"] is None
    assert instance["links"][0]["href"] == f"{base}/process-instance/{instance['id']}"
    assert instance["variables"]["amount"] == {"value": 10, "type": "Integer", "valueInfo": {}}
    case_id = int(instance["id"])
    with ctx.uow.read() as tx:
        row = tx.conn.execute(select(Case.business_key, Case.applicant_name, Case.channel, Case.origin_window_id)
                              .where(Case.id == case_id)).one()
    assert tuple(row) == ("order-1", "张三", "proxy", window_id(ctx, "ZCZ-QS-W01"))    # the clerk's own window
    form = cases.get_case(ctx, case_id, staff(ctx, "zcz_qs_agent")).data["form"]
    assert form["amount"] == 10 and form["urgent"] is True and form["reference"] == 2 ** 40
    assert form["business_area"] == 120.5 and form["business_scope"] == ["热食类食品制售"]
    assert form["received_on"] == "2026-11-27T09:00:00+08:00"
    assert not {"itemCode", "applicantName", "channel"} & set(form)          # how to start, not what was filed

    read = requests.get(instance["links"][0]["href"], headers=clerk, timeout=10)       # the self link
    assert read.status_code == 200 and {k: read.json()[k] for k in ("id", "definitionId", "businessKey", "ended")} == {
        k: instance[k] for k in ("id", "definitionId", "businessKey", "ended")}
    camunda_error(requests.get(instance["links"][0]["href"], headers=basic("qcz_mjp_agent"), timeout=10), 403,
                  "AuthorizationException")                    # a clerk of another township may not read it
    camunda_error(requests.get(f"{base}/process-instance/x1", headers=clerk, timeout=10), 404,
                  "InvalidRequestException", "case_not_found")

    by_key = requests.post(f"{base}/process-definition/key/food_licence/start", headers=bearer(ctx, "zcz_qs_agent"),
                           json={"businessKey": "order-2", "variables": _variables()}, timeout=30)
    assert by_key.status_code == 200 and by_key.json()["definitionId"] == definition_id
    assert "variables" not in by_key.json()


def test_a_start_that_cannot_be_mapped_is_refused_and_starts_nothing(server):
    ctx, base = server
    clerk = basic("zcz_qs_agent")
    before = count(ctx, Case)

    def start(path="key/food_licence", headers=clerk, **body):
        return requests.post(f"{base}/process-definition/{path}/start", headers=headers, json=body, timeout=30)

    bad = camunda_error(start(variables=_variables(amount={"value": "ten", "type": "Integer"})), 400,
                        "InvalidRequestException", "variable_invalid")
    assert bad["field"] == "variables.amount" and "Integer" in bad["message"]
    camunda_error(start(variables=_variables(amount={"value": 2 ** 31, "type": "Integer"})), 400,
                  "InvalidRequestException", "variable_invalid")
    camunda_error(start(variables=_variables(received_on={"value": "yesterday", "type": "Date"})), 400,
                  "InvalidRequestException", "variable_invalid")
    camunda_error(start(variables=_variables(business_scope={"value": "[1,", "type": "Json"})), 400,
                  "InvalidRequestException", "variable_invalid")
    camunda_error(start(variables=_variables(amount={"value": 1, "type": "Money"})), 400,
                  "InvalidRequestException", "variable_type_unknown")
    camunda_error(start(variables=_variables(amount={"value": "rO0AB", "type": "Object"})), 400,
                  "InvalidRequestException", "variable_type_unsupported")
    camunda_error(start(variables=_variables(applicantName={"value": None, "type": "Null"})), 400,
                  "InvalidRequestException", "applicant_required")
    camunda_error(start(variables=_variables(itemCode={"value": "620100-XK-NONE", "type": "String"})), 400,
                  "InvalidRequestException", "item_not_of_process")
    ambiguous = {k: v for k, v in _variables().items() if k != "itemCode"}
    camunda_error(start(variables=ambiguous), 400, "InvalidRequestException", "item_ambiguous")
    camunda_error(start(variables=_variables(), tenantId="t"), 400, "InvalidRequestException", "tenant_not_supported")
    camunda_error(start(variables=_variables(), businessKey="k" * 256), 400, "InvalidRequestException")
    camunda_error(start(path="key/no_such_process", variables=_variables()), 404, "InvalidRequestException",
                  "definition_not_found")
    camunda_error(start(path="food_licence:1:999999", variables=_variables()), 404, "InvalidRequestException",
                  "definition_not_found")
    # an older version to name: this test may run alone or before the one that redeploys (workers)
    food = (ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8")
    food = food.replace("食品经营许可", "食品经营许可（新）", 1).encode()
    assert modeler_deploy(base, basic("designer"), "food_licence.bpmn", food, name="newer").status_code == 200
    with ctx.uow.read() as tx:
        first = tx.definitions.by_id(tx.definitions.latest("food_licence").id)
        older = [r for r in tx.definitions.listing() if r.key == "food_licence" and r.version < first.version][0]
    camunda_error(start(path=f"food_licence:{older.version}:{older.id}", variables=_variables()), 400,
                  "InvalidRequestException", "definition_not_latest")
    # a designer is no clerk: at a window she holds no post at, starting is forbidden as it is for POST /cases
    windowed = _variables(windowId={"value": window_id(ctx, "ZCZ-QS-W01"), "type": "Integer"})
    camunda_error(start(headers=basic("designer"), variables=windowed), 403, "AuthorizationException",
                  "window_not_yours")
    camunda_error(start(headers=basic("designer"), variables=_variables()), 400, "InvalidRequestException",
                  "window_required")
    camunda_error(start(headers={"accept": "application/json"}, variables=_variables()), 401,
                  "AuthenticationException")
    assert count(ctx, Case) == before


def test_the_openapi_description_gives_deploy_a_file_input(server):
    ctx, base = server
    spec = requests.get(base.replace("/engine-rest", "/api/v1/openapi.json"), timeout=10).json()
    files = spec["components"]["schemas"]["FilesIn"]["properties"]["files"]
    assert files["type"] == "string" and files["format"] == "binary"          # swagger-ui draws a file input
    create = spec["paths"]["/engine-rest/deployment/create"]["post"]["requestBody"]["content"]["multipart/form-data"]
    assert create["schema"]["properties"]["data"] == {**create["schema"]["properties"]["data"],
                                                      "type": "string", "format": "binary"}
    for path in ("/engine-rest/version", "/engine-rest/deployment", "/engine-rest/deployment/{id}",
                 "/engine-rest/process-instance/{id}",
                 "/engine-rest/process-definition/{id}/start",
                 "/engine-rest/process-definition/key/{key}/start"):
        assert path in spec["paths"], path


def test_a_diagram_and_its_decision_table_deploy_together(server):
    """Camunda Modeler deploys a .bpmn with the .dmn its business rule task names as two file parts
    of one deployment/create (tests/fixtures/camunda/); a hostile DMN cell is a ParseException
    naming the rule, and nothing is written."""
    ctx, base = server
    folder = ROOT / "tests" / "fixtures" / "camunda"
    bpmn, dmn = (folder / "camunda_permit.bpmn").read_bytes(), (folder / "camunda_permit.dmn").read_bytes()

    def deploy(dmn_content: bytes) -> requests.Response:
        return requests.post(f"{base}/deployment/create", headers=basic("designer"), timeout=30, files=[
            ("deployment-name", (None, "permit")), ("deployment-source", (None, "Camunda Modeler")),
            ("camunda_permit.bpmn", ("camunda_permit.bpmn", bpmn, "text/xml")),
            ("camunda_permit.dmn", ("camunda_permit.dmn", dmn_content, "text/xml"))])

    before = count(ctx, Deployment)
    hostile = dmn.replace(b"<text>form.amount</text>", b"<text>form.getClass().forName('os')</text>")
    body = camunda_error(deploy(hostile), 400, "ParseException", "juel_unsupported")
    assert "in_amount" not in body["message"] and "permit_tier" in body["message"]   # the decision, not the column
    assert count(ctx, Deployment) == before
    deployed = deploy(dmn)
    assert deployed.status_code == 200, deployed.text
    [definition] = deployed.json()["deployedProcessDefinitions"].values()
    assert definition["key"] == "camunda_permit" and definition["resource"] == "camunda_permit.bpmn"
    with ctx.uow.read() as tx:
        stored = tx.conn.execute(select(DeploymentResource.name, DeploymentResource.kind).where(
            DeploymentResource.deployment_id == int(deployed.json()["id"]))).all()
    assert sorted(map(tuple, stored)) == [("camunda_permit.bpmn", "bpmn"), ("camunda_permit.dmn", "dmn")]
    assert count(ctx, Deployment) == before + 1
