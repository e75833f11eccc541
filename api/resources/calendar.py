"""The working-day calendar: deadline questions, loading a State Council notice (admins)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from api import schemas
from api.security import actor, context
from engine.domain import calendar_notices
from engine.domain import deadlines as dl
from engine.domain.errors import ValidationError
from engine.services import calendar, time_limits

bp = Blueprint("calendar", __name__, url_prefix="/api/v1/calendar", description="Working-day calendar")


@bp.route("/deadline")
class Deadline(MethodView):
    @bp.arguments(schemas.DeadlineArgs(), location="query")
    @bp.response(200, schemas.DeadlineOut)
    def get(self, args):
        """If accepted on `from`, when is it due (working or calendar days)?"""
        if (args.get("workdays") is None) == (args.get("days") is None):
            raise ValidationError("give exactly one of workdays or days", code="limit_required", field="workdays")
        ctx = context()
        with ctx.uow.read() as conn:
            cal = calendar.current(ctx, conn)
        limit = (dl.Limit(args["workdays"], dl.WORKDAY) if args.get("workdays") is not None
                 else dl.Limit(args["days"], dl.CALENDAR_DAY))
        convention = args.get("convention") or ctx.settings.start_day_convention
        day = dl.deadline(cal, args["start"], limit, convention=convention)
        return {"date": day, "due_at": dl.due_instant(day), "provisional": cal.provisional_between(args["start"], day),
                "convention": convention, "calendar_version": cal.version}


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
