"""Login, logout, who am I: bearer tokens for API clients, an HttpOnly cookie for the console."""
from flask import make_response, request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
from api.security import SESSION_COOKIE, actor, bearer_token, context, csrf_token, session_token, via_cookie
from engine.services.accounts import auth, org

# an answer that carries a token or a CSRF token is never kept by a cache (RFC 6749 5.1)
NO_STORE = {"Cache-Control": "no-store"}
# seconds until a locked login may be tried again
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}}

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth",
               description="Authentication: bearer tokens, or the console's cookie session")


@bp.route("/login")
class Login(MethodView):
    @bp.arguments(schemas.LoginIn())
    @bp.response(200, schemas.TokenOut)
    @bp.alt_response(401, schema=schemas.Problem, description="wrong username or password")
    @bp.alt_response(429, schema=schemas.Problem, headers=RETRY_AFTER,
                     description="too many failed logins for this account or from this address: login_throttled")
    @bp.doc(security=[])
    def post(self, body):
        """Log in with a password; returns a bearer token that expires."""
        token, expires = auth.login(context(), body["username"], body["password"], request.remote_addr)
        return {"token": token, "expires_at": expires, "token_type": "Bearer"}, 200, NO_STORE


@bp.route("/logout")
class Logout(MethodView):
    @bp.response(204)
    def post(self):
        """Revoke the token of this request."""
        auth.logout(context(), session_token())


@bp.route("/session")
class Session(MethodView):
    @bp.arguments(schemas.LoginIn())
    @bp.response(200, schemas.SessionOut)
    @bp.alt_response(401, schema=schemas.Problem, description="wrong username or password")
    @bp.alt_response(429, schema=schemas.Problem, headers=RETRY_AFTER,
                     description="too many failed logins for this account or from this address: login_throttled")
    @bp.doc(security=[])
    def post(self, body):
        """Log in to a cookie session (the console): the token goes into an HttpOnly, SameSite=Strict
        cookie that page script cannot read; the answer carries the CSRF token that every change
        made with the cookie must send in X-CSRF-Token."""
        token, expires = auth.login(context(), body["username"], body["password"], request.remote_addr)
        user = _profile(auth.authenticate(context(), token), cookie_token=token)
        response = make_response({"csrf_token": user["csrf_token"], "expires_at": expires.isoformat(), "user": user})
        response.headers.update(NO_STORE)
        response.set_cookie(SESSION_COOKIE, token, max_age=auth.SESSION_HOURS * 3600, path="/",
                            httponly=True, samesite="Strict", secure=request.is_secure)
        return response

    @bp.response(200, schemas.SessionStateOut)
    @bp.doc(security=[])
    def get(self):
        """Is there a session? (public: the console asks on every page load, and a page without a
        session is not an error): the caller as /auth/me gives her, or `user: null`."""
        token = session_token()
        if not token:
            return {"user": None}
        try:
            who = auth.authenticate(context(), token)
        except auth.Unauthenticated:
            return {"user": None}
        return {"user": _profile(who, cookie_token=None if bearer_token() else token)}

    @bp.response(204)
    def delete(self):
        """Log out of the cookie session: the token is revoked and the cookie cleared."""
        auth.logout(context(), session_token())
        response = make_response("", 204)
        response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="Strict", secure=request.is_secure)
        return response


@bp.route("/me")
class Me(MethodView):
    @bp.response(200, schemas.MeOut)
    def get(self):
        """The caller: name, account kind, system roles and posts (unit, department, window, role);
        with a cookie session also the CSRF token."""
        return _profile(actor(), cookie_token=session_token() if via_cookie() else None)


def _profile(who, cookie_token: str | None) -> dict:
    """Who is logged in as the console shows her; with a cookie session (its token given) also
    the CSRF token that session's changes must carry."""
    return {**org.profile(context(), who), "csrf_token": csrf_token(cookie_token) if cookie_token else None}
