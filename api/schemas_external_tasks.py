"""Schemas of Lianban's own external-task API (/api/v1/external-tasks, snake_case, plain JSON
variables); the Camunda-shaped ones are in api/schemas_integration.py."""
from marshmallow import Schema, fields, validate

from engine.domain import external_tasks as rules

_MAX_INT = 2 ** 31 - 1
_VARIABLES = {"type": "object", "description": "plain JSON values by name (at most 64 KiB)"}
_WORKER = {"required": True, "validate": validate.Length(min=1, max=rules.MAX_WORKER_ID),
           "metadata": {"description": "the worker's own id: the lock's owner"}}


class ExternalTaskFilter(Schema):
    topic = fields.String(validate=validate.Length(min=1, max=200))
    case_id = fields.Integer(validate=validate.Range(min=1, max=_MAX_INT))
    state = fields.String(validate=validate.OneOf(("open", "completed", "bpmn_error", "cancelled")),
                          metadata={"description": "absent: every state"})
    locked = fields.Boolean(metadata={"description": "true: a worker holds a live lock; false: no live lock"})
    worker = fields.String(validate=validate.Length(min=1, max=rules.MAX_WORKER_ID),
                           metadata={"description": "the worker holding the lock"})
    has_incident = fields.Boolean(metadata={"description": "an open incident is raised on the task"})
    retries = fields.Integer(validate=validate.Range(min=0, max=rules.MAX_RETRIES),
                             metadata={"description": "retries left, as the worker last reported (0: out)"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    page_size = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class ExternalTaskItem(Schema):
    id = fields.Integer()
    case_id = fields.Integer()
    case_number = fields.String(allow_none=True)
    element_id = fields.String()
    process_key = fields.String()
    topic = fields.String()
    priority = fields.Integer()
    state = fields.String(metadata={"description": "open | completed | bpmn_error | cancelled"})
    retries = fields.Integer(allow_none=True, metadata={"description": "null: never failed"})
    locked = fields.Boolean(metadata={"description": "a worker holds a live lock now"})
    lock_owner = fields.String(allow_none=True)
    lock_expires_at = fields.DateTime(allow_none=True, metadata={
        "description": "the lock's expiry; with no owner: when a failed task may be fetched again"})
    error_message = fields.String(allow_none=True)
    incident_id = fields.Integer(allow_none=True, metadata={"description": "its open incident"})
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    completed_by = fields.String(allow_none=True)


class ExternalTaskDetail(ExternalTaskItem):
    error_details = fields.String(allow_none=True, metadata={"description": "the last failure's details"})


class ExternalTaskPage(Schema):
    items = fields.List(fields.Nested(ExternalTaskItem))
    total = fields.Integer()
    page = fields.Integer()
    page_size = fields.Integer()


class ExternalTopic(Schema):
    topic = fields.String()
    open = fields.Integer()
    available = fields.Integer(metadata={"description": "a fetch would get them now"})
    locked = fields.Integer(metadata={"description": "held by a worker"})
    backing_off = fields.Integer(metadata={"description": "failed, waiting out the retry timeout"})
    out_of_retries = fields.Integer(metadata={"description": "retries 0: an incident waits for a person"})
    workers = fields.Integer(metadata={"description": "distinct workers holding locks"})
    oldest = fields.DateTime(allow_none=True)
    next_expiry = fields.DateTime(allow_none=True, metadata={"description": "the first live lock to run out"})


class ExternalTopics(Schema):
    items = fields.List(fields.Nested(ExternalTopic))


class WorkerTopicIn(Schema):
    topic = fields.String(required=True, validate=validate.Length(min=1, max=200))
    lock_duration_ms = fields.Integer(required=True, validate=validate.Range(min=1, max=rules.MAX_LOCK_MS))
    variables = fields.List(fields.String(validate=validate.Length(min=1, max=255)), allow_none=True,
                            validate=validate.Length(max=1000),
                            metadata={"description": "the variables to return (absent: all)"})
    process_keys = fields.List(fields.String(validate=validate.Length(min=1, max=128)),
                               validate=validate.Length(max=100))


class WorkerFetchIn(Schema):
    worker_id = fields.String(**_WORKER)
    max_tasks = fields.Integer(load_default=10, validate=validate.Range(min=0, max=rules.MAX_TASKS))
    use_priority = fields.Boolean(load_default=False)
    async_response_timeout_ms = fields.Integer(load_default=0, validate=validate.Range(min=0, max=rules.MAX_WAIT_MS),
                                               metadata={"description": "wait up to this long for tasks when none "
                                                                        "is available (long polling)"})
    topics = fields.List(fields.Nested(WorkerTopicIn), required=True,
                         validate=validate.Length(min=1, max=rules.MAX_TOPICS))


class WorkerLockedTask(Schema):
    id = fields.Integer()
    topic = fields.String()
    worker_id = fields.String()
    lock_expires_at = fields.DateTime()
    case_id = fields.Integer()
    element_id = fields.String()
    process_key = fields.String()
    priority = fields.Integer()
    retries = fields.Integer(allow_none=True)
    error_message = fields.String(allow_none=True)
    created_at = fields.DateTime()
    variables = fields.Dict(metadata=_VARIABLES)


class WorkerLockedTasks(Schema):
    items = fields.List(fields.Nested(WorkerLockedTask))


class WorkerCompleteIn(Schema):
    worker_id = fields.String(**_WORKER)
    variables = fields.Dict(load_default=dict, metadata=_VARIABLES)


class WorkerFailureIn(Schema):
    worker_id = fields.String(**_WORKER)
    error_message = fields.String(allow_none=True, validate=validate.Length(max=rules.MAX_ERROR_MESSAGE))
    error_details = fields.String(allow_none=True, validate=validate.Length(max=rules.MAX_ERROR_DETAILS))
    retries = fields.Integer(required=True, validate=validate.Range(min=0, max=rules.MAX_RETRIES),
                             metadata={"description": "retries left; 0 raises an incident"})
    retry_timeout_ms = fields.Integer(load_default=0, validate=validate.Range(min=0, max=rules.MAX_RETRY_TIMEOUT_MS))


class WorkerBpmnErrorIn(Schema):
    worker_id = fields.String(**_WORKER)
    error_code = fields.String(required=True, validate=validate.Length(min=1, max=rules.MAX_ERROR_CODE))
    error_message = fields.String(allow_none=True, validate=validate.Length(max=rules.MAX_ERROR_MESSAGE))
    variables = fields.Dict(load_default=dict, metadata=_VARIABLES)


class WorkerExtendLockIn(Schema):
    worker_id = fields.String(**_WORKER)
    new_duration_ms = fields.Integer(required=True, validate=validate.Range(min=1, max=rules.MAX_LOCK_MS))


class WorkerMoved(Schema):
    case_id = fields.Integer()
    version = fields.Integer()
    status = fields.String(metadata={"description": "the case's status after the workflow went on"})
