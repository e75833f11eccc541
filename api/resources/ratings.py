"""好差评 (docs/ratings.md): the scheme, rating a case online and a visit at a window, the
applicant's invitations, the rectification ledger and its 回访, figures and the public disclosure."""
from datetime import date

from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas_ratings as sr
from api.security import SecureResponse, actor, context
from engine.services import ratings

bp = Blueprint("ratings", __name__, url_prefix="/api/v1", description="好差评 (service ratings)")

_TOKEN = "<string(length=32):token>"


def _csv(rows, name: str) -> SecureResponse:
    return SecureResponse(ratings.to_csv(rows), mimetype="text/csv",
                          headers={"Content-Disposition": f'attachment; filename="{name}.csv"'})


@bp.route("/ratings/scheme")
class Scheme(MethodView):
    @bp.response(200, sr.SchemeOut)
    def get(self):
        """The levels and the indicator sets in force (public)."""
        return ratings.scheme(context())


@bp.route("/windows/<string(maxlength=32):window_code>/rating")
class WindowRating(MethodView):
    @bp.response(200, sr.WindowRatingOut)
    def get(self, window_code):
        """The window's QR page: the visit its clerk opened last, if still open and unrated (public)."""
        return ratings.window_rating(context(), window_code)


@bp.route("/windows/<string(maxlength=32):window_code>/visits")
class Visits(MethodView):
    @bp.arguments(sr.VisitIn)
    @bp.response(201, sr.VisitOut)
    def post(self, body, window_code):
        """A clerk with a post at the window opens the visit just served (一次一评)."""
        return ratings.open_visit(context(), window_code, body.get("case_id"), actor())


@bp.route(f"/visits/{_TOKEN}/rating")
class VisitRating(MethodView):
    @bp.arguments(sr.RatingIn)
    @bp.response(201, sr.VisitRatedOut)
    def post(self, body, token):
        """Rate a visit once (public: the rater is anonymous)."""
        return ratings.rate_visit(context(), token, body)


@bp.route("/ratings/invitations")
class Invitations(MethodView):
    @bp.response(200, sr.InvitationOut(many=True))
    def get(self):
        """The applicant's cases 办结 and not yet rated online."""
        return ratings.invitations(context(), actor())


@bp.route("/cases/<id:case_id>/ratings")
class CaseRatings(MethodView):
    @bp.response(200, sr.RatingOut(many=True))
    def get(self, case_id):
        """A case's ratings (the applicant: hers; staff in scope: never who rated)."""
        return ratings.case_ratings(context(), case_id, actor())

    @bp.arguments(sr.RatingIn)
    @bp.response(201, sr.RatingOut)
    def post(self, body, case_id):
        """一事一评: the applicant rates her case once it is 办结."""
        return ratings.rate_case(context(), case_id, body, actor())


@bp.route("/ratings/<id:rating_id>/rerate")
class Rerate(MethodView):
    @bp.arguments(sr.RerateIn)
    @bp.response(201, sr.RatingOut)
    def post(self, body, rating_id):
        """Rate the fix of a 差评 once its rectification was answered."""
        return ratings.rerate(context(), rating_id, body, actor())


@bp.route("/ratings/rectifications")
class Ledger(MethodView):
    @bp.arguments(sr.LedgerArgs, location="query")
    @bp.response(200, sr.LedgerOut)
    @bp.alt_response(200, content_type="text/csv", description="with format=csv")
    def get(self, args):
        """The 差评 ledger of the caller's units (supervisors: subtree; admins: all); no rater identity."""
        fmt = args.pop("format")
        result = ratings.ledger(context(), actor(), **args)
        return _csv(result["items"], "rectifications") if fmt == "csv" else result


@bp.route("/ratings/rectifications/<id:rect_id>/revisit")
class Revisit(MethodView):
    @bp.arguments(sr.RevisitIn)
    @bp.response(200, sr.RevisitOut)
    def post(self, body, rect_id):
        """Record the 回访 of a 差评."""
        return ratings.revisit(context(), rect_id, body["note"], actor())


@bp.route("/ratings/figures")
class FiguresView(MethodView):
    @bp.arguments(sr.FiguresArgs, location="query")
    @bp.response(200, sr.FiguresOut)
    @bp.alt_response(200, content_type="text/csv", description="with format=csv")
    def get(self, args):
        """好评率, 差评率, 主动评价率, 主动评价好评率, 未评价率, 差评整改率, 回访率 by group."""
        fmt = args.pop("format")
        result = ratings.figures(context(), actor(), args.pop("group_by"), **args)
        return _csv(result["rows"], "ratings") if fmt == "csv" else result


@bp.route("/ratings/summary")
class Summary(MethodView):
    @bp.arguments(sr.SummaryArgs, location="query")
    @bp.response(200, sr.Figures)
    def get(self, args):
        """The figures of a subtree in total (the dashboard tile)."""
        return ratings.summary(context(), actor(), args.get("unit_id"))


@bp.route("/ratings/public")
class Public(MethodView):
    @bp.arguments(sr.PublicArgs, location="query")
    @bp.response(200, sr.PublicOut)
    def get(self, args):
        """A month's disclosure per unit and item and each 差评's rectification (public, no personal data)."""
        year, month = (int(x) for x in args["month"].split("-"))
        return ratings.public(context(), args.get("unit_id"), date(year, month, 1))
