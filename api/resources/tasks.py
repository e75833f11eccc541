"""Tasks: the caller's inbox and worklist, claim, hand back, complete (with Idempotency-Key), delegate
(to a colleague of the task's queue), return."""
from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint

import api.schemas as schemas
import api.schemas_workbench as sw
from api.security import actor, context
from engine.services import tasks

bp = Blueprint("tasks", __name__, url_prefix="/api/v1/tasks", description="Tasks (待办)")


@bp.route("")
class Inbox(MethodView):
    @bp.arguments(schemas.InboxArgs(), location="query")
    @bp.response(200, schemas.TaskOut(many=True))
    def get(self, args):
        """Open tasks routed to the caller's posts (claimed by her or unclaimed), oldest first;
        supervisors also get the supervisor queues of their subtree."""
        return tasks.inbox(context(), actor(), **args)


@bp.route("/workbench")
class Workbench(MethodView):
    @bp.arguments(sw.WorklistArgs(), location="query")
    @bp.response(200, sw.WorklistOut)
    def get(self, args):
        """The clerk's worklist: one page of open tasks of a scope (all, mine, unclaimed, window), filtered
        and sorted, with the case, item, masked applicant and working days left, and the counts of the
        caller's tabs."""
        return tasks.worklist(context(), actor(), **args)


@bp.route("/<string(maxlength=36):task_id>")
class Task(MethodView):
    @bp.response(200, sw.WorkItemOut)
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, task_id):
        """One task as the worklist shows it (open or done), for whoever may read its case."""
        return tasks.work_item(context(), task_id, actor())


@bp.route("/<string(maxlength=36):task_id>/colleagues")
class Colleagues(MethodView):
    @bp.response(200, sw.ColleagueOut(many=True))
    @bp.alt_response(404, schema=schemas.Problem)
    def get(self, task_id):
        """Who the caller may delegate this task to: the other active staff holding a post on its queue."""
        return tasks.colleagues(context(), task_id, actor())


@bp.route("/<string(maxlength=36):task_id>/claim")
class Claim(MethodView):
    @bp.response(200, schemas.TaskOut)
    @bp.alt_response(409, schema=schemas.Problem, description="someone else claimed it first")
    def post(self, task_id):
        """Claim an open task routed to one of the caller's posts."""
        return tasks.claim(context(), task_id, actor())


@bp.route("/<string(maxlength=36):task_id>/unclaim")
class Unclaim(MethodView):
    @bp.response(200, schemas.TaskOut)
    def post(self, task_id):
        """Hand a claimed task back to its queue."""
        return tasks.unclaim(context(), task_id, actor())


@bp.route("/<string(maxlength=36):task_id>/complete")
class Complete(MethodView):
    @bp.arguments(schemas.CompleteIn())
    @bp.response(200, schemas.CompletedOut)
    @bp.alt_response(409, schema=schemas.Problem, description="stale case version, or the task is closed")
    @bp.alt_response(422, schema=schemas.Problem, description="data the engine cannot accept")
    @bp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False,
                         "schema": {"type": "string", "maxLength": 128},
                         "description": "a retried request with the same key returns the first result"}])
    def post(self, body, task_id):
        """Complete the task with its form data; returns the tasks it opened."""
        return tasks.complete(context(), task_id, body["data"], actor(), expected_version=body.get("version"),
                              idempotency_key=request.headers.get("Idempotency-Key") or None)


@bp.route("/<string(maxlength=36):task_id>/delegate")
class Delegate(MethodView):
    @bp.arguments(schemas.DelegateIn())
    @bp.response(200, schemas.TaskOut)
    def post(self, body, task_id):
        """Hand the task to a colleague in the same queue."""
        return tasks.delegate(context(), task_id, body["to"], actor())


@bp.route("/<string(maxlength=36):task_id>/return")
class Return(MethodView):
    @bp.arguments(schemas.ReasonIn())
    @bp.response(200, schemas.CompletedOut)
    def post(self, body, task_id):
        """退回: send the case back to the step completed last, with a reason."""
        return tasks.return_to_previous(context(), task_id, body["reason"], actor())
