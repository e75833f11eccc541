"""Authentication: every API call carries a bearer token (login session or service token);
Camunda Modeler's deploy button may also send Basic credentials. Authorization is done by the
services with the actor built here."""
from __future__ import annotations

import base64
import binascii

from flask import current_app, g, request

from engine.domain.actor import Actor
from engine.services.accounts import auth

# the public guide (办事指南) is read without logging in
PUBLIC_ENDPOINTS = {"health.health", "auth.Login", "catalogue.PublicItems", "catalogue.PublicItem",
                    "api-docs.openapi_json", "api-docs.openapi_swagger_ui",
                    "docs_assets.asset", "console.overview", "console.console", "console.static", "static"}


def context():
    return current_app.extensions["lianban"]


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return None


def authenticate_request() -> None:
    """before_request: resolve the caller for every non-public endpoint (401 otherwise)."""
    req = request._get_current_object()      # one proxy lookup instead of one per attribute
    endpoint = req.endpoint
    if endpoint in PUBLIC_ENDPOINTS or endpoint is None or req.method == "OPTIONS":
        return
    ctx = current_app.extensions["lianban"]
    header = req.headers.get("Authorization", "")
    lowered = header[:7].lower()
    if lowered.startswith("basic ") and req.path.startswith("/engine-rest/"):
        g.actor = _basic(ctx, header[6:])
        return
    # what bearer_token() reads, from the header already at hand
    token = (header[7:].strip() or None) if lowered == "bearer " else None
    g.actor = auth.authenticate(ctx, token)


def _basic(ctx, encoded: str) -> Actor:
    try:
        username, _, password = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (binascii.Error, UnicodeDecodeError):
        raise auth.Unauthenticated("malformed Basic credentials", code="credentials_malformed") from None
    if "\x00" in username or "\x00" in password:       # no account has one; PostgreSQL cannot compare it
        raise auth.Unauthenticated("malformed Basic credentials", code="credentials_malformed")
    return auth.verify_password(ctx, username, password)


def actor() -> Actor:
    return g.actor
