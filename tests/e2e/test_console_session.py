"""The console's session over real HTTP semantics (Flask's client keeps cookies like a browser):
an HttpOnly, SameSite=Strict cookie, a CSRF token every change must carry, a public probe, a
logout that revokes; bearer tokens unaffected."""
from datetime import timedelta

import pytest

from api import create_app
from demo.org import DEMO_PASSWORD
from tests.e2e.test_api import FOOD, assert_problem, auth
from tests.conftest import app_for, window_id
from tests.form_samples import sample


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def log_in(client, username="zcz_qs_agent"):
    answer = client.post("/api/v1/auth/session", json={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.json
    return answer


def start_body(demo):
    return {"item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "proxy",
            "applicant": {"name": "张三", "id_number": "620102199001011233"}, "form": sample("apply_food_licence")}


def test_the_session_cookie_is_httponly_strict_and_never_in_the_body(client):
    answer = log_in(client)
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("lb_session=lb_") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/" in cookie and "Max-Age=43200" in cookie
    assert "lb_" not in answer.get_data(as_text=True)                 # the token itself is not readable
    assert len(answer.json["csrf_token"]) == 64
    assert answer.json["user"]["username"] == "zcz_qs_agent" and answer.json["user"]["csrf_token"] == answer.json[
        "csrf_token"]


def test_a_change_with_the_cookie_needs_the_csrf_token(client, demo):
    csrf = log_in(client).json["csrf_token"]
    assert client.get("/api/v1/tasks").status_code == 200                # reading needs no token
    assert_problem(client.post("/api/v1/cases", json=start_body(demo)), 403, "csrf_failed")
    assert_problem(client.post("/api/v1/cases", json=start_body(demo), headers={"X-CSRF-Token": "0" * 64}),
                   403, "csrf_failed")
    other = log_in(create_app(context=demo).test_client(), "zcz_reviewer").json["csrf_token"]
    assert_problem(client.post("/api/v1/cases", json=start_body(demo), headers={"X-CSRF-Token": other}),
                   403, "csrf_failed")                                   # another session's token
    with demo.uow.read() as tx:
        assert tx.conn.exec_driver_sql("SELECT count(*) FROM \"case\"").scalar() == 0   # nothing written
    started = client.post("/api/v1/cases", json=start_body(demo), headers={"X-CSRF-Token": csrf})
    assert started.status_code == 201, started.json


def test_a_bearer_token_needs_no_csrf_token(client, demo):
    assert client.post("/api/v1/cases", json=start_body(demo), headers=auth(client, "zcz_qs_agent")).status_code == 201


def test_the_probe_is_public_and_says_who_is_logged_in(client):
    assert client.get("/api/v1/auth/session").json == {"user": None}
    csrf = log_in(client).json["csrf_token"]
    user = client.get("/api/v1/auth/session").json["user"]
    assert user["username"] == "zcz_qs_agent" and user["csrf_token"] == csrf and user["kind"] == "staff"
    assert user["posts"][0]["org_unit_name"] == "清水村" and user["posts"][0]["role"] == "agent"
    assert client.get("/api/v1/auth/me").json["csrf_token"] == csrf


def test_logging_out_revokes_the_token_and_clears_the_cookie(client):
    answer = log_in(client)
    csrf = answer.json["csrf_token"]
    token = answer.headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    assert_problem(client.delete("/api/v1/auth/session"), 403, "csrf_failed")
    out = client.delete("/api/v1/auth/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204 and "lb_session=;" in out.headers["Set-Cookie"]
    assert client.get("/api/v1/auth/session").json == {"user": None}
    assert_problem(client.get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"}), 401, "token_invalid")


def test_an_expired_cookie_is_no_session(client, clock):
    log_in(client)
    clock.advance(timedelta(hours=13))
    assert client.get("/api/v1/auth/session").json == {"user": None}
    assert_problem(client.get("/api/v1/tasks"), 401, "token_expired")


def test_a_wrong_password_sets_no_cookie(client):
    answer = client.post("/api/v1/auth/session", json={"username": "zcz_qs_agent", "password": "wrong"})
    assert_problem(answer, 401, "login_failed")
    assert "Set-Cookie" not in answer.headers
