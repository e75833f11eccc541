from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

from api.security import SecureResponse, context, session_token
from engine import metrics
from engine.services import health, monitoring

bp = Blueprint("health", __name__, url_prefix="/api/v1", description="Liveness, readiness and metrics")
metrics_bp = Blueprint("metrics", __name__, url_prefix="", description="Prometheus metrics")

_READY_DOC = {"200": {"description": "the database answers and the schema is at the migrations' head"},
              "503": {"description": "a check failed: `checks` says which and why"}}
_METRICS_DOC = {"200": {"description": "Prometheus text exposition format",
                        "content": {metrics.CONTENT_TYPE.split(";")[0]: {"schema": {"type": "string"}}}},
                "401": {"description": "a token that is neither the metrics token nor a session"},
                "403": {"description": "not the metrics token, an allowed address or an administrator"}}


@bp.route("/health", endpoint="health")
class Health(MethodView):
    @bp.response(200)
    @bp.doc(security=[])
    def get(self):
        """Is the service up and its database reachable?"""
        return health.status(context())


@bp.route("/health/live", endpoint="live")
class Live(MethodView):
    @bp.response(200)
    @bp.doc(security=[])
    def get(self):
        """Does the process answer? (Checks nothing else: for a liveness probe.)"""
        return health.live()


@bp.route("/health/ready", endpoint="ready")
class Ready(MethodView):
    @bp.doc(security=[], responses=_READY_DOC)
    def get(self):
        """Can the process serve: does the database answer and is its schema at the head? 200 or 503."""
        ok, body = health.ready(context())
        return body, 200 if ok else 503


@metrics_bp.route("/metrics", endpoint="metrics")
class Metrics(MethodView):
    @metrics_bp.doc(responses=_METRICS_DOC)
    def get(self):
        """The process's (or, with PROMETHEUS_MULTIPROC_DIR, the server's) metrics for Prometheus."""
        ctx = context()
        monitoring.require_metrics_access(ctx, request.remote_addr, session_token())
        return SecureResponse(monitoring.metrics_text(ctx), content_type=metrics.CONTENT_TYPE)
