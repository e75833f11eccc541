"""Incidents (docs/integration.md#incidents): list and filter, one incident, retry, resolve.
Administrators and designers: every incident; supervisors: those of their subtree."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas_integration as schemas
from api.security import actor, context
from engine.services import incidents

bp = Blueprint("incidents", __name__, url_prefix="/api/v1", description="Incidents: failed external tasks, "
                                                                        "timers and scripts")


@bp.route("/incidents")
class Incidents(MethodView):
    @bp.arguments(schemas.IncidentQuery, location="query")
    @bp.response(200, schemas.IncidentPage)
    def get(self, args):
        """Incidents newest first, filtered by state, kind, case, process and element; one page."""
        page, size = args["page"], args["page_size"]
        rows, total = incidents.list_incidents(context(), actor(), state=args.get("state"), kind=args.get("kind"),
                                               case_id=args.get("case_id"), process_key=args.get("process"),
                                               element_id=args.get("element"), offset=(page - 1) * size, limit=size)
        return {"items": rows, "total": total, "page": page, "page_size": size}


@bp.route("/incidents/<id:incident_id>")
class Incident(MethodView):
    @bp.response(200, schemas.IncidentOut)
    def get(self, incident_id):
        """One incident with its details (the stack or error summary)."""
        return incidents.get_incident(context(), actor(), incident_id)


@bp.route("/incidents/<id:incident_id>/retry")
class Retry(MethodView):
    @bp.response(200, schemas.IncidentRetried)
    def post(self, incident_id):
        """Retry: an external task becomes fetchable again (retries 1); a timer fires again now."""
        return incidents.retry(context(), actor(), incident_id)


@bp.route("/incidents/<id:incident_id>/resolve")
class Resolve(MethodView):
    @bp.arguments(schemas.ResolveIn)
    @bp.response(200, schemas.IncidentOut)
    def post(self, body, incident_id):
        """Close the incident with a note saying what was done."""
        return incidents.resolve(context(), actor(), incident_id, body["note"])
