"""Service items (政务服务事项) that cases are started for."""
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import select

from api import schemas
from api.security import context
from engine.domain.errors import NotFound
from engine.store import tables as t

bp = Blueprint("items", __name__, url_prefix="/api/v1/service-items", description="Service items (事项)")

_COLUMNS = (t.service_item.c.code, t.service_item.c.name, t.service_item.c.category, t.service_item.c.process_key,
            t.service_item.c.deciding_tier, t.service_item.c.legal_limit, t.service_item.c.legal_unit,
            t.service_item.c.promise_limit, t.service_item.c.promise_unit, t.service_item.c.extension_limit)


@bp.route("")
class Items(MethodView):
    @bp.response(200, schemas.ServiceItemOut(many=True))
    def get(self):
        """Every service item with its time limits and process."""
        ctx = context()
        with ctx.uow.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(*_COLUMNS).order_by(t.service_item.c.code))]


@bp.route("/<string(maxlength=64):code>")
class Item(MethodView):
    @bp.response(200, schemas.ServiceItemOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, code):
        """One service item by its code."""
        ctx = context()
        with ctx.uow.read() as conn:
            row = conn.execute(select(*_COLUMNS).where(t.service_item.c.code == code)).first()
        if row is None:
            raise NotFound(f"service item {code!r} does not exist", code="item_not_found", field="code")
        return dict(row._mapping)
