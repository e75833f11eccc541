"""The working-day calendar: deadline questions, loading a State Council notice (admins)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
from api.security import actor, context
from engine.domain import calendar_notices
from engine.services import calendar, time_limits

bp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar", description="Working-day calendar")


@bp.route("/deadline")
class Deadline(MethodView):
    @bp.arguments(schemas.DeadlineArgs(), location="query")
    @bp.response(200, schemas.DeadlineOut)
    @bp.alt_response(422, schema=schemas.Problem, description="date_invalid, date_out_of_range, limit_required, "
                                                               "limit_invalid, receipt_time_invalid, "
                                                               "receipt_time_required, hall_required: as "
                                                               "`lianban calendar deadline` says")
    @bp.alt_response(404, schema=schemas.Problem, description="hall_not_found")
    def get(self, args):
        """If received and accepted on `from` (at `hall` at `at`), when is it due (working or calendar days)?"""
        return calendar.deadline_answer(context(), args["start"], workdays=args.get("workdays"), days=args.get("days"),
                                        convention=args.get("convention"), receipt_rule=args.get("receipt_rule"),
                                        hall=args.get("hall"), at=args.get("at"))


@bp.route("/notices")
class Notices(MethodView):
    @bp.response(201, schemas.NoticeLoaded)
    @bp.alt_response(422, schema=schemas.Problem)
    @bp.doc(requestBody={"content": {
        "application/json": {"schema": {"type": "object", "properties": {
            "year": {"type": "integer"}, "source": {"type": "string"},
            "holidays": {"type": "array", "items": {"type": "object"}},
            "workdays": {"type": "array", "items": {"type": "object"}}}}},
        "text/csv": {"schema": {"type": "string"}}}})
    def post(self):
        """Load a year's notice (JSON, or CSV date,kind,name with ?source=…) and recompute open deadlines."""
        raw = request.get_data(cache=False)
        if request.mimetype == "text/csv":
            notice = calendar_notices.parse_csv(raw, request.args.get("source", ""))
        else:
            notice = calendar_notices.parse_json(raw)
        result = time_limits.load_notice(context(), notice, actor())
        return result.__dict__
