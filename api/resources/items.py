"""Service items (政务服务事项) that cases are started for."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
from api.security import context
from engine.services import catalogue

bp = Blueprint("items", __name__, url_prefix="/api/v1/service-items", description="Service items (事项)")


@bp.route("")
class Items(MethodView):
    @bp.response(200, schemas.ServiceItemOut(many=True))
    def get(self):
        """Every published implementation entry with its time limits and process."""
        return catalogue.published_items(context())


@bp.route("/<string(maxlength=64):code>")
class Item(MethodView):
    @bp.response(200, schemas.ServiceItemOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, code):
        """The published version of an implementation entry, by national or local implementation code."""
        return catalogue.published_item(context(), code)
