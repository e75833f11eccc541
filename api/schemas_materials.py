"""Schemas of materials, the applicant's vault (云档案) and mandates (委托书)."""
from marshmallow import Schema, fields, validate

from api.schemas import Id, Strict
from engine.domain.materials import MANDATE_SCOPES

Binary = {"type": "string", "format": "binary"}


class FileIn(Schema):
    file = fields.Raw(required=True, metadata=Binary)


class OptionalFileIn(Schema):
    file = fields.Raw(metadata=Binary)


class UploadForm(Schema):
    sha256 = fields.String(validate=validate.Length(max=128),
                           metadata={"description": "the file's SHA-256 (hex) as the client computed it; "
                                                    "a different hash is refused (material_hash_mismatch)"})


class AttachIn(Strict):
    document_id = Id(strict=True, required=True)


class DeclarationIn(Strict):
    text = fields.String(required=True, validate=validate.Length(min=1, max=4000))


class TolerateIn(Strict):
    deadline = fields.Date(required=True, metadata={"description": "the committed supplement date (容缺), "
                                                                   "within the item's promised limit"})
    commitment = fields.String(required=True, validate=validate.Length(min=1, max=4000),
                               metadata={"description": "text of the signed 容缺受理承诺书"})


class MandateForm(Schema):
    scope = fields.String(required=True, validate=validate.OneOf(MANDATE_SCOPES))
    signed_on = fields.Date(required=True)
    document_id = Id()


class MaterialOut(Schema):
    code = fields.String()
    name = fields.String()
    required = fields.Boolean()
    tolerable = fields.Boolean()
    licence_types = fields.List(fields.String())
    status = fields.String(metadata={"description": "missing | satisfied | unverified (trust C) | tolerated"})
    mode = fields.String(allow_none=True)
    trust_level = fields.String(allow_none=True)
    auto_filled = fields.Boolean()
    document_id = fields.Integer(allow_none=True)
    sha256 = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    deadline = fields.Date(allow_none=True)
    verified_by = fields.String(allow_none=True)


class MandateOut(Schema):
    agent = fields.String()
    principal = fields.String()
    scope = fields.String()
    signed_on = fields.Date()
    sha256 = fields.String(allow_none=True)
    filename = fields.String(allow_none=True)
    document_id = fields.Integer(allow_none=True)
    recorded_at = fields.DateTime()


class MaterialsOut(Schema):
    complete = fields.Boolean(metadata={"description": "every required material is there or tolerated, and a "
                                                       "proxy case has its mandate"})
    ready = fields.Boolean(metadata={"description": "complete, and no user upload waits for verification"})
    missing = fields.List(fields.String())
    unverified = fields.List(fields.String())
    tolerated = fields.List(fields.String())
    mandate_required = fields.Boolean()
    mandate = fields.Nested(MandateOut, allow_none=True)
    materials = fields.List(fields.Nested(MaterialOut))


class VaultDocumentOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    title = fields.String()
    number_masked = fields.String(allow_none=True)
    issuer = fields.String(allow_none=True)
    valid_until = fields.Date(allow_none=True)
    trust_level = fields.String(metadata={"description": "A e-licence, B verified at a window, C uploaded, "
                                                         "D declared"})
    source = fields.String()
    has_file = fields.Boolean()
    media_type = fields.String(allow_none=True)
    size = fields.Integer(allow_none=True)
    created_at = fields.DateTime()
    verified_at = fields.DateTime(allow_none=True)


class DocumentForm(Schema):
    kind = fields.String(required=True, validate=validate.Length(min=1, max=48))
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    number = fields.String(validate=validate.Length(max=64))
    issuer = fields.String(validate=validate.Length(max=200))
    valid_until = fields.Date()
    sha256 = fields.String(validate=validate.Length(max=128))
