"""Property-based requests generated from Lianban's own OpenAPI description (schemathesis):
whatever an authenticated administrator or clerk sends, within the description or breaking it on
purpose, the API answers with 2xx/4xx — never a 5xx. Runs on SQLite and on PostgreSQL (which
refuses more: integer ranges, NUL characters, string lengths), each against a demo database of its
own with a few cases in it."""
import os
from datetime import datetime, timezone

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable

from api import create_app
from demo.loader import load_demo
from demo.org import DEMO_PASSWORD
from engine.config import Settings
from engine.domain.clock import FrozenClock
from engine.services import cases
from engine.services.calendar import seed_from_package
from engine.services.context import Context
from engine.store.db import reachable
from engine.store.schema import upgrade
from tests import run_database
from tests.conftest import PG_SERVER_URL, ROOT, staff, window_id
from tests.form_samples import sample


def _database(backend: str, tmp_path_factory):
    """A database for this module alone (the run's shared ones are wiped by every test), and how to
    get rid of it."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'api.db'}", lambda: None
    if not reachable(PG_SERVER_URL):
        if os.environ.get("LIANBAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_SERVER_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_SERVER_URL}")
    url = run_database.create(PG_SERVER_URL)
    return url, lambda: run_database.drop(PG_SERVER_URL, url)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def app(request, tmp_path_factory):
    url, drop = _database(request.param, tmp_path_factory)
    # login throttling off: the generated logins from one address would lock it, and the second
    # account's own login after them (tests/e2e/test_login_throttling.py tests the 429s); no long
    # polls: a generated asyncResponseTimeout would hold a request up to 60 s
    # (tests/integration/test_external_long_polling.py tests them)
    ctx = Context.create(Settings(database_url=url, login_account_failures=0, login_address_failures=0,
                                  external_waiters=0),
                         clock=FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)))
    upgrade(ctx.engine)
    seed_from_package(ctx)
    load_demo(ctx, ROOT / "workflows")
    for _ in range(3):
        cases.start_case(ctx, cases.StartCase("620100-XK-SCJG-0001", window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                              sample("apply_food_licence"), "proxy"), staff(ctx, "zcz_qs_agent"))
    application = create_app(context=ctx)
    yield application
    ctx.dispose()
    drop()


def _headers(app, username):
    client = app.test_client()
    token = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD}).json["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("username", ["admin", "zcz_qs_agent"])
def test_no_request_gets_a_server_error(app, username):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = _headers(app, username)
    failures, statuses, operations, reached, called = [], {}, 0, set(), set()
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/auth/logout" or (operation.path, operation.method.upper()) == (
                "/api/v1/auth/session", "DELETE"):
            continue          # it would revoke the token every later request uses (tested in test_api)
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def probe(case):
            response = case.call(headers=headers)
            called.add(operation.label)
            code = response.status_code
            if code == 401 and case.path in ("/api/v1/auth/login", "/api/v1/auth/session"):
                code = "401 login"        # generated passwords are wrong: expected
            statuses[code] = statuses.get(code, 0) + 1
            if response.status_code not in (401, 422):
                reached.add(operation.label)       # got past authentication and request validation
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code, response.text[:300]))

        probe()
    assert operations >= 25
    assert len(called) == operations          # a few examples each (max_examples), but every operation
    assert failures == []
    assert 401 not in statuses, statuses          # every request reached the services
    assert len(reached) >= operations * 0.8, sorted(reached)
    assert sum(n for code, n in statuses.items() if isinstance(code, int) and code < 300) > 20, statuses


def test_no_malformed_request_gets_a_server_error(app):
    """Requests that break the description on purpose (wrong types, missing or extra fields, odd
    multipart parts such as one without a name): a 4xx, never a 5xx."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = _headers(app, "admin")
    failures, answered = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/v1/auth/logout":
            continue

        @given(case=operation.as_strategy(schemathesis.GenerationMode.NEGATIVE))
        @settings(max_examples=3, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        def probe(case):
            response = case.call(headers=headers)
            answered.append(response.status_code)
            if response.status_code >= 500:
                failures.append((case.method, case.formatted_path, response.status_code, response.text[:300]))

        try:
            probe()
        except Unsatisfiable:
            continue          # the operation has nothing that can be malformed (no parameters, no body)
    assert failures == []
    assert len(answered) > 100 and all(400 <= code < 500 for code in answered if code >= 300)
