"""The 实施清单 catalogue: the public guide (办事指南, no login), import/export, versions
(administrators) and channel statistics per tier (supervisors)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_catalog as sc
import api.schemas_portal as schemas_portal
from api.security import SecureResponse, actor, context
from engine.domain.errors import ValidationError
from engine.services import catalogue, supervision
from engine.services.cases import applying

bp = Blueprint("catalogue", __name__, url_prefix="/api/v1/catalogue", description="Catalogue (实施清单) and guides")
_VERSION = "/items/<string(maxlength=64):code>/versions/<id:version>"


@bp.route("/items")
class PublicItems(MethodView):
    @bp.doc(security=[])
    @bp.arguments(sc.GuideListArgs, location="query")
    @bp.response(200, sc.GuideSummary(many=True))
    def get(self, args):
        """Published items (public, no login): by implementing tier, category, keyword, accepting tier."""
        return catalogue.list_guides(context(), **args)


@bp.route("/items/<string(maxlength=64):code>")
class PublicItem(MethodView):
    @bp.doc(security=[])
    @bp.response(200, sc.GuideOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, code):
        """One published item's guide (办事指南, public), by national or local implementation code."""
        return catalogue.guide(context(), code)


@bp.route("/network")
class Network(MethodView):
    @bp.doc(security=[])
    @bp.response(200, sc.NetworkOut)
    def get(self):
        """The service network for the public landing page (no login): units by tier, how many items
        are published, how many cases were handled."""
        return supervision.overview(context())


@bp.route("/items/<string(maxlength=64):code>/application")
class Application(MethodView):
    @bp.response(200, schemas_portal.ApplicationOut)
    @bp.alt_response(404, schema=schemas.Problem)
    @bp.alt_response(422, schema=schemas.Problem, description="online_not_offered: a window-only item")
    def get(self, code):
        """What an online application of a published item needs: its application form as case start validates
        it, and the windows that receive it (any account)."""
        return applying.application(context(), code, actor())


@bp.route("/items/<string(maxlength=64):code>/versions")
class Versions(MethodView):
    @bp.response(200, sc.VersionOut(many=True))
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, code):
        """Every version of an implementation entry (administrators)."""
        return catalogue.versions(context(), code, actor())


@bp.route(_VERSION + "/publish")
class Publish(MethodView):
    @bp.response(204)
    @bp.alt_response(409, schema=schemas.Problem, description="the version is not a draft")
    def post(self, code, version):
        """Publish a draft; the version published until now retires (administrators)."""
        catalogue.publish(context(), code, version, actor())


@bp.route(_VERSION + "/retire")
class Retire(MethodView):
    @bp.response(204)
    @bp.alt_response(409, schema=schemas.Problem, description="already retired")
    def post(self, code, version):
        """Retire a version: no new case starts on it; running cases keep it (administrators)."""
        catalogue.retire(context(), code, version, actor())


def _upload() -> tuple[bytes, str | None]:
    """The file: a multipart `file` part, or the request body itself (JSON or CSV)."""
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationError("upload the catalogue as the multipart part `file`", code="file_required",
                                  field="file")
        name = (upload.filename or "").lower()
        return upload.read(), ("csv" if name.endswith(".csv") else "json" if name.endswith(".json") else None)
    return request.get_data(cache=False), ("csv" if request.mimetype == "text/csv" else "json")


@bp.route("/imports")
class Imports(MethodView):
    @bp.arguments(sc.ImportArgs, location="query")
    @bp.response(201, sc.ImportOut)
    @bp.alt_response(422, schema=schemas.Problem, description="catalogue_invalid: `problems` lists row, field, "
                                                               "code and message of each; nothing was written")
    @bp.doc(requestBody={"content": {
        "multipart/form-data": {"schema": {"type": "object", "properties": {
            "file": {"type": "string", "format": "binary"}}}},
        "application/json": {"schema": {"type": "object", "properties": {
            "items": {"type": "array", "items": {"type": "object"}}}}},
        "text/csv": {"schema": {"type": "string"}}}})
    def post(self, args):
        """Import a catalogue file (JSON or CSV, all or nothing): new draft versions of changed entries,
        published at once with publish=true (administrators)."""
        content, guessed = _upload()
        result = catalogue.import_catalogue(context(), content, args.get("format") or guessed or "json", actor(),
                                          publish=args["publish"])
        return {"rows": result.rows, "basic_created": result.basic_created, "basic_updated": result.basic_updated,
                "created": [{"code": c, "version": v} for c, v in result.created], "unchanged": result.unchanged,
                "published": [{"code": c, "version": v} for c, v in result.published]}


@bp.route("/export")
class Export(MethodView):
    @bp.arguments(sc.ExportArgs, location="query")
    @bp.response(200, content_type="application/json")
    @bp.alt_response(200, content_type="text/csv", description="with format=csv (UTF-8 with BOM)")
    def get(self, args):
        """The published catalogue in the import format (administrators)."""
        fmt = args["format"]
        body = catalogue.export_catalogue(context(), fmt, actor())
        mimetype = "text/csv" if fmt == "csv" else "application/json"
        return SecureResponse(body, mimetype=mimetype, headers={
            "Content-Disposition": f'attachment; filename="catalogue.{fmt}"'})


@bp.route("/channel-stats")
class ChannelStats(MethodView):
    @bp.arguments(sc.ChannelArgs, location="query")
    @bp.response(200, sc.TierChannelsOut(many=True))
    @bp.alt_response(200, content_type="text/csv", description="with format=csv")
    def get(self, args):
        """Per tier of the subtree: share of items online, on mobile, by mail and at depth ≥ Ⅲ against the
        plan's targets (supervisors of the unit, administrators)."""
        rows = supervision.channel_stats(context(), actor(), args["unit_id"])
        if args["format"] == "csv":
            return SecureResponse(supervision.to_csv(rows), mimetype="text/csv",
                            headers={"Content-Disposition": 'attachment; filename="channel-stats.csv"'})
        return rows
