"""Instance migration: validate a plan against cases, or execute it (designers and administrators;
docs/migration.md)."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_migration as schemas_migration
from api.security import actor, context
from engine.services import migration
from engine.services.migration import overview

bp = Blueprint("migrations", __name__, url_prefix="/api/v1/migrations",
               description="Moving running cases to another version of their process")


def request_of(body: dict) -> migration.MigrationRequest:
    ids = body.get("case_ids")
    return migration.MigrationRequest(body["source_definition_id"], body["target_definition_id"],
                                      dict(body.get("mapping") or {}), tuple(ids) if ids is not None else None,
                                      bool(body.get("all")))


def report_out(report: migration.MigrationReport) -> dict:
    return {"source_definition_id": report.source_definition_id,
            "target_definition_id": report.target_definition_id, "source_version": report.source_version,
            "target_version": report.target_version, "mapping": report.mapping,
            **{status: report.count(status) for status in ("migrated", "valid", "refused", "skipped")},
            "cases": [{"case_id": c.case_id, "status": c.status, "reason": c.reason,
                       "problems": [p.to_dict() for p in c.problems], "tasks": list(c.tasks)}
                      for c in report.cases]}


@bp.route("/plan")
class Plan(MethodView):
    @bp.arguments(schemas_migration.PlanQuery, location="query")
    @bp.response(200, schemas_migration.PlanOut)
    @bp.alt_response(404, schema=schemas.Problem, description="a version does not exist")
    @bp.alt_response(422, schema=schemas.Problem, description="the versions are of different processes, or the same")
    def get(self, query):
        """Both versions' elements, the generated plan (equal ids of the same kind) and the running
        cases of the source version: where the console's migration page starts from."""
        return overview.overview(context(), query["source_definition_id"], query["target_definition_id"], actor())


@bp.route("/validate")
class Validate(MethodView):
    @bp.arguments(schemas_migration.MigrationIn)
    @bp.response(200, schemas_migration.MigrationOut)
    @bp.alt_response(404, schema=schemas.Problem, description="a version does not exist")
    @bp.alt_response(422, schema=schemas.Problem, description="the plan itself is wrong (problems name elements)")
    def post(self, body):
        """What executing the plan would do with each case (valid / refused with the problems /
        skipped); nothing is written."""
        return report_out(migration.validate(context(), request_of(body), actor()))


@bp.route("/execute")
class Execute(MethodView):
    @bp.arguments(schemas_migration.MigrationIn)
    @bp.response(200, schemas_migration.MigrationOut)
    @bp.alt_response(404, schema=schemas.Problem, description="a version does not exist")
    @bp.alt_response(422, schema=schemas.Problem, description="the plan itself is wrong (problems name elements)")
    def post(self, body):
        """Migrate each case in its own transaction: migrated, refused (nothing of it written) or
        skipped (not running, not of the source version, not found)."""
        return report_out(migration.execute(context(), request_of(body), actor()))
