from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import text

from api.security import context

bp = Blueprint("health", __name__, url_prefix="/api/v1", description="Liveness")


@bp.route("/health", endpoint="health")
class Health(MethodView):
    @bp.response(200)
    @bp.doc(security=[])
    def get(self):
        """Is the service up and its database reachable?"""
        ctx = context()
        with ctx.uow.read() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok", "database": ctx.engine.dialect.name}
