"""The web pages: an overview of the demo (public: organisation, items, versions — no personal
data), the public guide (办事指南, /guide) and the console (/console: window staff, supervisors and
the applicant portal), thin clients of the HTTP API."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template

from engine.services import supervision

bp = Blueprint("console", __name__, static_folder="static", static_url_path="/console/static")


@bp.get("/")
def overview():
    shown = supervision.overview(current_app.extensions["lianban"])
    return render_template("overview.html", units=shown.units, items=shown.items, definitions=shown.definitions,
                           counts=shown.counts)


# One view for both pages so they share the public endpoint `console.console` (api/security.py):
# the pages are static shells; everything they show comes from the API with its own checks.
@bp.get("/console", defaults={"page": "console"})
@bp.get("/guide", defaults={"page": "guide"})
def console(page: str):
    return render_template(f"{page}.html")
