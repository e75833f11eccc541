"""A read-only overview page so `lianban run` has something to open in a browser; the full
web console arrives with the API issue."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template
from sqlalchemy import func, select

from engine.store.models import Case, OrgUnit, ProcessDefinition, ServiceItem, Task, Timer

bp = Blueprint("console", __name__)


@bp.get("/")
def overview():
    ctx = current_app.extensions["lianban"]
    with ctx.uow.read() as conn:
        units = conn.execute(select(OrgUnit.__table__).order_by(OrgUnit.path)).all()
        items = conn.execute(select(ServiceItem.__table__).order_by(ServiceItem.code)).all()
        defs = conn.execute(select(ProcessDefinition.key, func.max(ProcessDefinition.version))
                               .group_by(ProcessDefinition.key).order_by(ProcessDefinition.key)).all()
        counts = {
            "cases": conn.execute(select(func.count()).select_from(Case)).scalar(),
            "open_tasks": conn.execute(select(func.count()).select_from(Task).where(Task.state == "open")).scalar(),
            "pending_timers": conn.execute(select(func.count()).select_from(Timer)
                                              .where(Timer.state == "pending")).scalar(),
        }
    return render_template("overview.html", units=units, items=items, definitions=defs, counts=counts)
