"""HTTP layer. `create_app` builds the Flask app; it starts no threads and no scheduler."""
from __future__ import annotations

from flask import Flask, jsonify
from sqlalchemy import text

from engine.domain.errors import LianbanError
from engine.services.context import Context


def create_app(config: dict | None = None, context: Context | None = None) -> Flask:
    app = Flask(__name__)
    app.config.update(config or {})
    ctx = context or Context.create()
    app.extensions["lianban"] = ctx

    @app.get("/api/v1/health")
    def health():
        with ctx.uow.read() as conn:
            conn.execute(text("SELECT 1"))
        return jsonify(status="ok", database=ctx.engine.dialect.name)

    @app.errorhandler(LianbanError)
    def domain_error(exc: LianbanError):
        from api.errors import status_for
        response = jsonify(exc.to_dict())
        response.status_code = status_for(exc)
        response.mimetype = "application/problem+json"
        return response

    from api.console import bp as console_bp
    app.register_blueprint(console_bp)
    return app
