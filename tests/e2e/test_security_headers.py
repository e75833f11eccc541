"""Security headers on every answer (api/security.py SecureResponse): every route of the URL map,
with every method it has, anonymously and as an administrator, and the answers no route gives
(404, 405, a malformed body, a static file, the API docs, engine-rest, a cookie session). Every
answer says nosniff and has a Content-Security-Policy that forbids framing; a page (HTML) has the
full set; a token is never cached; over TLS, Strict-Transport-Security."""
import re

import pytest
from werkzeug.routing import IntegerConverter, PathConverter, UnicodeConverter

from api.security import SECURITY_HEADERS
from demo.org import DEMO_PASSWORD
from tests.conftest import app_for
from tests.e2e.test_api import auth


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def _sample(converter) -> str:
    if type(converter).__name__ == "IdConverter" or isinstance(converter, IntegerConverter):
        return "1"
    if isinstance(converter, PathConverter):
        return "a/b"
    if isinstance(converter, UnicodeConverter):
        minimum = converter.regex.split("{")[1].split(",")[0].rstrip("}") if "{" in converter.regex else "1"
        return "a" * max(int(minimum), 1)
    return "a"


def paths(app):
    """(method, path) of every rule of the URL map, its variables filled with sample values."""
    out = []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<(?:[^>]*:)?(\w+)>", lambda m: _sample(rule._converters[m.group(1)]), rule.rule)
        out += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return out


def check(answer, where):
    headers = answer.headers
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    policy = headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy, where
    assert "default-src 'none'" in policy or "default-src 'self'" in policy, where
    if answer.mimetype == "text/html":
        for name, value in SECURITY_HEADERS.items():
            assert headers.get(name) == value, (where, name)
    assert answer.status_code < 500, (where, answer.status_code, answer.get_data(as_text=True)[:300])


def test_every_route_and_method_answers_with_the_security_headers(client):
    routes = paths(client.application)
    assert len(routes) > 100
    admin = auth(client, "admin")
    for method, path in routes:
        for headers in ({}, admin):
            answer = client.open(path, method=method, headers=headers, json={} if method != "GET" else None)
            check(answer, f"{method} {path} {'admin' if headers else 'anonymous'} -> {answer.status_code}")


@pytest.mark.parametrize("method,path,body", [
    ("GET", "/nowhere", None), ("DELETE", "/api/v1/tasks", None), ("POST", "/api/v1/auth/login", "{not json"),
    ("GET", "/api/docs", None), ("GET", "/api/openapi.json", None), ("GET", "/engine-rest/version", None),
    ("GET", "/engine-rest/nowhere", None), ("GET", "/favicon.ico", None), ("OPTIONS", "/api/v1/tasks", None),
    ("GET", "/console/cases/1", None), ("GET", "/api/v1/cases/99999999999", None)])
def test_errors_static_files_docs_and_engine_rest_carry_them(client, method, path, body):
    answer = client.open(path, method=method, data=body, content_type="application/json" if body else None)
    check(answer, f"{method} {path} -> {answer.status_code}")


def test_an_answer_with_a_token_is_never_cached(client):
    body = {"username": "zcz_qs_agent", "password": DEMO_PASSWORD}
    assert client.post("/api/v1/auth/login", json=body).headers["Cache-Control"] == "no-store"
    assert client.post("/api/v1/auth/session", json=body).headers["Cache-Control"] == "no-store"


def test_over_tls_browsers_are_told_to_stay_on_it(client):
    secure = client.get("/api/v1/catalogue/items", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert "Strict-Transport-Security" not in client.get("/api/v1/catalogue/items").headers
    check(secure, "https")
