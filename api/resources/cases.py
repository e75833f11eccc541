"""Cases: start, read, list, audit trail, and the clock commands (accept, correction notice,
pause, resume, extend)."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
from api.security import actor, context
from engine.services import cases, time_limits

bp = Blueprint("cases", __name__, url_prefix="/api/v1/cases", description="Cases (办件)")


@bp.route("")
class Cases(MethodView):
    @bp.arguments(schemas.CaseListArgs(), location="query")
    @bp.response(200, schemas.CaseSummary(many=True))
    def get(self, args):
        """Cases in the caller's scope (cursor pagination by id: pass the last id as after_id)."""
        return cases.list_cases(context(), actor(), **args)

    @bp.arguments(schemas.StartIn())
    @bp.response(201, schemas.StartedOut)
    @bp.alt_response(409, schema=schemas.Problem, description="the Idempotency-Key was used for another request")
    @bp.alt_response(422, schema=schemas.Problem)
    @bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                         "schema": {"type": "string", "maxLength": 128},
                         "description": "a retried request with the same key returns the first case instead of a "
                                        "second one"}])
    def post(self, body):
        """Start a case at a window with item, applicant and form data; runs to the first wait."""
        started = cases.start_case(context(), cases.StartCase(**body), actor(),
                                   idempotency_key=request.headers.get("Idempotency-Key") or None)
        return {"id": started.case_id, "number": started.number, "version": started.version,
                "status": started.status, "tasks": list(started.tasks)}


@bp.route("/<id:case_id>")
class Case(MethodView):
    @bp.response(200, schemas.CaseOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, case_id):
        """One case; the applicant's ID number is masked."""
        return cases.get_case(context(), case_id, actor())


@bp.route("/<id:case_id>/events")
class Events(MethodView):
    @bp.response(200, schemas.AuditOut)
    def get(self, case_id):
        """The hash-chained audit trail, and whether the chain is intact."""
        events, broken = cases.audit_trail(context(), case_id, actor())
        return {"intact": broken is None, "broken_at": broken, "events": events}


@bp.route("/<id:case_id>/clock/accept")
class Accept(MethodView):
    @bp.response(204)
    def post(self, case_id):
        """受理: start the legal clock now."""
        time_limits.accept(context(), case_id, actor())


@bp.route("/<id:case_id>/clock/correction-notice")
class Correction(MethodView):
    @bp.arguments(schemas.NoticeIn())
    @bp.response(204)
    def post(self, body, case_id):
        """一次性告知: the one notice listing all materials to supplement, before acceptance."""
        time_limits.notify_correction(context(), case_id, body["notice"], actor())


@bp.route("/<id:case_id>/clock/pause")
class Pause(MethodView):
    @bp.arguments(schemas.PauseIn())
    @bp.response(204)
    def post(self, body, case_id):
        """Stop the clock for 补正, a special procedure (听证, 检验, 鉴定, 专家评审 …) or a hold."""
        time_limits.pause(context(), case_id, body["kind"], body["reason"], body["notice"], actor(),
                    procedure=body.get("procedure"))


@bp.route("/<id:case_id>/clock/resume")
class Resume(MethodView):
    @bp.arguments(schemas.ResumeIn())
    @bp.response(204)
    def post(self, body, case_id):
        """Resume the clock; deadlines are recomputed."""
        time_limits.resume(context(), case_id, actor(), result=body["result"])


@bp.route("/<id:case_id>/clock/extend")
class Extend(MethodView):
    @bp.arguments(schemas.ExtendIn())
    @bp.response(204)
    def post(self, body, case_id):
        """The one extension the law allows (a department head above the case)."""
        time_limits.extend(context(), case_id, body["reason"], actor(), amount=body.get("amount"))


@bp.route("/<id:case_id>/withdraw")
class Withdraw(MethodView):
    @bp.arguments(schemas.ReasonIn())
    @bp.response(204)
    @bp.alt_response(409, schema=schemas.Problem, description="the case is not running")
    def post(self, body, case_id):
        """撤件: withdraw a running case (the applicant, or a clerk for her)."""
        cases.withdraw(context(), case_id, body["reason"], actor())
