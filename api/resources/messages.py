"""Messages and signals from other systems (payment platforms, the e-licence platform, other
agencies): a message to the one case waiting for it, a signal to every waiting case
(docs/integration.md#messages-and-signals). For service accounts with the `integration` role and
administrators; the role is checked in the service layer."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_messages as io
from api.security import actor, context
from engine.services import messages

bp = Blueprint("messages", __name__, url_prefix="/api/v1",
               description="Messages and signals to waiting cases (integration accounts)")


@bp.route("/messages")
class Messages(MethodView):
    @bp.arguments(io.MessageIn())
    @bp.response(200, io.MessageOut)
    @bp.alt_response(403, schema=schemas.Problem, description="role_required: integration or admin; window_not_yours: "
                                                              "a message start at a window where the sender holds "
                                                              "no post")
    @bp.alt_response(422, schema=schemas.Problem, description="correlation_invalid, correlation_variable_private: "
                                                              "a variable match that is not a scalar or names the "
                                                              "applicant's particulars")
    @bp.alt_response(404, schema=schemas.Problem, description="message_not_correlated: no running case waits for it")
    @bp.alt_response(409, schema=schemas.Problem,
                     description="message_ambiguous: several cases wait for it; message_start_ambiguous: it starts "
                                 "several processes, or starts one while cases wait for it; message_id_reused: the "
                                 "id was sent with another message")
    @bp.alt_response(413, schema=schemas.Problem, description="variables_too_large")
    def post(self, body):
        """Deliver a message to the one running case that waits for it (by case_id, case_number,
        business_key or variables in `correlation`), or with `all: true` to every matching case;
        a message that is the message start event of a published process starts a case of it at
        `window_id` for `applicant`. Answers the case and its tasks open now. The same message_id
        again: the first answer, nothing done twice (no second case)."""
        correlation = messages.Correlation.of(body.get("case_id"), body.get("case_number"), body.get("business_key"),
                                              body.get("correlation"))
        if body.get("all"):
            return messages.correlate_all(context(), actor(), body["name"], correlation, body.get("variables"),
                                          body["message_id"])
        start = messages.StartAt(body.get("window_id"), body.get("applicant"), body.get("item_code"))
        return messages.send_message(context(), actor(), body["name"], body["message_id"], correlation,
                                     body.get("variables"), start=start)


@bp.route("/signals")
class Signals(MethodView):
    @bp.arguments(io.SignalIn())
    @bp.response(200, io.SignalOut)
    @bp.alt_response(403, schema=schemas.Problem, description="role_required: integration or admin")
    @bp.alt_response(409, schema=schemas.Problem, description="message_id_reused: the id was sent with another signal")
    @bp.alt_response(413, schema=schemas.Problem, description="variables_too_large")
    def post(self, body):
        """Broadcast a signal to every running case waiting for it, each case in its own
        transaction; answers how many and which. The same signal_id again: the first answer."""
        return messages.send_signal(context(), actor(), body["name"], body["signal_id"], body.get("variables"))
