"""Login lockouts (docs/security.md): which account names and addresses are locked, and lifting
an account's lockout (administrators; both audited on the system stream)."""
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

import api.schemas as schemas
from api.security import actor, context
from engine.services.accounts import throttle

bp = Blueprint("accounts", __name__, url_prefix="/api/v1/accounts",
               description="Accounts: login lockouts and lifting them (administrators)")


class LockoutOut(Schema):
    scope = fields.String(metadata={"description": "account (a name as typed at login) or address"})
    subject = fields.String()
    locked_until = fields.DateTime()
    locked = fields.Boolean(metadata={"description": "whether the lockout is still running"})
    lockouts = fields.Integer(metadata={"description": "lockouts so far; each is twice as long as the one before"})
    failures = fields.Integer(metadata={"description": "failed logins in the current window"})


@bp.route("/lockouts")
class Lockouts(MethodView):
    @bp.response(200, LockoutOut(many=True))
    @bp.alt_response(403, schema=schemas.Problem, description="administrators only")
    def get(self):
        """Account names and addresses locked by failed logins, the latest lockout end first."""
        return throttle.lockouts(context(), actor())


@bp.route("/<string(maxlength=128):username>/unlock")
class Unlock(MethodView):
    @bp.response(204)
    @bp.alt_response(403, schema=schemas.Problem, description="administrators only")
    @bp.alt_response(404, schema=schemas.Problem, description="no such account: account_not_found")
    @bp.alt_response(409, schema=schemas.Problem, description="nothing to lift: login_not_locked")
    def post(self, username):
        """Lift the lockout of an account and forget its failed logins (audited)."""
        throttle.unlock(context(), actor(), username=username)
