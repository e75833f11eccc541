"""The Flask app: every blueprint, the error handlers and the security hooks (see api/__init__.py)."""
from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from flask import Blueprint, Flask, send_from_directory
from flask_smorest import Api
from werkzeug.exceptions import HTTPException

import api.errors as errors
from api.console import bp as console_bp
from api.inputs import IdConverter, check_request, id_parameter_schema
from api.observability import Observed
from api.resources import (
    accounts,
    auth,
    calendar,
    cases,
    catalogue,
    definitions,
    diagrams,
    engine_rest,
    engine_rest_external,
    external_tasks,
    forms,
    health,
    incidents,
    items,
    lifecycle,
    materials,
    messages,
    migrations,
    org,
    packages,
    ratings,
    supervision,
    tasks,
    vault,
)
from api.security import SecureResponse, authenticate_request
from engine.domain.errors import LianbanError
from engine.services.context import Context

MAX_UPLOAD_BYTES = 10 * 1024 * 1024


class LianbanApi(Api):
    """flask-smorest, with every HTTP error rendered as problem+json."""

    def handle_http_exception(self, error):
        return errors.from_http(error)


def _docs_assets() -> Blueprint:
    """swagger-ui served from the installed swagger-ui-bundle package: no internet needed."""
    bp = Blueprint("docs_assets", __name__)
    root = Path(swagger_ui_bundle.swagger_ui_path)

    @bp.get("/api/docs/assets/<path:filename>")
    def asset(filename):
        return send_from_directory(root, filename)
    return bp


def create_app(config: dict | None = None, context: Context | None = None) -> Flask:
    app = Flask("api")          # the package: same root path and logger name as before api/app.py existed
    app.response_class = SecureResponse         # the security headers on every answer
    app.config.update(
        API_TITLE="Lianban 联办 API", API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api", OPENAPI_JSON_PATH="v1/openapi.json",
        OPENAPI_SWAGGER_UI_PATH="docs", OPENAPI_SWAGGER_UI_URL="/api/docs/assets/",
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES, JSON_AS_ASCII=False,
        API_SPEC_OPTIONS={
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"},
                                               "basicAuth": {"type": "http", "scheme": "basic"}}},
            "security": [{"bearerAuth": []}],
            "info": {"description": "Cases, tasks, deployments, supervision and the working-day calendar of "
                                    "Lianban. Every call needs `Authorization: Bearer <token>` (POST "
                                    "/api/v1/auth/login); errors are application/problem+json with a stable "
                                    "`code`."},
        },
    )
    app.config.update(config or {})
    app.json.ensure_ascii = False

    app.url_map.converters["id"] = IdConverter       # before any route is added: `<id:case_id>`
    api = LianbanApi(app)
    api.register_converter(IdConverter, id_parameter_schema)
    for module in (health, auth, items, catalogue, definitions, cases, lifecycle, tasks, supervision, calendar,
                   engine_rest, engine_rest_external, forms, packages, materials, vault, diagrams, org, ratings,
                   messages, migrations, incidents, external_tasks, accounts):
        api.register_blueprint(module.bp)
    api.register_blueprint(health.metrics_bp)
    app.register_blueprint(_docs_assets())

    app.before_request(authenticate_request)
    app.before_request(check_request)          # after authentication: nothing is parsed for strangers
    app.register_error_handler(LianbanError, errors.from_domain)

    @app.errorhandler(HTTPException)
    def http_error(exc):
        return errors.from_http(exc)

    app.register_blueprint(console_bp)
    return bind(app, context or Context.create(), config)


def bind(app: Flask, ctx: Context, config: dict | None = None) -> Flask:
    """What of the app depends on its context: create_app's last step. The tests bind one app
    (its routes and OpenAPI description take 0.2-0.5 s to build) to each test's context in turn
    (tests/conftest.py `app_for`)."""
    app.extensions["lianban"] = ctx
    if "MAX_CONTENT_LENGTH" not in (config or {}):
        # a material at its configured limit must fit in one request with its multipart envelope;
        # a larger file is refused (413) before any of it reaches a service
        app.config["MAX_CONTENT_LENGTH"] = max(MAX_UPLOAD_BYTES, ctx.settings.material_max_bytes + 64 * 1024)
    # request ids, and each request's count and latency in the metrics (api/observability.py)
    if isinstance(app.wsgi_app, Observed):
        app.wsgi_app.ctx = ctx
    else:
        app.wsgi_app = Observed(app.wsgi_app, ctx)
    return app
