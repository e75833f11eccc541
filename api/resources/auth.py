"""Login, logout, who am I."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
from api.security import actor, bearer_token, context
from engine.services.accounts import auth, org

bp = Blueprint("auth", __name__, url_prefix="/api/v1/auth", description="Authentication: bearer tokens")


@bp.route("/login")
class Login(MethodView):
    @bp.arguments(schemas.LoginIn())
    @bp.response(200, schemas.TokenOut)
    @bp.alt_response(401, schema=schemas.Problem, description="wrong username or password")
    @bp.doc(security=[])
    def post(self, body):
        """Log in with a password; returns a bearer token that expires."""
        token, expires = auth.login(context(), body["username"], body["password"])
        return {"token": token, "expires_at": expires, "token_type": "Bearer"}


@bp.route("/logout")
class Logout(MethodView):
    @bp.response(204)
    def post(self):
        """Revoke the token of this request."""
        auth.logout(context(), bearer_token())


@bp.route("/me")
class Me(MethodView):
    @bp.response(200, schemas.MeOut)
    def get(self):
        """The caller: account kind, system roles and posts (org unit, department, role)."""
        who = actor()
        posts = org.posts_for(context(), who)
        return {"username": who.username, "kind": who.kind, "roles": sorted(who.roles),
                "posts": [{"org_unit_id": u, "department_id": d, "role": r} for u, d, r in posts]}
