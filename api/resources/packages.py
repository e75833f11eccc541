"""一件事 packages: define (admin), read, start (one parent + one child case per item), the
combined result of a package case, and withdrawing it (cascades to open children)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_forms as schemas_forms
from api.security import actor, context
from engine.services import packages

bp = Blueprint("packages", __name__, url_prefix="/api/v1", description="一件事 packages (联办)")


@bp.route("/packages")
class Packages(MethodView):
    @bp.arguments(schemas_forms.PackageIn)
    @bp.response(201, schemas_forms.PackageOut)
    @bp.alt_response(422, schema=schemas.Problem, description="unknown member, or conflicting form fields")
    def post(self, body):
        """Define a package: merged form and material set are built now (administrators)."""
        return packages.define_package(context(), packages.PackageSpec(**body), actor())


@bp.route("/packages/<string(maxlength=64):code>")
class Package(MethodView):
    @bp.response(200, schemas_forms.PackageOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, code):
        """A package with its merged form (一表申请) and material set (一套材料)."""
        actor()
        return packages.get_package(context(), code)


@bp.route("/packages/<string(maxlength=64):code>/cases")
class StartPackage(MethodView):
    @bp.arguments(schemas_forms.StartPackageIn)
    @bp.response(201, schemas_forms.PackageStartedOut)
    @bp.alt_response(409, schema=schemas.Problem, description="the Idempotency-Key was used for another request")
    @bp.alt_response(422, schema=schemas.Problem)
    @bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                         "schema": {"type": "string", "maxLength": 128},
                         "description": "a retried request with the same key returns the first package's cases "
                                        "instead of new ones"}])
    def post(self, body, code):
        """Start the package: one parent case and one child case per item, in one transaction."""
        return packages.start_package(context(), packages.StartPackage(code=code, **body), actor(),
                                      idempotency_key=request.headers.get("Idempotency-Key") or None)


@bp.route("/cases/<id:case_id>/package")
class PackageCase(MethodView):
    @bp.response(200, schemas_forms.PackageCaseOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, case_id):
        """The combined result of a package case, derived from its children."""
        return packages.package_case(context(), case_id, actor())


@bp.route("/cases/<id:case_id>/package/withdraw")
class WithdrawPackage(MethodView):
    @bp.arguments(schemas.ReasonIn)
    @bp.response(204)
    def post(self, body, case_id):
        """撤件 of the whole package: the parent and every open child."""
        packages.withdraw_package(context(), case_id, body["reason"], actor())
