"""Schemas of external tasks (Camunda 7's /engine-rest/external-task shapes, camelCase) and of
incidents (Lianban's /api/v1/incidents and Camunda's GET /engine-rest/incident)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from engine.domain import external_tasks as rules
from engine.services.incidents import KINDS

_MAX_INT = 2 ** 31 - 1
_VARIABLES = {"type": "object", "description": 'typed variables: {"paid": {"value": true, "type": "Boolean"}}'}


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE          # Camunda ignores parameters it does not know; so do we


class FetchTopicIn(_Lenient):
    topicName = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lockDuration = fields.Integer(required=True, validate=validate.Range(min=1, max=rules.MAX_LOCK_MS))
    variables = fields.List(fields.String(validate=validate.Length(max=255)), allow_none=True,
                            validate=validate.Length(max=1000),
                            metadata={"description": "the variables to return (absent: all)"})
    localVariables = fields.Boolean()
    processDefinitionKey = fields.String(validate=validate.Length(max=128))
    processDefinitionKeyIn = fields.List(fields.String(validate=validate.Length(max=128)),
                                         validate=validate.Length(max=100))
    deserializeValues = fields.Boolean()


class FetchAndLockIn(_Lenient):
    workerId = fields.String(required=True, validate=validate.Length(min=1, max=rules.MAX_WORKER_ID))
    maxTasks = fields.Integer(load_default=10, validate=validate.Range(min=0, max=rules.MAX_TASKS))
    usePriority = fields.Boolean(load_default=False)
    asyncResponseTimeout = fields.Integer(
        allow_none=True, validate=validate.Range(min=0, max=rules.CAMUNDA_MAX_WAIT_MS),
        metadata={"description": "ms to wait for tasks when none is available (long polling); waits at most 60,000"})
    topics = fields.List(fields.Nested(FetchTopicIn), load_default=list,
                         validate=validate.Length(max=rules.MAX_TOPICS))


class LockedExternalTaskOut(Schema):
    id = fields.String()
    topicName = fields.String()
    workerId = fields.String()
    lockExpirationTime = fields.String()
    createTime = fields.String()
    processInstanceId = fields.String(metadata={"description": "the case's id"})
    processDefinitionKey = fields.String()
    processDefinitionId = fields.String(allow_none=True)
    activityId = fields.String()
    activityInstanceId = fields.String(allow_none=True)
    executionId = fields.String(allow_none=True)
    retries = fields.Integer(allow_none=True)
    errorMessage = fields.String(allow_none=True)
    errorDetails = fields.String(allow_none=True)
    priority = fields.Integer()
    suspended = fields.Boolean()
    tenantId = fields.String(allow_none=True)
    businessKey = fields.String(allow_none=True)
    extensionProperties = fields.Dict()
    variables = fields.Dict(metadata=_VARIABLES)


class ExternalTaskOut(Schema):
    id = fields.String()
    topicName = fields.String()
    workerId = fields.String(allow_none=True)
    lockExpirationTime = fields.String(allow_none=True)
    processInstanceId = fields.String()
    processDefinitionKey = fields.String()
    activityId = fields.String()
    retries = fields.Integer(allow_none=True)
    errorMessage = fields.String(allow_none=True)
    priority = fields.Integer()
    suspended = fields.Boolean()
    tenantId = fields.String(allow_none=True)
    state = fields.String(metadata={"description": "Lianban: open, completed, bpmn_error or cancelled"})


class ExternalTaskQuery(_Lenient):
    topicName = fields.String(validate=validate.Length(max=200))
    processInstanceId = fields.Integer(validate=validate.Range(min=1, max=_MAX_INT))
    locked = fields.Boolean()
    notLocked = fields.Boolean()
    firstResult = fields.Integer(load_default=0, validate=validate.Range(min=0, max=_MAX_INT))
    maxResults = fields.Integer(load_default=100, validate=validate.Range(min=0, max=1000))


class CountOut(Schema):
    count = fields.Integer()


class ExternalCompleteIn(_Lenient):
    workerId = fields.String(required=True, validate=validate.Length(min=1, max=rules.MAX_WORKER_ID))
    variables = fields.Raw(allow_none=True, metadata=_VARIABLES)
    localVariables = fields.Raw(allow_none=True, metadata={"type": "object",
                                                           "description": "kept as process variables"})


class FailureIn(_Lenient):
    workerId = fields.String(required=True, validate=validate.Length(min=1, max=rules.MAX_WORKER_ID))
    errorMessage = fields.String(allow_none=True, validate=validate.Length(max=rules.MAX_ERROR_MESSAGE))
    errorDetails = fields.String(allow_none=True, validate=validate.Length(max=rules.MAX_ERROR_DETAILS))
    retries = fields.Integer(required=True, validate=validate.Range(min=0, max=rules.MAX_RETRIES))
    retryTimeout = fields.Integer(load_default=0, validate=validate.Range(min=0, max=rules.MAX_RETRY_TIMEOUT_MS))


class BpmnErrorIn(_Lenient):
    workerId = fields.String(required=True, validate=validate.Length(min=1, max=rules.MAX_WORKER_ID))
    errorCode = fields.String(required=True, validate=validate.Length(min=1, max=rules.MAX_ERROR_CODE))
    errorMessage = fields.String(allow_none=True, validate=validate.Length(max=rules.MAX_ERROR_MESSAGE))
    variables = fields.Raw(allow_none=True, metadata=_VARIABLES)


class ExtendLockIn(_Lenient):
    workerId = fields.String(required=True, validate=validate.Length(min=1, max=rules.MAX_WORKER_ID))
    newDuration = fields.Integer(required=True, validate=validate.Range(min=1, max=rules.MAX_LOCK_MS))


# --- incidents ----------------------------------------------------------------------------------

class IncidentQuery(Schema):
    state = fields.String(validate=validate.OneOf(("open", "resolved")))
    kind = fields.String(validate=validate.OneOf(KINDS))
    case_id = fields.Integer(validate=validate.Range(min=1, max=_MAX_INT))
    process = fields.String(validate=validate.Length(min=1, max=128))
    element = fields.String(validate=validate.Length(min=1, max=128))
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class IncidentOut(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String()
    org_unit_id = fields.Integer()
    process_key = fields.String()
    element_id = fields.String(allow_none=True)
    kind = fields.String(metadata={"description": "external_task | timer | script | signal"})
    message = fields.String()
    details = fields.String(allow_none=True)
    state = fields.String(metadata={"description": "open | resolved"})
    external_task_id = fields.Integer(allow_none=True)
    timer_id = fields.Integer(allow_none=True)
    outbox_id = fields.Integer(allow_none=True, metadata={
        "description": "a signal thrown by another case whose delivery to this one failed (retry delivers it again)"})
    created_at = fields.DateTime()
    resolved_at = fields.DateTime(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolution = fields.String(allow_none=True, metadata={"description": "retried | resolved"})
    note = fields.String(allow_none=True)


class IncidentPage(Schema):
    items = fields.List(fields.Nested(IncidentOut))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class IncidentRetried(Schema):
    incident = fields.Nested(IncidentOut)
    timer_fired = fields.Boolean(allow_none=True, metadata={"description": "a timer's retry: whether it fired now"})


class ResolveIn(Schema):
    note = fields.String(required=True, validate=validate.Length(min=1, max=1000))


class CamundaIncidentQuery(_Lenient):
    processInstanceId = fields.Integer(validate=validate.Range(min=1, max=_MAX_INT))
    activityId = fields.String(validate=validate.Length(max=128))
    incidentType = fields.String(validate=validate.OneOf(("failedExternalTask", "failedJob")))
    firstResult = fields.Integer(load_default=0, validate=validate.Range(min=0, max=_MAX_INT))
    maxResults = fields.Integer(load_default=100, validate=validate.Range(min=0, max=200))


class CamundaIncidentOut(Schema):
    id = fields.String()
    processDefinitionId = fields.String(allow_none=True)
    processInstanceId = fields.String()
    executionId = fields.String(allow_none=True)
    incidentTimestamp = fields.String()
    incidentType = fields.String(metadata={"description": "failedExternalTask (external task, script after one) or "
                                                          "failedJob (timer)"})
    activityId = fields.String(allow_none=True)
    failedActivityId = fields.String(allow_none=True)
    causeIncidentId = fields.String()
    rootCauseIncidentId = fields.String()
    configuration = fields.String(allow_none=True, metadata={"description": "the external task's or timer's id"})
    incidentMessage = fields.String()
    tenantId = fields.String(allow_none=True)
    jobDefinitionId = fields.String(allow_none=True)
    annotation = fields.String(allow_none=True)
