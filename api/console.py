"""The web pages: an overview of the demo (public: organisation, items, versions — no personal
data), the public guide (办事指南, /guide) and the console (/console: window staff, supervisors and
the applicant portal), thin clients of the HTTP API."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import func, select

from engine.store.models import Case, ItemImplementation, OrgUnit, ProcessDefinition, Task, Timer

bp = Blueprint("console", __name__, static_folder="static", static_url_path="/console/static")


@bp.get("/")
def overview():
    ctx = current_app.extensions["lianban"]
    with ctx.uow.read() as conn:
        units = conn.execute(select(OrgUnit.__table__).order_by(OrgUnit.path)).all()
        items = conn.execute(select(ItemImplementation.__table__).order_by(ItemImplementation.code)).all()
        defs = conn.execute(select(ProcessDefinition.key, func.max(ProcessDefinition.version))
                               .group_by(ProcessDefinition.key).order_by(ProcessDefinition.key)).all()
        counts = {
            "cases": conn.execute(select(func.count()).select_from(Case)).scalar(),
            "open_tasks": conn.execute(select(func.count()).select_from(Task).where(Task.state == "open")).scalar(),
            "pending_timers": conn.execute(select(func.count()).select_from(Timer)
                                              .where(Timer.state == "pending")).scalar(),
        }
    return render_template("overview.html", units=units, items=items, definitions=defs, counts=counts)


# One view for both pages so they share the public endpoint `console.console` (api/security.py):
# the pages are static shells; everything they show comes from the API with its own checks.
@bp.get("/console", defaults={"page": "console"})
@bp.get("/guide", defaults={"page": "guide"})
def console(page: str):
    return render_template(f"{page}.html")
