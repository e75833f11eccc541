"""Process definitions: deploy (multipart), validate without deploying, list, download source; what
the designer studio reads besides (the catalogue entries of each process, routing options)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_schedules as schemas_schedules
import api.schemas_studio as schemas_studio
from api.security import SecureResponse, actor, context
from engine.bpmn.parser import SourceFile
from engine.domain.errors import ValidationError
from engine.services import definitions, start_schedules

bp = Blueprint("definitions", __name__, url_prefix="/api/v1/process-definitions",
               description="BPMN/DMN deployment and versions")


def uploaded_files() -> list[SourceFile]:
    files = [f for key in request.files for f in request.files.getlist(key)]
    if not files:
        raise ValidationError("upload one or more .bpmn/.dmn files, and any <key>.schema.json or .form forms "
                              "(multipart/form-data)", code="files_required",
                              field="files")
    return [SourceFile(f.filename or "upload.bpmn", f.read()) for f in files]


def deployed(result: definitions.DeployResult) -> dict:
    """What a deployment did, or (dry run) would do."""
    return {"deployment_id": result.deployment_id,
            "processes": [{"key": p.key, "version": p.version, "definition_id": p.definition_id,
                           "created": p.created, "user_tasks": p.user_tasks} for p in result.processes],
            "warnings": [w.to_dict() for w in result.warnings]}


@bp.route("")
class Definitions(MethodView):
    @bp.response(200, schemas.DefinitionOut(many=True))
    def get(self):
        """Every deployed version, newest first."""
        return definitions.versions(context())


@bp.route("/deployments")
class Deployments(MethodView):
    @bp.arguments(schemas.DeployForm(), location="form")
    @bp.arguments(schemas.FilesIn(), location="files", as_kwargs=True)
    @bp.response(201, schemas.DeployedOut)
    @bp.alt_response(422, schema=schemas.Problem, description="the deployment was rejected as a whole")
    def post(self, form, files=None):
        """Deploy BPMN/DMN files as one all-or-nothing deployment (designers)."""
        return deployed(definitions.deploy(context(), uploaded_files(), actor(), name=form["name"]))


@bp.route("/validate")
class Validate(MethodView):
    @bp.arguments(schemas.FilesIn(), location="files", as_kwargs=True)
    @bp.response(200, schemas.DeployedOut)
    @bp.alt_response(422, schema=schemas.Problem, description="what deploying these files would reject")
    def post(self, files=None):
        """Deploy's dry run: every check a deployment runs, nothing written; answers what deploying
        would do (each process's version, whether it would be created) or what it would reject
        (designers)."""
        return deployed(definitions.deploy(context(), uploaded_files(), actor(), dry_run=True))


@bp.route("/<id:definition_id>/source")
class Source(MethodView):
    @bp.response(200, content_type="application/xml")
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, definition_id):
        """The BPMN file this version was deployed from."""
        name, content = definitions.source(context(), definition_id)
        return SecureResponse(content, mimetype="application/xml",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/items")
class ProcessItems(MethodView):
    @bp.response(200, schemas_studio.ProcessItemOut(many=True))
    def get(self):
        """The catalogue entries (newest version of each, any status) and the process each runs
        (designers and administrators)."""
        return definitions.usage(context(), actor())


@bp.route("/routing-options")
class RoutingOptions(MethodView):
    @bp.response(200, schemas_studio.RoutingOptionsOut)
    def get(self):
        """What a user task's routing target `<tier>:<role>[@<department>]` may name: tiers, roles and
        the organisation's department codes with the tiers where each exists (designers and
        administrators)."""
        return definitions.routing_options(context(), actor())


@bp.route("/<string:key>/start-schedule")
class StartSchedule(MethodView):
    @bp.response(200, schemas_schedules.StartScheduleOut)
    @bp.alt_response(404, schema=schemas.Problem, description="the newest version has no timer start event")
    def get(self, key):
        """The start schedule of the process's newest version: its timer start event, whether it
        is active, the window that receives its cases, the next time and the latest runs
        (designers and administrators)."""
        return start_schedules.get_schedule(context(), actor(), key)

    @bp.arguments(schemas_schedules.StartScheduleIn)
    @bp.response(200, schemas_schedules.StartScheduleOut)
    @bp.alt_response(404, schema=schemas.Problem, description="no timer start event, or no such window")
    @bp.alt_response(422, schema=schemas.Problem, description="no window named, no published item, a window "
                                                              "that does not accept the item, no time left")
    def put(self, body, key):
        """Activate the timer start event (a new case at each of its times, received at the window
        named) or deactivate it (designers and administrators; audited)."""
        return start_schedules.set_schedule(context(), actor(), key, body["active"], body.get("window_id"),
                                            body.get("item_code"))
