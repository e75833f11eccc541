from flask.views import MethodView
from flask_smorest import Blueprint

from api.security import context
from engine.services import health

bp = Blueprint("health", __name__, url_prefix="/api/v1", description="Liveness")


@bp.route("/health", endpoint="health")
class Health(MethodView):
    @bp.response(200)
    @bp.doc(security=[])
    def get(self):
        """Is the service up and its database reachable?"""
        return health.status(context())
