"""A case's materials (upload, vault document, declaration, 容缺, verification), its files, its
applicant's vault as staff see it through the case, and the proxy mandate (委托书)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_materials as sm
from api.security import SecureResponse, actor, context
from engine.domain.errors import ValidationError
from engine.services import materials
from engine.services.materials import blobs, mandates, vault

bp = Blueprint("materials", __name__, url_prefix="/api/v1/cases", description="Case materials (材料), mandates")

CASE = "/<id:case_id>"
MATERIAL = CASE + "/materials/<string(maxlength=32):code>"
_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/tiff": "tif",
               "application/ofd": "ofd"}


def uploaded(sha256: str | None = None, required: bool = True) -> blobs.Upload | None:
    """The one file of a multipart request (field `file`)."""
    f = request.files.get("file")
    if f is None:
        if required:
            raise ValidationError("upload the file as multipart/form-data field `file`", code="file_required",
                                  field="file")
        return None
    return blobs.Upload(f.read(), f.filename, f.mimetype, sha256)


def send(stored: blobs.StoredFile) -> SecureResponse:
    name = f"{stored.sha256}.{_EXTENSIONS.get(stored.media_type, 'bin')}"
    return SecureResponse(stored.content, mimetype=stored.media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "X-Content-Type-Options": "nosniff"})


@bp.route(CASE + "/materials")
class Materials(MethodView):
    @bp.response(200, sm.MaterialsOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, case_id):
        """The item's materials and how each is satisfied; completeness for acceptance (受理)."""
        return materials.case_materials(context(), case_id, actor())


@bp.route(MATERIAL + "/upload")
class Upload(MethodView):
    @bp.arguments(sm.UploadForm, location="form")
    @bp.arguments(sm.FileIn, location="files", as_kwargs=True)
    @bp.response(204)
    @bp.alt_response(413, schema=schemas.Problem, description="over the size limit; nothing stored")
    @bp.alt_response(415, schema=schemas.Problem, description="a type not accepted (sniffed from the bytes)")
    @bp.alt_response(422, schema=schemas.Problem)
    def post(self, form, case_id, code, file=None):
        """Upload a file for one material (trust level C until a window verifies the original)."""
        materials.upload(context(), case_id, code, uploaded(form.get("sha256")), actor())


@bp.route(MATERIAL + "/vault")
class FromVault(MethodView):
    @bp.arguments(sm.AttachIn)
    @bp.response(204)
    @bp.alt_response(404, schema=schemas.Problem)
    def post(self, body, case_id, code):
        """Satisfy a material with a document of the applicant's vault (e-licence: trust level A)."""
        materials.attach_document(context(), case_id, code, body["document_id"], actor())


@bp.route(MATERIAL + "/declaration")
class Declaration(MethodView):
    @bp.arguments(sm.DeclarationIn)
    @bp.response(204)
    def post(self, body, case_id, code):
        """告知承诺: a self-declaration instead of the material (trust level D)."""
        materials.declare(context(), case_id, code, body["text"], actor())


@bp.route(MATERIAL + "/tolerate")
class Tolerate(MethodView):
    @bp.arguments(sm.TolerateIn)
    @bp.response(204)
    @bp.alt_response(422, schema=schemas.Problem)
    def post(self, body, case_id, code):
        """容缺受理: a secondary material follows by a committed date within the promised limit."""
        materials.tolerate(context(), case_id, code, body["deadline"], body["commitment"], actor())


@bp.route(MATERIAL + "/verify")
class Verify(MethodView):
    @bp.response(204)
    @bp.alt_response(409, schema=schemas.Problem)
    def post(self, case_id, code):
        """Window staff checked the original of an upload: trust level C → B."""
        materials.verify(context(), case_id, code, actor())


@bp.route(CASE + "/files/<string(length=64):sha256>")
class CaseFile(MethodView):
    @bp.response(200, content_type="application/octet-stream")
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, case_id, sha256):
        """A file the case refers to (a material, the mandate, or its applicant's vault)."""
        return send(materials.case_file(context(), case_id, sha256, actor()))


@bp.route(CASE + "/vault")
class CaseVault(MethodView):
    @bp.response(200, sm.VaultDocumentOut(many=True))
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, case_id):
        """The case applicant's vault documents (numbers masked), for whoever may read the case."""
        return vault.documents_for_case(context(), case_id, actor())


@bp.route(CASE + "/mandate")
class Mandate(MethodView):
    @bp.arguments(sm.MandateForm, location="form")
    @bp.arguments(sm.OptionalFileIn, location="files", as_kwargs=True)
    @bp.response(204)
    @bp.alt_response(409, schema=schemas.Problem, description="the case was not taken in by proxy")
    @bp.alt_response(422, schema=schemas.Problem)
    def post(self, form, case_id, file=None):
        """代办服务委托书: record the proxy mandate (signed file, or a vault document)."""
        mandates.record(context(), case_id, mandates.Mandate(form["scope"], form["signed_on"], form.get("document_id")),
                        uploaded(required=False), actor())
