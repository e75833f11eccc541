"""The web console: one Vue application (web/, built by Vite into web/dist) for the landing page,
the public guide (办事指南), the window workbench and the applicant portal. Flask serves the built
files from disk, so nothing is fetched from another origin (government networks are often
offline); every page path answers with the same index.html and the application's router picks the
page. Everything a page shows comes from the API with its own checks."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Blueprint, send_from_directory

from api.security import SecureResponse

WEB_DIST = Path(os.environ.get("LIANBAN_WEB_DIST") or Path(__file__).resolve().parent.parent / "web" / "dist")
# the paths the application's router owns (web/src/router.js)
PAGES = ("/", "/login", "/guide", "/guide/<path:rest>", "/console", "/console/<path:rest>", "/portal",
         "/portal/<path:rest>", "/ratings", "/rate/<path:rest>")      # 好差评: disclosure, a window's rating page

bp = Blueprint("console", __name__)


def _missing() -> SecureResponse:
    return SecureResponse("The web console is not built: run `./dev run` (it installs Node's packages and builds web/ "
                    "into web/dist), or `cd web && npm ci && npm run build`.\n", status=503, mimetype="text/plain")


def page(rest: str | None = None):
    index = WEB_DIST / "index.html"
    if not index.is_file():
        return _missing()
    response = send_from_directory(WEB_DIST, "index.html", max_age=0)
    response.headers["Cache-Control"] = "no-cache"            # a new build is picked up at once
    return response


for _rule in PAGES:
    bp.add_url_rule(_rule, view_func=page, endpoint="page")


@bp.get("/assets/<path:filename>")
def asset(filename: str):
    """Built chunks carry a content hash in their names, so they may be cached for a year."""
    if not (WEB_DIST / "assets").is_dir():
        return _missing()
    response = send_from_directory(WEB_DIST / "assets", filename, max_age=365 * 24 * 3600)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response


@bp.get("/favicon.svg")
def favicon():
    return send_from_directory(WEB_DIST, "favicon.svg", max_age=24 * 3600) if WEB_DIST.is_dir() else _missing()
