"""Revocation is effective in every process at once (engine/services/accounts/auth.py,
docs/security.md): two app instances on the same database, each with its own token cache kept
for an hour, so only the security version can tell the second one. A logout, a revoked token,
a deactivated account and changed roles in one are refused or seen by the other on its very next
request; an expired token is refused without any change. Both databases."""
import dataclasses
from datetime import timedelta

import pytest

from api import create_app
from engine.domain.actor import Actor
from engine.services import org_admin
from engine.services.accounts import auth as accounts_auth
from engine.services.context import Context
from tests.e2e.test_api import assert_problem, auth

ME = "/api/v1/auth/me"


@pytest.fixture
def two(demo):
    """(client of process A, client of process B): separate contexts, caches, connection pools."""
    demo.settings = dataclasses.replace(demo.settings, token_cache_seconds=3600)
    demo.caches.tokens.seconds = 3600
    other = Context.create(demo.settings, clock=demo.clock)
    a, b = create_app(context=demo).test_client(), create_app(context=other).test_client()
    yield a, b, other
    other.dispose()


def warm(client, headers):
    """Both processes have the token's actor in their cache."""
    assert client.get(ME, headers=headers).status_code == 200


def test_a_logout_in_one_process_is_refused_by_the_other_at_once(two):
    a, b, _ = two
    headers = auth(a, "zcz_qs_agent")
    warm(a, headers), warm(b, headers)
    assert b.get(ME, headers=headers).status_code == 200            # served from B's cache
    assert a.post("/api/v1/auth/logout", headers=headers).status_code == 204
    assert_problem(b.get(ME, headers=headers), 401, "token_invalid")
    assert_problem(a.get(ME, headers=headers), 401, "token_invalid")


def test_a_revoked_service_token_is_refused_by_the_other_process_at_once(two, demo):
    a, b, _ = two
    token = accounts_auth.create_service_token(demo, "designer", "ci")
    headers = {"Authorization": f"Bearer {token}"}
    warm(a, headers), warm(b, headers)
    accounts_auth.revoke(demo, token)
    assert_problem(b.get(ME, headers=headers), 401, "token_invalid")


def test_a_deactivated_account_and_changed_roles_are_seen_by_the_other_process_at_once(two, demo):
    a, b, _ = two
    designer, agent = auth(a, "designer"), auth(a, "zcz_qs_agent")
    warm(b, designer), warm(b, agent)
    with demo.uow.read() as tx:
        designer_id, agent_id = tx.accounts.id_of("designer"), tx.accounts.id_of("zcz_qs_agent")
    org_admin.update_staff(demo, Actor.system("test"), designer_id, {"system_roles": ["admin"]})
    assert b.get(ME, headers=designer).json["roles"] == ["admin"]
    admin = auth(a, "admin")
    changed = a.patch(f"/api/v1/org/staff/{agent_id}", headers=admin, json={"active": False})
    assert changed.status_code == 200, changed.json
    assert_problem(b.get(ME, headers=agent), 401, "token_invalid")


def test_an_expired_token_is_refused_by_every_process(two, clock):
    a, b, _ = two
    headers = auth(a, "zcz_qs_agent")
    warm(a, headers), warm(b, headers)
    clock.advance(timedelta(hours=13))
    assert_problem(b.get(ME, headers=headers), 401, "token_expired")
    assert_problem(a.get(ME, headers=headers), 401, "token_expired")


def test_a_cached_token_costs_one_version_read_and_no_token_read(two, demo):
    """What the check costs: the second request of a token reads the version, not the token."""
    a, _, _ = two
    headers = auth(a, "zcz_qs_agent")
    warm(a, headers)
    statements = []
    from sqlalchemy import event
    engine = demo.uow.engine

    def seen(conn, cursor, statement, *args):
        statements.append(statement)
    event.listen(engine, "before_cursor_execute", seen)
    try:
        accounts_auth.authenticate(demo, headers["Authorization"][7:])
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    text = " ".join(statements)
    assert "api_token" not in text
    assert "security_version" in text or statements == []       # SQLite's FastRead bypasses the event
