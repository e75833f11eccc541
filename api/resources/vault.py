"""The applicant's own vault (云档案): her e-licences and documents, reused across her cases."""
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_materials as sm
from api.resources.materials import send, uploaded
from api.security import actor, context
from engine.services.materials import vault

bp = Blueprint("vault", __name__, url_prefix="/api/v1/vault", description="The applicant's vault (云档案)")

DOCUMENT = "/documents/<id:document_id>"


@bp.route("/documents")
class Documents(MethodView):
    @bp.response(200, sm.VaultDocumentOut(many=True))
    @bp.alt_response(403, schema=schemas.Problem, description="staff reach a vault only through a case")
    def get(self):
        """The caller's own documents (applicants); numbers are masked."""
        return vault.my_documents(context(), actor())

    @bp.arguments(sm.DocumentForm, location="form")
    @bp.arguments(sm.FileIn, location="files", as_kwargs=True)
    @bp.response(201, sm.VaultDocumentOut)
    @bp.alt_response(413, schema=schemas.Problem)
    @bp.alt_response(415, schema=schemas.Problem)
    @bp.alt_response(422, schema=schemas.Problem)
    def post(self, form, file=None):
        """File a scan in one's vault (trust level C until a window checks the original)."""
        doc = vault.NewDocument(form["kind"], form["title"], form.get("number"), form.get("issuer"),
                                form.get("valid_until"))
        return vault.upload_mine(context(), doc, uploaded(form.get("sha256")), actor())


@bp.route(DOCUMENT)
class Document(MethodView):
    @bp.response(200, sm.VaultDocumentOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, document_id):
        """One of the caller's documents (another applicant's does not exist for her)."""
        return vault.my_document(context(), document_id, actor())


@bp.route(DOCUMENT + "/file")
class DocumentFile(MethodView):
    @bp.response(200, content_type="application/octet-stream")
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, document_id):
        """The file of one of the caller's documents."""
        return send(vault.my_file(context(), document_id, actor()))
