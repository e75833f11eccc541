"""Authentication and the headers every response carries.

Two ways to present a session: a bearer token (API clients, the CLI, service accounts; Camunda
Modeler's deploy button may send Basic credentials to /engine-rest), or the console's cookie.
The cookie holds the same kind of token but is HttpOnly (page script cannot read it, so an
injected script cannot steal it) and SameSite=Strict (another site's page cannot send it). A
request that changes something with the cookie must also carry X-CSRF-Token: an HMAC of the
session token, handed to the console at login and by /auth/me, which another origin cannot
learn. Authorization is done by the services with the actor built here."""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac

import flask
from flask import current_app, g, request
from flask.globals import _cv_request

from engine.domain.actor import Actor
from engine.domain.errors import Forbidden
from engine.services.accounts import auth

SESSION_COOKIE = "lb_session"
CSRF_HEADER = "X-CSRF-Token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})

# reached without logging in: the public guide (办事指南), the console's files, the API docs
PUBLIC_ENDPOINTS = {"health.health", "health.live", "health.ready",
                    "metrics.metrics",        # decides itself: a scraper's token or address, or an administrator
                    "auth.Login", "catalogue.PublicItems", "catalogue.PublicItem",
                    "api-docs.openapi_json", "api-docs.openapi_swagger_ui", "docs_assets.asset",
                    "console.page", "console.asset", "console.favicon", "catalogue.Network", "static",
                    # 好差评: the scheme, a window's QR page and its visit rating, the disclosure
                    "ratings.Scheme", "ratings.WindowRating", "ratings.VisitRating", "ratings.Public"}
PUBLIC_REQUESTS = {("auth.Session", "POST"), ("auth.Session", "GET")}     # log in; is there a session?

# The console is one origin's own files: scripts only from it (no inline script, no eval), data
# only from its API, never framed. Element Plus positions popups with style attributes, hence
# 'unsafe-inline' for styles only.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                           "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
                           "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
# swagger-ui's page (flask-smorest's template) starts itself with an inline script
_DOCS_POLICY = CONTENT_SECURITY_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "same-origin", "Cross-Origin-Opener-Policy": "same-origin",
                    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()"}


def context():
    return current_app.extensions["lianban"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def session_token() -> str | None:
    """The token of this request: the bearer header's, else the session cookie's."""
    return bearer_token() or request.cookies.get(SESSION_COOKIE) or None


def csrf_token(token: str) -> str:
    """What a cookie session sends in X-CSRF-Token: derived from the session, so nothing to store."""
    key = hashlib.sha256(("csrf:" + context().settings.id_hash_secret).encode()).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


def authenticate_request() -> None:
    """before_request: resolve the caller for every non-public endpoint (401 otherwise)."""
    req = request._get_current_object()      # one proxy lookup instead of one per attribute
    endpoint = req.endpoint
    if (endpoint in PUBLIC_ENDPOINTS or endpoint is None or req.method == "OPTIONS"
            or (endpoint, req.method) in PUBLIC_REQUESTS):
        return
    ctx = current_app.extensions["lianban"]
    header = req.headers.get("Authorization", "")
    if not header and SESSION_COOKIE in req.cookies:
        g.actor = _cookie_session(ctx, req)
        return
    lowered = header[:7].lower()
    if lowered.startswith("basic ") and req.path.startswith("/engine-rest/"):
        g.actor = _basic(ctx, header[6:])
        return
    # what bearer_token() reads, from the header already at hand
    token = (header[7:].strip() or None) if lowered == "bearer " else None
    g.actor = auth.authenticate(ctx, token)


def _cookie_session(ctx, req) -> Actor:
    token = req.cookies[SESSION_COOKIE]
    actor = auth.authenticate(ctx, token)
    if req.method in _UNSAFE and not hmac.compare_digest(req.headers.get(CSRF_HEADER, ""), csrf_token(token)):
        raise Forbidden("a change made with the session cookie needs the session's X-CSRF-Token header",
                        code="csrf_failed")
    g.cookie_session = True
    return actor


def _basic(ctx, encoded: str) -> Actor:
    try:
        username, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise auth.Unauthenticated("malformed Basic credentials", code="credentials_malformed") from None
    if "\x00" in username or "\x00" in password:       # no account has one; PostgreSQL cannot compare it
        raise auth.Unauthenticated("malformed Basic credentials", code="credentials_malformed")
    return auth.verify_password(ctx, username, password, flask.request.remote_addr)


# What a data answer (JSON, CSV, a file, a script) needs: not sniffed into something else, not
# framed, nothing loaded on its behalf. The referrer, opener and permissions policies only mean
# something for a page, and each header costs werkzeug ~18,000 instructions per answer to write.
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
_PAGE_HEADERS = [*SECURITY_HEADERS.items(), ("Content-Security-Policy", CONTENT_SECURITY_POLICY)]
_DOCS_HEADERS = [*SECURITY_HEADERS.items(), ("Content-Security-Policy", _DOCS_POLICY)]
_DATA_HEADERS = [("X-Content-Type-Options", "nosniff"), ("Content-Security-Policy", API_POLICY)]
# once a browser reached the service over TLS it never falls back to plain HTTP (a year)
_HSTS = ("Strict-Transport-Security", "max-age=31536000")


class SecureResponse(flask.Response):
    """Every answer of the app (app.response_class): the standard protections — the full set on a
    page (HTML), the two that matter on data — added to the copy of the headers werkzeug makes
    as it sends the answer. Added there rather than by an after_request hook, which Flask calls
    through its sync/async wrapper on every request (an HTTP case of bench/bench_http.py cost 1 %
    more that way); appended in one step because Headers.update() validates each header (23 µs).
    No route sets these headers itself (an issued document adds a second, sandboxing policy,
    which browsers obey beside this one)."""

    def get_wsgi_headers(self, environ):
        headers = super().get_wsgi_headers(environ)
        if self.mimetype == "text/html":
            added = _DOCS_HEADERS if environ.get("PATH_INFO") == "/api/docs" else _PAGE_HEADERS
        else:
            added = _DATA_HEADERS
        headers._list.extend(added)
        # the request id back to the client, and the route's template for the metrics (noted here,
        # inside the request, where the matched rule is known: api/observability.py)
        request_id = environ.get("lianban.request_id")
        if request_id is not None:
            headers._list.append(("X-Request-Id", request_id))
            environ["lianban.route"] = _route_template()
        if environ.get("wsgi.url_scheme") == "https":       # behind TLS (or a proxy that says so)
            headers._list.append(_HSTS)
        return headers


def _route_template() -> str:
    req = _cv_request.get(None)
    rule = req.request.url_rule if req is not None else None
    return rule.rule if rule is not None else "unmatched"


def actor() -> Actor:
    return g.actor


def via_cookie() -> bool:
    return bool(g.get("cookie_session"))
