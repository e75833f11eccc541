"""Lianban's own external-task API (docs/integration.md#lianbans-own-api): the same worker
operations as /engine-rest/external-task in Lianban's style (snake_case, plain JSON variables,
problem+json errors with a code and the field), plus what operators read: the list with filters,
one task, the open tasks per topic. Worker operations: the `integration` role and administrators;
reads: those, designers, and supervisors within their subtree. Checked in the service layer."""
from flask.views import MethodView
from flask_smorest import Blueprint

import re

import api.errors as errors
import api.hangup as hangup
import api.schemas as schemas
import api.schemas_external_tasks as io
from api.security import actor, context
from engine.domain.errors import LianbanError
from engine.services import external_tasks

bp = Blueprint("external_tasks", __name__, url_prefix="/api/v1",
               description="External tasks: service tasks done by workers (integration accounts), and what "
                           "operators see of them")

# the service names fields as Camunda's requests do; here the error names this API's field
_FIELDS = {"workerId": "worker_id", "maxTasks": "max_tasks", "asyncResponseTimeout": "async_response_timeout_ms",
           "retryTimeout": "retry_timeout_ms", "newDuration": "new_duration_ms", "errorCode": "error_code",
           "errorMessage": "error_message", "errorDetails": "error_details", "topicName": "topic",
           "lockDuration": "lock_duration_ms"}


@bp.errorhandler(LianbanError)
def _our_fields(exc: LianbanError):
    if exc.field:
        exc.field = re.sub(r"[A-Za-z]+", lambda m: _FIELDS.get(m.group(0), m.group(0)), exc.field)
    return errors.from_domain(exc)


_WORKER_ERRORS = (
    (403, "role_required: integration or admin"),
    (404, "external_task_not_found: no such open task"),
    (409, "external_task_locked_by_other: another worker holds the lock (or none does); "
          "external_task_lock_expired; continuation_failed: the workflow failed after it (an incident)"),
)


def _errors(fn):
    for status, text in _WORKER_ERRORS:
        fn = bp.alt_response(status, schema=schemas.Problem, description=text)(fn)
    return fn


@bp.route("/external-tasks")
class ExternalTasks(MethodView):
    @bp.arguments(io.ExternalTaskFilter, location="query")
    @bp.response(200, io.ExternalTaskPage)
    @bp.alt_response(403, schema=schemas.Problem, description="role_required")
    def get(self, args):
        """External tasks in id order, filtered by topic, case, state, lock, worker, incident and
        retries; one page. Supervisors see those of their subtree."""
        page, size = args["page"], args["page_size"]
        rows, total = external_tasks.list_external_tasks(
            context(), actor(), topic=args.get("topic"), case_id=args.get("case_id"), state=args.get("state"),
            locked=args.get("locked"), worker=args.get("worker"), has_incident=args.get("has_incident"),
            retries=args.get("retries"), offset=(page - 1) * size, limit=size, workers_only=False)
        return {"items": rows, "total": total, "page": page, "page_size": size}


@bp.route("/external-tasks/topics")
class Topics(MethodView):
    @bp.response(200, io.ExternalTopics)
    @bp.alt_response(403, schema=schemas.Problem, description="role_required")
    def get(self):
        """The open tasks of each topic: available, locked, backing off, out of retries."""
        return {"items": external_tasks.topics(context(), actor())}


@bp.route("/external-tasks/<id:task_id>")
class ExternalTask(MethodView):
    @bp.response(200, io.ExternalTaskDetail)
    @bp.alt_response(403, schema=schemas.Problem, description="role_required")
    @bp.alt_response(404, schema=schemas.Problem, description="external_task_not_found (or outside one's scope)")
    def get(self, task_id):
        """One external task, with the last failure's details."""
        return external_tasks.get_external_task(context(), actor(), task_id)


@bp.route("/external-tasks/fetch-and-lock")
class FetchAndLock(MethodView):
    @bp.arguments(io.WorkerFetchIn)
    @bp.response(200, io.WorkerLockedTasks)
    @bp.alt_response(403, schema=schemas.Problem, description="role_required: integration or admin")
    def post(self, body):
        """Lock up to max_tasks available tasks of the topics for the worker; with
        async_response_timeout_ms and none available, wait up to that long (at most 60 s)."""
        topics = [external_tasks.TopicRequest(t["topic"], t["lock_duration_ms"],
                                              tuple(t["variables"]) if t.get("variables") is not None else None,
                                              tuple(t["process_keys"]) if t.get("process_keys") else None)
                  for t in body["topics"]]
        locked = external_tasks.fetch_and_lock(context(), actor(), body["worker_id"], body["max_tasks"], topics,
                                               body["use_priority"], wait_ms=body["async_response_timeout_ms"],
                                               gone=hangup.watcher())
        return {"items": locked}


@bp.route("/external-tasks/<id:task_id>/complete")
class Complete(MethodView):
    @bp.arguments(io.WorkerCompleteIn)
    @bp.response(200, io.WorkerMoved)
    @bp.alt_response(413, schema=schemas.Problem, description="variables_too_large")
    @_errors
    def post(self, body, task_id):
        """The worker did the work: its variables join the case's data and the case goes on."""
        return external_tasks.complete(context(), actor(), task_id, body["worker_id"], body["variables"])


@bp.route("/external-tasks/<id:task_id>/failure")
class Failure(MethodView):
    @bp.arguments(io.WorkerFailureIn)
    @bp.response(204)
    @_errors
    def post(self, body, task_id):
        """The worker could not do it: with retries left the task comes back after retry_timeout_ms;
        with 0 an incident is raised."""
        external_tasks.failure(context(), actor(), task_id, body["worker_id"], body.get("error_message"),
                               body.get("error_details"), body["retries"], body["retry_timeout_ms"])


@bp.route("/external-tasks/<id:task_id>/bpmn-error")
class BpmnError(MethodView):
    @bp.arguments(io.WorkerBpmnErrorIn)
    @bp.response(200, io.WorkerMoved)
    @bp.alt_response(413, schema=schemas.Problem, description="variables_too_large")
    @_errors
    def post(self, body, task_id):
        """A business error: the error boundary event with error_code takes the case on (an incident
        when nothing catches it)."""
        return external_tasks.bpmn_error(context(), actor(), task_id, body["worker_id"], body["error_code"],
                                         body.get("error_message"), body["variables"])


@bp.route("/external-tasks/<id:task_id>/extend-lock")
class ExtendLock(MethodView):
    @bp.arguments(io.WorkerExtendLockIn)
    @bp.response(204)
    @_errors
    def post(self, body, task_id):
        """More time for the worker's live lock: new_duration_ms from now."""
        external_tasks.extend_lock(context(), actor(), task_id, body["worker_id"], body["new_duration_ms"])


@bp.route("/external-tasks/<id:task_id>/unlock")
class Unlock(MethodView):
    @bp.response(204)
    @bp.alt_response(403, schema=schemas.Problem, description="role_required: integration or admin")
    @bp.alt_response(404, schema=schemas.Problem, description="external_task_not_found")
    def post(self, task_id):
        """Give the task back at once: any worker may fetch it."""
        external_tasks.unlock(context(), actor(), task_id)
