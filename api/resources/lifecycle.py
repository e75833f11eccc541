"""The lawful end of a case (docs/lifecycle.md#states-and-events): 退件 and 不予受理 before the decision, 送达 after
it, and the documents (文书) each step issued."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_lifecycle as s
from api.security import SecureResponse, actor, context
from engine.services import delivery
from engine.services.cases import documents, lifecycle

bp = Blueprint("case_lifecycle", __name__, url_prefix="/api/v1/cases", description="Case lifecycle and documents")
CASE = "/<id:case_id>"


@bp.route(CASE + "/return")
class Return(MethodView):
    @bp.arguments(s.ReturnIn)
    @bp.response(201, s.IssuedOut)
    @bp.alt_response(409, schema=schemas.Problem, description="the case is decided or closed")
    def post(self, body, case_id):
        """退件: the agency returns a case before its decision; issues the 退件通知书."""
        return lifecycle.return_case(context(), case_id, body["reason"], actor())


@bp.route(CASE + "/not-accept")
class NotAccept(MethodView):
    @bp.arguments(s.NotAcceptIn)
    @bp.response(201, s.IssuedOut)
    @bp.alt_response(409, schema=schemas.Problem, description="the case is already accepted or closed")
    def post(self, body, case_id):
        """不予受理 (Art. 32): with the reason and the competent agency; issues the 不予受理通知书."""
        return lifecycle.not_accept(context(), case_id, body["reason"], actor(), ground=body.get("ground"),
                                    competent_agency=body.get("competent_agency"))


@bp.route(CASE + "/deliver")
class Deliver(MethodView):
    @bp.arguments(s.DeliverIn)
    @bp.response(201, s.IssuedOut)
    @bp.alt_response(409, schema=schemas.Problem, description="no decision yet, or already delivered")
    def post(self, body, case_id):
        """送达: deliver the decided result by pickup, mail (tracking number) or e-licence; issues the 送达回执."""
        return delivery.deliver(context(), case_id, delivery.Delivery(**body), actor())


@bp.route(CASE + "/documents")
class Documents(MethodView):
    @bp.response(200, s.DocumentOut(many=True))
    def get(self, case_id):
        """The documents issued on the case, oldest first."""
        return documents.list_documents(context(), case_id, actor())


# a second policy beside the one on every answer: a browser obeys both
DOCUMENT_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"


@bp.route(CASE + "/documents/<id:document_id>")
class Document(MethodView):
    @bp.response(200, content_type="text/html")
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, case_id, document_id):
        """One document as issued (HTML), shown in the browser (`?download=1`: saved as a file).
        It is opened sandboxed: no script, no form, nothing from elsewhere, whatever a case's data
        put into it (the templates escape it too)."""
        info, content = documents.get_document(context(), case_id, document_id, actor())
        disposition = "attachment" if request.args.get("download") else "inline"
        return SecureResponse(content, mimetype="text/html",
                        headers={"Content-Disposition": f'{disposition}; filename="{info.number}.html"',
                                 "Content-Security-Policy": DOCUMENT_POLICY, "X-Content-SHA256": info.sha256})
