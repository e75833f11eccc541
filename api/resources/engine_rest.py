"""Camunda 7 REST compatibility for Camunda Modeler's "Deploy" button:
POST /engine-rest/deployment/create (multipart: deployment-name, deployment-source, files)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.resources.definitions import uploaded_files
from api.security import actor, context
from engine.services import definitions

bp = Blueprint("engine_rest", __name__, url_prefix="/engine-rest", description="Camunda 7 REST subset (deploy)")


@bp.route("/deployment/create")
class Create(MethodView):
    @bp.response(200)
    def post(self):
        """Deploy like Camunda 7's REST API, with Lianban's validation (Bearer or Basic auth)."""
        name = request.form.get("deployment-name") or "camunda modeler deployment"
        result = definitions.deploy(context(), uploaded_files(), actor(), name=name)
        return {
            "id": str(result.deployment_id) if result.deployment_id is not None else None,
            "name": name, "source": request.form.get("deployment-source"),
            "deployedProcessDefinitions": {
                f"{p.key}:{p.version}:{p.definition_id}": {"id": f"{p.key}:{p.version}:{p.definition_id}",
                                                           "key": p.key, "version": p.version}
                for p in result.processes if p.created},
        }
