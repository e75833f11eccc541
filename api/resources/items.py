"""Service items (政务服务事项) that cases are started for."""
from flask.views import MethodView
from flask_smorest import Blueprint
from sqlalchemy import or_, select

from api import schemas
from api.security import context
from engine.domain.errors import NotFound
from engine.store import tables as t

bp = Blueprint("items", __name__, url_prefix="/api/v1/service-items", description="Service items (事项)")

_I = t.item_implementation.c
_COLUMNS = (t.item_implementation.c.code, _I.local_code, _I.version, _I.status, t.item_implementation.c.name, t.item_implementation.c.category, t.item_implementation.c.process_key,
            t.item_implementation.c.deciding_tier, t.item_implementation.c.legal_limit, t.item_implementation.c.legal_unit,
            t.item_implementation.c.promise_limit, t.item_implementation.c.promise_unit, t.item_implementation.c.extension_limit)


@bp.route("")
class Items(MethodView):
    @bp.response(200, schemas.ServiceItemOut(many=True))
    def get(self):
        """Every published implementation entry with its time limits and process."""
        ctx = context()
        with ctx.uow.read() as conn:
            return [dict(r._mapping) for r in conn.execute(select(*_COLUMNS).where(_I.status == "published").order_by(_I.code))]


@bp.route("/<string(maxlength=64):code>")
class Item(MethodView):
    @bp.response(200, schemas.ServiceItemOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, code):
        """The published version of an implementation entry, by national or local implementation code."""
        ctx = context()
        with ctx.uow.read() as conn:
            row = conn.execute(select(*_COLUMNS).where(or_(_I.code == code, _I.local_code == code), _I.status == "published")).first()
        if row is None:
            raise NotFound(f"service item {code!r} does not exist", code="item_not_found", field="code")
        return dict(row._mapping)
