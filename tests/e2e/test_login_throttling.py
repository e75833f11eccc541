"""Login throttling over HTTP (engine/services/accounts/throttle.py, docs/security.md): per account
name and per client address, on the token login, the cookie session and HTTP Basic; lockouts in
the database (a second app instance on the same database refuses too), exponential, audited, and
lifted by an administrator over HTTP or the CLI. Both databases."""
import base64
import dataclasses
from datetime import timedelta

import pytest

from api import create_app
from demo.org import DEMO_PASSWORD
from engine.services.context import Context
from tests.conftest import app_for
from tests import cli_process
from tests.e2e.test_api import assert_problem, auth

LOGIN = "/api/v1/auth/login"
WRONG = {"username": "zcz_qs_agent", "password": "wrong-password"}
RIGHT = {"username": "zcz_qs_agent", "password": DEMO_PASSWORD}


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def from_address(client, address):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def fail(client, times, body=WRONG, path=LOGIN):
    for _ in range(times):
        assert_problem(client.post(path, json=body), 401, "login_failed")


def system_events(ctx, kind):
    with ctx.uow.read() as tx:
        return [e for e in tx.events.of_stream("system") if e["type"] == kind]


def test_five_failures_lock_the_account_even_for_the_right_password(client, demo):
    fail(client, 5)
    locked = client.post(LOGIN, json=RIGHT)
    problem = assert_problem(locked, 429, "login_throttled")
    assert locked.headers["Retry-After"] == "900" and problem["retry_after"] == 900
    assert_problem(client.post("/api/v1/auth/session", json=RIGHT), 429, "login_throttled")   # the cookie login too
    [event] = system_events(demo, "login_locked")
    assert event["payload"]["scope"] == "account" and event["payload"]["subject"] == "zcz_qs_agent"
    assert event["payload"]["address"] == "127.0.0.1" and event["payload"]["lockout"] == 1
    assert event["actor"] == "system:login-throttle"
    with demo.uow.read() as tx:
        assert tx.events.broken_at("system") is None
    # another user from the same address is not locked by her name
    assert client.post(LOGIN, json={"username": "zcz_reviewer", "password": DEMO_PASSWORD}).status_code == 200


def test_the_lockout_is_seen_by_another_process_on_the_same_database(client, demo):
    fail(client, 5)
    other = Context.create(demo.settings, clock=demo.clock)
    try:
        assert_problem(create_app(context=other).test_client().post(LOGIN, json=RIGHT), 429, "login_throttled")
    finally:
        other.dispose()


def test_lockouts_double_and_a_window_that_passed_starts_afresh(client, demo, clock):
    fail(client, 5)
    clock.advance(timedelta(seconds=901))                   # the first lockout (900 s) is over
    fail(client, 5)
    assert client.post(LOGIN, json=RIGHT).headers["Retry-After"] == "1800"
    clock.advance(timedelta(seconds=1801))
    fail(client, 4)
    clock.advance(timedelta(seconds=901))                   # the window of those four has passed
    fail(client, 4)
    assert client.post(LOGIN, json=RIGHT).status_code == 200


def test_a_successful_login_forgets_the_accounts_failures(client):
    fail(client, 4)
    assert client.post(LOGIN, json=RIGHT).status_code == 200
    fail(client, 4)
    assert client.post(LOGIN, json=RIGHT).status_code == 200


def test_an_unknown_name_is_counted_and_locked_like_a_known_one(client):
    ghost = {"username": "ghost", "password": "whatever1"}
    fail(client, 5, ghost)
    assert_problem(client.post(LOGIN, json=ghost), 429, "login_throttled")


def test_an_address_is_locked_after_its_limit_whatever_the_names(client, demo):
    demo.settings = dataclasses.replace(demo.settings, login_address_failures=3)
    attacker = from_address(client, "10.9.8.7")
    for name in ("a1", "a2", "a3"):
        fail(attacker, 1, {"username": name, "password": "wrong-password"})
    assert_problem(attacker.post(LOGIN, json=RIGHT), 429, "login_throttled")
    [event] = system_events(demo, "login_locked")
    assert event["payload"]["scope"] == "address" and event["payload"]["subject"] == "10.9.8.7"
    # the account itself is not locked: from elsewhere she logs in
    assert from_address(create_app(context=demo).test_client(), "10.0.0.1").post(LOGIN, json=RIGHT).status_code == 200


def test_basic_credentials_of_engine_rest_are_throttled_too(client):
    wrong = {"Authorization": "Basic " + base64.b64encode(b"designer:wrong-password").decode()}
    right = {"Authorization": "Basic " + base64.b64encode(f"designer:{DEMO_PASSWORD}".encode()).decode()}
    for _ in range(5):
        assert client.get("/engine-rest/deployment/count", headers=wrong).status_code == 401
    refused = client.get("/engine-rest/deployment/count", headers=right)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "900"
    assert refused.json["lianbanCode"] == "login_throttled"


def test_an_administrator_lifts_a_lockout_and_it_is_audited(client, demo):
    fail(client, 5)
    admin = auth(client, "admin")
    listed = client.get("/api/v1/accounts/lockouts", headers=admin).json
    assert [(r["scope"], r["subject"], r["locked"], r["lockouts"]) for r in listed] == [
        ("account", "zcz_qs_agent", True, 1)]
    assert_problem(client.post("/api/v1/accounts/zcz_qs_agent/unlock", headers=auth(client, "zcz_supervisor")),
                   403, "role_required")
    assert client.post("/api/v1/accounts/zcz_qs_agent/unlock", headers=admin).status_code == 204
    assert client.post(LOGIN, json=RIGHT).status_code == 200
    [event] = system_events(demo, "login_unlocked")
    assert event["actor"] == "admin" and event["payload"] == {"scope": "account", "subject": "zcz_qs_agent"}
    assert_problem(client.post("/api/v1/accounts/zcz_qs_agent/unlock", headers=admin), 409, "login_not_locked")
    assert_problem(client.post("/api/v1/accounts/nobody/unlock", headers=admin), 404, "account_not_found")
    assert client.get("/api/v1/accounts/lockouts", headers=admin).json == []


def test_the_cli_lists_and_lifts_lockouts(tmp_path):
    env = {"LIANBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}", "PATH": "/usr/bin:/bin"}

    def lianban(*args):
        return cli_process.lianban(env, *args)        # a child process with the CLI imported
    assert lianban("init-db").returncode == 0
    assert lianban("account", "create", "clerk", "--name", "C", "--password", "right-password").returncode == 0
    from engine.config import Settings
    ctx = Context.create(Settings(database_url=env["LIANBAN_DATABASE_URL"]))
    try:
        client = create_app(context=ctx).test_client()
        for _ in range(5):
            assert client.post(LOGIN, json={"username": "clerk", "password": "wrong-password"}).status_code == 401
        assert client.post(LOGIN, json={"username": "clerk", "password": "right-password"}).status_code == 429
        listed = lianban("account", "lockouts")
        assert listed.returncode == 0 and listed.stdout.startswith("account\tclerk\tlocked until ")
        assert lianban("account", "unlock", "clerk").stdout.strip() == "unlocked"
        assert client.post(LOGIN, json={"username": "clerk", "password": "right-password"}).status_code == 200
        again = lianban("account", "unlock", "clerk")
        assert again.returncode == 1 and again.stderr.startswith("error [login_not_locked]: ")
        both = lianban("account", "unlock", "clerk", "--address", "1.2.3.4")
        assert both.returncode != 0
        with ctx.uow.read() as tx:
            assert [e["actor"] for e in tx.events.of_stream("system") if e["type"] == "login_unlocked"] == [
                "system:cli"]
    finally:
        ctx.dispose()


def test_nothing_counts_while_throttling_is_off(client, demo):
    demo.settings = dataclasses.replace(demo.settings, login_account_failures=0, login_address_failures=0)
    fail(client, 8)
    assert client.post(LOGIN, json=RIGHT).status_code == 200
