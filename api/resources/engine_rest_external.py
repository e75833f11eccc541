"""Camunda 7 REST for external-task workers (docs/integration.md#external-tasks): fetchAndLock,
complete, failure, bpmnError, extendLock, unlock, the task list; and GET /incident. Same
authentication and Camunda-shaped errors as the rest of /engine-rest (api/resources/engine_rest.py).
Camunda's ids are text: an id that is not a Lianban row id is simply not found."""
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

import api.engine_rest_errors as errors
import api.hangup as hangup
import api.schemas_integration as schemas
from api.schemas_engine_rest import CamundaError
from api.security import actor, context
from engine.domain import camunda as rules
from engine.domain.errors import LianbanError, NotFound
from engine.services import external_tasks, incidents

bp = Blueprint("engine_rest_external", __name__, url_prefix="/engine-rest",
               description="Camunda 7 REST for external-task workers and incidents (Basic or Bearer auth; "
                           "Camunda-shaped errors); the integration role or an administrator")
bp.register_error_handler(LianbanError, errors.from_domain)
bp.register_error_handler(HTTPException, errors.from_http)

_AUTH = {"401": "AuthenticationException", "403": "AuthorizationException: the integration role or admin"}


def _task_id(text: str) -> int:
    if text.isascii() and text.isdigit() and 0 < int(text) < 2 ** 31:
        return int(text)
    raise NotFound(f"External task with id {text[:40]} does not exist", code="external_task_not_found", field="id")


def _auth_responses(fn):
    fn = bp.alt_response(401, schema=CamundaError, description=_AUTH["401"])(fn)
    return bp.alt_response(403, schema=CamundaError, description=_AUTH["403"])(fn)


def _locked(task: external_tasks.LockedTask, variables: dict) -> dict:
    return {"id": str(task.id), "topicName": task.topic, "workerId": task.worker_id,
            "lockExpirationTime": rules.format_date(task.lock_expires_at),
            "createTime": rules.format_date(task.created_at),
            "processInstanceId": str(task.case_id), "processDefinitionKey": task.process_key,
            "processDefinitionId": None, "activityId": task.element_id, "activityInstanceId": None,
            "executionId": None, "retries": task.retries, "errorMessage": task.error_message, "errorDetails": None,
            "priority": task.priority, "suspended": False, "tenantId": None, "businessKey": None,
            "extensionProperties": {}, "variables": rules.typed_plain(variables)}


@bp.route("/external-task/fetchAndLock")
class FetchAndLock(MethodView):
    @bp.arguments(schemas.FetchAndLockIn(), error_status_code=400)
    @bp.response(200, schemas.LockedExternalTaskOut(many=True))
    @bp.alt_response(400, schema=CamundaError, description="InvalidRequestException")
    @_auth_responses
    def post(self, body):
        """Fetch up to maxTasks available tasks of the topics and lock them for the worker (each for its
        topic's lockDuration, in ms); with usePriority, higher camunda:taskPriority first. With
        asyncResponseTimeout (ms) and nothing available, wait up to that long (at most 60 s) and answer
        as soon as tasks come."""
        topics = [external_tasks.TopicRequest(
            t["topicName"], t["lockDuration"], tuple(t["variables"]) if t.get("variables") is not None else None,
            tuple(t.get("processDefinitionKeyIn") or ()) + ((t["processDefinitionKey"],)
                                                          if t.get("processDefinitionKey") else ()) or None)
            for t in body["topics"]]
        wait = min(body.get("asyncResponseTimeout") or 0, external_tasks.MAX_WAIT_MS)   # Camunda's "up to"
        locked = external_tasks.fetch_and_lock(context(), actor(), body["workerId"], body["maxTasks"], topics,
                                               body["usePriority"], wait_ms=wait, gone=hangup.watcher())
        return [_locked(task, task.variables) for task in locked]


@bp.route("/external-task")
class ExternalTasks(MethodView):
    @bp.arguments(schemas.ExternalTaskQuery(), location="query", error_status_code=400)
    @bp.response(200, schemas.ExternalTaskOut(many=True))
    @_auth_responses
    def get(self, args):
        """Open external tasks (topicName, processInstanceId, locked / notLocked; firstResult, maxResults)."""
        locked = True if args.get("locked") else (False if args.get("notLocked") else None)
        rows, _total = external_tasks.list_external_tasks(
            context(), actor(), topic=args.get("topicName"), case_id=args.get("processInstanceId"), state="open",
            locked=locked, offset=args["firstResult"], limit=args["maxResults"])
        return [_listed(r) for r in rows]


def _listed(r: external_tasks.ExternalTaskView) -> dict:
    return {"id": str(r.id), "topicName": r.topic, "workerId": r.lock_owner,
            "lockExpirationTime": rules.format_date(r.lock_expires_at), "processInstanceId": str(r.case_id),
            "processDefinitionKey": r.process_key, "activityId": r.element_id, "retries": r.retries,
            "errorMessage": r.error_message, "priority": r.priority, "suspended": False, "tenantId": None,
            "state": r.state}


@bp.route("/external-task/count")
class ExternalTaskCount(MethodView):
    @bp.arguments(schemas.ExternalTaskQuery(), location="query", error_status_code=400)
    @bp.response(200, schemas.CountOut)
    @_auth_responses
    def get(self, args):
        """How many open external tasks match (the list's filters)."""
        locked = True if args.get("locked") else (False if args.get("notLocked") else None)
        _rows, total = external_tasks.list_external_tasks(
            context(), actor(), topic=args.get("topicName"), case_id=args.get("processInstanceId"), state="open",
            locked=locked, limit=0)
        return {"count": total}


@bp.route("/external-task/<id>/complete")
class Complete(MethodView):
    @bp.arguments(schemas.ExternalCompleteIn(), error_status_code=400)
    @bp.response(204)
    @bp.alt_response(404, schema=CamundaError, description="no such open external task")
    @bp.alt_response(409, schema=CamundaError, description="locked by another worker; continuation_failed")
    @_auth_responses
    def post(self, body, id):   # noqa: A002 - Camunda's {id}
        """Complete the task the worker holds: its variables join the case's data, the case goes on."""
        values = {**rules.variable_values(body.get("localVariables")), **rules.variable_values(body.get("variables"))}
        external_tasks.complete(context(), actor(), _task_id(id), body["workerId"], values)


@bp.route("/external-task/<id>/failure")
class Failure(MethodView):
    @bp.arguments(schemas.FailureIn(), error_status_code=400)
    @bp.response(204)
    @bp.alt_response(404, schema=CamundaError, description="no such open external task")
    @bp.alt_response(409, schema=CamundaError, description="locked by another worker")
    @_auth_responses
    def post(self, body, id):   # noqa: A002 - Camunda's {id}
        """Report a failure: with retries left the task is fetchable again after retryTimeout (ms); with
        retries 0 an incident is raised."""
        external_tasks.failure(context(), actor(), _task_id(id), body["workerId"], body.get("errorMessage"),
                               body.get("errorDetails"), body["retries"], body["retryTimeout"])


@bp.route("/external-task/<id>/bpmnError")
class BpmnError(MethodView):
    @bp.arguments(schemas.BpmnErrorIn(), error_status_code=400)
    @bp.response(204)
    @bp.alt_response(404, schema=CamundaError, description="no such open external task")
    @bp.alt_response(409, schema=CamundaError, description="locked by another worker; continuation_failed")
    @_auth_responses
    def post(self, body, id):   # noqa: A002 - Camunda's {id}
        """A business error: the error boundary event with errorCode takes the case on (an incident when
        the diagram catches no such error)."""
        external_tasks.bpmn_error(context(), actor(), _task_id(id), body["workerId"], body["errorCode"],
                                  body.get("errorMessage"), rules.variable_values(body.get("variables")))


@bp.route("/external-task/<id>/extendLock")
class ExtendLock(MethodView):
    @bp.arguments(schemas.ExtendLockIn(), error_status_code=400)
    @bp.response(204)
    @bp.alt_response(404, schema=CamundaError, description="no such open external task")
    @bp.alt_response(409, schema=CamundaError, description="locked by another worker, or the lock expired")
    @_auth_responses
    def post(self, body, id):   # noqa: A002 - Camunda's {id}
        """Extend the worker's live lock to newDuration ms from now."""
        external_tasks.extend_lock(context(), actor(), _task_id(id), body["workerId"], body["newDuration"])


@bp.route("/external-task/<id>/unlock")
class Unlock(MethodView):
    @bp.response(204)
    @bp.alt_response(404, schema=CamundaError, description="no such open external task")
    @_auth_responses
    def post(self, id):   # noqa: A002 - Camunda's {id}
        """Give the task back at once: any worker may fetch it."""
        external_tasks.unlock(context(), actor(), _task_id(id))


_CAMUNDA_KIND = {"external_task": "failedExternalTask", "script": "failedExternalTask", "timer": "failedJob",
                 "signal": "failedJob", "assignment": "failedJob"}
_LIANBAN_KIND = {"failedJob": "timer"}


@bp.route("/incident")
class CamundaIncidents(MethodView):
    @bp.arguments(schemas.CamundaIncidentQuery(), location="query", error_status_code=400)
    @bp.response(200, schemas.CamundaIncidentOut(many=True))
    @_auth_responses
    def get(self, args):
        """Open incidents, Camunda-shaped (processInstanceId, activityId, incidentType). Whoever may read
        Lianban's incidents: administrators, designers, supervisors (their subtree)."""
        kind = _LIANBAN_KIND.get(args.get("incidentType"))
        page = args["maxResults"]
        rows, _total = incidents.list_incidents(context(), actor(), state="open", kind=kind,
                                                case_id=args.get("processInstanceId"),
                                                element_id=args.get("activityId"), offset=args["firstResult"],
                                                limit=max(page, 1))
        if args.get("incidentType") == "failedExternalTask":
            rows = [r for r in rows if r.kind != "timer"]
        return [{"id": str(r.id), "processDefinitionId": None, "processInstanceId": str(r.case_id),
                 "executionId": None, "incidentTimestamp": rules.format_date(r.created_at),
                 "incidentType": _CAMUNDA_KIND[r.kind], "activityId": r.element_id, "failedActivityId": r.element_id,
                 "causeIncidentId": str(r.id), "rootCauseIncidentId": str(r.id),
                 "configuration": str(r.external_task_id or r.timer_id or "") or None, "incidentMessage": r.message,
                 "tenantId": None, "jobDefinitionId": None, "annotation": r.note} for r in rows][:page]
