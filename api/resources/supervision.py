"""Supervision (电子监察): yellow and red cases and steps of a subtree, counts, on-time rate, case
channels (网上受理率, 掌办率), Art. 44 delivery cards, CSV."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_supervision as ss
from api.security import SecureResponse, actor, context
from engine.services import supervision

bp = Blueprint("supervision", __name__, url_prefix="/api/v1/supervision", description="Supervision (电子监察)")


def _csv(rows, name: str) -> SecureResponse:
    return SecureResponse(supervision.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.route("/cases")
class Cases(MethodView):
    @bp.arguments(schemas.SupervisionArgs(), location="query")
    @bp.response(200, schemas.CaseWarningOut(many=True))
    @bp.alt_response(200, content_type="text/csv", description="with format=csv")
    def get(self, args):
        """Open cases with a yellow or red card received in the subtree (format=csv for Excel)."""
        fmt = args.pop("format")
        rows = supervision.cases(context(), actor(), args.pop("unit_id"), **args)
        return _csv(rows, "cases") if fmt == "csv" else rows


@bp.route("/steps")
class Steps(MethodView):
    @bp.arguments(schemas.StepArgs(), location="query")
    @bp.response(200, schemas.StepWarningOut(many=True))
    def get(self, args):
        """Open steps near or past their own deadline (环节超时), by department, role or staff."""
        fmt = args.pop("format")
        rows = supervision.steps(context(), actor(), args.pop("unit_id"), **args)
        return _csv(rows, "steps") if fmt == "csv" else rows


@bp.route("/counts")
class Counts(MethodView):
    @bp.arguments(schemas.UnitArgs(), location="query")
    @bp.response(200, schemas.CountsOut)
    def get(self, args):
        """Yellow and red counts of cases and steps, in total and per tier."""
        return supervision.counts(context(), actor(), args["unit_id"])


@bp.route("/on-time")
class OnTime(MethodView):
    @bp.arguments(schemas.OnTimeArgs(), location="query")
    @bp.response(200, schemas.OnTimeOut)
    def get(self, args):
        """Completed cases in [since, until) and how many finished by their promised deadline."""
        return supervision.on_time_rate(context(), actor(), args["unit_id"], args["since"], args["until"])


@bp.route("/case-channels")
class CaseChannels(MethodView):
    @bp.arguments(ss.CaseChannelArgs, location="query")
    @bp.response(200, ss.TierCaseChannelsOut(many=True))
    @bp.alt_response(200, content_type="text/csv", description="with format=csv")
    def get(self, args):
        """Per tier of the subtree and in total, for the days since..until (Beijing, both included): cases
        received by channel, 网上受理率 (online + mobile), 掌办率 (mobile), results delivered by method."""
        rows = supervision.case_channels(context(), actor(), args["unit_id"], args["since"], args["until"])
        return _csv(rows, "case-channels") if args["format"] == "csv" else rows


@bp.route("/deliveries")
class Deliveries(MethodView):
    @bp.arguments(ss.DeliveryArgs, location="query")
    @bp.response(200, ss.DeliveryWarningOut(many=True))
    @bp.alt_response(200, content_type="text/csv", description="with format=csv")
    def get(self, args):
        """Granted cases not delivered whose Art. 44 delivery card (10 working days) fired, red first."""
        fmt = args.pop("format")
        rows = supervision.deliveries(context(), actor(), args.pop("unit_id"), **args)
        return _csv(rows, "deliveries") if fmt == "csv" else rows


# --- the supervisor dashboard (docs/time-limits.md#the-supervisor-dashboard) -----------------------

@bp.route("/dashboard/summary")
class DashboardSummary(MethodView):
    @bp.arguments(ss.DashboardArgs, location="query")
    @bp.response(200, ss.SummaryOut)
    @bp.alt_response(200, content_type="text/csv", description="with format=csv: the counts per tier")
    def get(self, args):
        """Open cases and steps of the subtree with their yellow and red cards, in total and per tier."""
        out = supervision.summary(context(), actor(), args["unit_id"])
        return _csv(supervision.flat(out["by_tier"]), "dashboard-tiers") if args["format"] == "csv" else out


@bp.route("/dashboard/drill")
class DashboardDrill(MethodView):
    @bp.arguments(ss.DrillArgs, location="query")
    @bp.response(200, ss.DrillOut)
    @bp.alt_response(200, content_type="text/csv", description="with format=csv: the children or the items")
    def get(self, args):
        """One level of the drill-down unit → department → window → person: the children with their
        open, yellow and red cases and steps; at a window or a person the carded cases and steps."""
        fmt, table = args.pop("format"), args.pop("table")
        out = supervision.drill(context(), actor(), args.pop("unit_id"), **args)
        if fmt == "csv":
            return _csv(supervision.flat(out[table]), f"dashboard-{table}")
        return out


@bp.route("/dashboard/on-time")
class DashboardOnTime(MethodView):
    @bp.arguments(ss.OnTimeSeriesArgs, location="query")
    @bp.response(200, ss.OnTimePointOut(many=True))
    @bp.alt_response(200, content_type="text/csv", description="with format=csv")
    def get(self, args):
        """Per month or week (Beijing days): cases completed, and the share by the promised and by the
        legal deadline."""
        rows = supervision.on_time_series(context(), actor(), args["unit_id"], args["since"], args["until"],
                                          args["period"])
        return _csv(rows, "dashboard-on-time") if args["format"] == "csv" else rows
