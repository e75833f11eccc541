"""The clerk workbench over HTTP: the worklist and its arguments, a task's colleagues, a case's
allowed actions, and the identity checks when a case is started. Runs on both databases."""
import pytest
from sqlalchemy import select

from demo.packages import RESTAURANT_PACKAGE
from engine.services.accounts.org import add_post, add_staff, invalidate
from engine.store.models import Window
from tests.conftest import app_for, window_id
from tests.e2e.test_api import FOOD, assert_problem, auth, start
from tests.form_samples import sample


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


ITEM_KEYS = {"id", "name", "spec_id", "stage", "state", "form_key", "assignee_id", "assignee_name", "claimed_by_me",
             "can_work", "due_at", "warning", "created_at", "case_id", "case_number", "case_version", "item_code",
             "item_name", "applicant_name_masked", "applicant_id_masked", "lifecycle", "working_days_left"}


def test_the_worklist_over_http(client, demo):
    agent = auth(client, "zcz_qs_agent")
    first, second = start(client, demo, agent).json, start(client, demo, agent).json
    client.post(f"/api/v1/tasks/{first['tasks'][0]}/claim", headers=agent)
    page = client.get("/api/v1/tasks/workbench", headers=agent)
    assert page.status_code == 200, page.json
    body = page.json
    assert set(body) == {"items", "total", "page", "page_size", "counts"}
    assert (body["total"], body["page"], body["page_size"]) == (2, 1, 20)
    assert body["counts"] == {"all": 2, "mine": 1, "unclaimed": 1, "yellow": 0, "red": 0}
    item = next(i for i in body["items"] if i["id"] == first["tasks"][0])
    assert set(item) == ITEM_KEYS
    assert item["claimed_by_me"] and item["can_work"] and item["assignee_name"] == "ZCZ-QS代办员"
    assert (item["case_id"], item["case_number"]) == (first["id"], first["number"])
    assert item["applicant_name_masked"] == "张*" and item["applicant_id_masked"] == "620102********1233"
    assert item["item_name"] == "食品经营许可" and isinstance(item["working_days_left"], int)
    mine = client.get("/api/v1/tasks/workbench?scope=mine&sort=-created_at&page_size=1", headers=agent).json
    assert [i["id"] for i in mine["items"]] == [first["tasks"][0]] and mine["total"] == 1
    found = client.get(f"/api/v1/tasks/workbench?q={second['number'][-4:]}&due_before=2027-01-01", headers=agent)
    assert [i["case_id"] for i in found.json["items"]] == [second["id"]]


def test_one_task_reads_like_a_worklist_row_open_or_done(client, demo):
    agent = auth(client, "zcz_qs_agent")
    started = start(client, demo, agent).json
    task = started["tasks"][0]
    read = client.get(f"/api/v1/tasks/{task}", headers=agent)
    assert read.status_code == 200 and set(read.json) == ITEM_KEYS
    assert (read.json["case_number"], read.json["state"], read.json["can_work"]) == (started["number"], "open", True)
    client.post(f"/api/v1/tasks/{task}/claim", headers=agent)
    done = client.post(f"/api/v1/tasks/{task}/complete", headers=agent, json={"data": sample("proxy_intake")})
    assert done.status_code == 200, done.json
    after = client.get(f"/api/v1/tasks/{task}", headers=agent).json
    assert (after["state"], after["can_work"], after["claimed_by_me"]) == ("completed", False, True)
    assert_problem(client.get("/api/v1/tasks/no-such-task", headers=agent), 404, "task_not_found")
    assert_problem(client.get(f"/api/v1/tasks/{task}", headers=auth(client, "qcz_mjp_agent")), 403, "case_out_of_scope")
    assert_problem(client.get(f"/api/v1/tasks/{task}", headers=auth(client, "applicant_zhang")), 403, "actor_not_staff")


@pytest.mark.parametrize("query, field", [
    ("scope=everything", "scope"), ("card=green", "card"), ("due_before=tomorrow", "due_before"),
    ("sort=name", "sort"), ("page=0", "page"), ("page_size=0", "page_size"), ("page_size=101", "page_size"),
    ("q=" + "x" * 65, "q"), ("item_code=" + "x" * 65, "item_code"), ("page=abc", "page")])
def test_bad_worklist_arguments_name_the_field(client, demo, query, field):
    problem = assert_problem(client.get(f"/api/v1/tasks/workbench?{query}", headers=auth(client, "zcz_qs_agent")),
                             422, "request_invalid")
    assert problem["field"] == field


def test_an_applicant_has_no_worklist_and_no_colleagues(client, demo):
    agent = auth(client, "zcz_qs_agent")
    task = start(client, demo, agent).json["tasks"][0]
    zhang = auth(client, "applicant_zhang")
    assert_problem(client.get("/api/v1/tasks/workbench", headers=zhang), 403, "actor_not_staff")
    assert_problem(client.get(f"/api/v1/tasks/{task}/colleagues", headers=zhang), 403, "actor_not_staff")


def test_colleagues_over_http(client, demo):
    with demo.uow.begin() as tx:
        win = tx.conn.execute(select(Window.id).where(Window.code == "ZCZ-QS-W01")).scalar_one()
        add_post(tx, add_staff(tx, "zcz_qs_agent2", "第二代办员"), win, "agent")
    invalidate(demo)
    agent = auth(client, "zcz_qs_agent")
    task = start(client, demo, agent).json["tasks"][0]
    listed = client.get(f"/api/v1/tasks/{task}/colleagues", headers=agent)
    assert listed.status_code == 200 and listed.json == [{"username": "zcz_qs_agent2", "display_name": "第二代办员"}]
    assert_problem(client.get("/api/v1/tasks/no-such-task/colleagues", headers=agent), 404, "task_not_found")
    assert_problem(client.get(f"/api/v1/tasks/{task}/colleagues", headers=auth(client, "qcz_mjp_agent")), 403,
                   "task_not_in_your_queue")
    delegated = client.post(f"/api/v1/tasks/{task}/delegate", headers=agent, json={"to": listed.json[0]["username"]})
    assert delegated.status_code == 200


def test_a_case_lists_what_the_caller_may_do(client, demo):
    agent = auth(client, "zcz_qs_agent")
    case_id = start(client, demo, agent).json["id"]
    view = client.get(f"/api/v1/cases/{case_id}", headers=agent).json
    assert view["allowed_actions"] == ["withdraw", "return", "not_accept", "accept", "correction_notice",
                                       "upload_material", "verify_material"]
    assert client.post(f"/api/v1/cases/{case_id}/clock/accept", headers=agent).status_code == 204
    view = client.get(f"/api/v1/cases/{case_id}", headers=agent).json
    assert view["allowed_actions"] == ["withdraw", "return", "pause", "upload_material", "verify_material"]


@pytest.mark.parametrize("applicant, form, code, field", [
    ({"name": "张三", "id_number": "110105194912310029"}, {}, "id_number_invalid", "applicant.id_number"),
    ({"name": "张三", "id_number": "11010519491231002"}, {}, "id_number_invalid", "applicant.id_number"),
    ({"name": "张三", "id_number": "110105194902300020"}, {}, "id_number_invalid", "applicant.id_number"),
    ({"name": "张三", "phone": "12345678901"}, {}, "phone_invalid", "applicant.phone"),
    ({"name": "张三", "mobile": "1380000123"}, {}, "phone_invalid", "applicant.mobile"),
    ({"name": "张三"}, {"phone": "0931-1234567"}, "phone_invalid", "form.phone"),
])
def test_starting_a_case_checks_the_applicants_identity(client, demo, applicant, form, code, field):
    agent = auth(client, "zcz_qs_agent")
    body = {"item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "proxy", "applicant": applicant,
            "form": {**sample("apply_food_licence"), **form}}
    problem = assert_problem(client.post("/api/v1/cases", headers=agent, json=body), 422, code)
    assert problem["field"] == field
    package = client.post(f"/api/v1/packages/{RESTAURANT_PACKAGE.code}/cases", headers=agent, json={
        "window_id": body["window_id"], "channel": "proxy", "applicant": applicant,
        "form": {**sample("apply_hygiene_licence", business_scope=["热食类食品制售"]), **form}})
    assert (assert_problem(package, 422, code)["field"]) == field
    ok = client.post("/api/v1/cases", headers=agent, json={
        **body, "applicant": {"name": "张三", "id_number": "11010519491231002X", "phone": "13800001234"},
        "form": sample("apply_food_licence")})
    assert ok.status_code == 201, ok.json
