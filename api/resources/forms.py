"""Forms: a task's JSON Schema, and a deployed form by key (for rendering and integrators)."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_forms as schemas_forms
from api.security import actor, context
from engine.services.definitions import forms

bp = Blueprint("forms", __name__, url_prefix="/api/v1", description="Forms (JSON Schema 表单)")


@bp.route("/tasks/<string(maxlength=36):task_id>/form")
class TaskForm(MethodView):
    @bp.response(200, schemas_forms.FormOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, task_id):
        """The task's form as deployed with its case's process version (schema null: no form)."""
        return forms.task_form(context(), task_id, actor())


@bp.route("/forms/<string(maxlength=160):key>")
class Form(MethodView):
    @bp.response(200, schemas_forms.FormOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, key):
        """A form by key (e.g. an item's application form), from the newest process version using it."""
        actor()
        return forms.deployed_form(context(), key)
