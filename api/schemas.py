"""Request and response schemas (marshmallow), so the OpenAPI description is complete."""
from marshmallow import EXCLUDE, Schema, fields, validate

from api.plain_dump import PlainDumpSchema
from engine.domain.input_limits import MAX_ID  # ids are 32-bit (why: there)


def Id(strict: bool = False, **kwargs):
    """An id: JSON bodies take a strict integer, query strings the digits of one."""
    return fields.Integer(validate=validate.Range(min=1, max=MAX_ID), strict=strict, **kwargs)


class Strict(Schema):
    class Meta:
        unknown = EXCLUDE   # extra fields are ignored, not echoed


class Problem(Schema):
    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    code = fields.String(metadata={"description": "stable machine-readable error code"})
    detail = fields.String()
    field = fields.String(metadata={"description": "the offending request field"})
    element = fields.String(metadata={"description": "the offending BPMN element id"})
    file = fields.String()
    problems = fields.List(fields.Dict())
    errors = fields.Raw(metadata={"description": "field-level errors: for code form_invalid a list of "
                                                 "{field (JSON path, e.g. form.uscc), message, validator}"})
    conflicts = fields.List(fields.Dict(), metadata={"description": "package_form_conflict: {field, items}"})


class LoginIn(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=256), load_only=True)


class SessionOut(Schema):
    csrf_token = fields.String(metadata={"description": "send it in X-CSRF-Token with every request that changes "
                                                        "something; the session itself is an HttpOnly cookie"})
    expires_at = fields.DateTime()
    user = fields.Nested(lambda: MeOut(), metadata={"description": "who logged in, as /auth/me gives her"})


class TokenOut(Schema):
    token = fields.String()
    expires_at = fields.DateTime()
    token_type = fields.String()


class SessionStateOut(Schema):
    user = fields.Nested(lambda: MeOut(), allow_none=True)


class Post(Schema):
    org_unit_id = fields.Integer()
    org_unit_name = fields.String()
    tier = fields.String()
    department_id = fields.Integer(allow_none=True)
    department_name = fields.String(allow_none=True)
    window_id = fields.Integer()
    window_name = fields.String()
    window_code = fields.String(metadata={"description": "the window's code (POST /windows/{code}/visits)"})
    role = fields.String()


class MeOut(Schema):
    username = fields.String()
    name = fields.String(metadata={"description": "the display name"})
    kind = fields.String()
    csrf_token = fields.String(allow_none=True, metadata={
        "description": "with a cookie session: the value every POST, PUT, PATCH or DELETE sends in X-CSRF-Token"})
    roles = fields.List(fields.String())
    posts = fields.List(fields.Nested(Post))


class DefinitionOut(Schema):
    id = fields.Integer()
    key = fields.String()
    name = fields.String(allow_none=True)
    version = fields.Integer()
    deployment_id = fields.Integer()
    resource_name = fields.String()
    created_at = fields.DateTime()
    deployed_by = fields.String(allow_none=True, metadata={"description": "the account that deployed it"})
    deployment_name = fields.String()
    user_tasks = fields.Integer(metadata={"description": "how many user tasks (its own and those of the "
                                                         "processes it calls)"})


class DeployedOut(Schema):
    deployment_id = fields.Integer(allow_none=True)
    processes = fields.List(fields.Dict(), metadata={
        "description": "per process: key, version, definition_id (null when validate's dry run would create "
                       "it), created (false: that content is already the latest version), user_tasks"})
    warnings = fields.List(fields.Dict(), metadata={
        "description": "deployable but worth a look, each with code, message, file, element, line (e.g. "
                       "routing_target_missing: a user task without a group goes to the receiving window)"})


class DeployForm(Schema):
    name = fields.String(load_default="api deployment", validate=validate.Length(max=200))


class FilesIn(Schema):
    # one file input in swagger-ui (it draws none for an array of binary strings); the route reads
    # every part of the request (api/resources/definitions.py uploaded_files), so more files are
    # more `files` parts
    files = fields.Raw(required=True, metadata={
        "type": "string", "format": "binary",
        "description": "a .bpmn, .dmn, <key>.schema.json or Camunda Form (.form) file; repeat the part to "
                       "send several"})


class Applicant(Strict):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))
    id_type = fields.String(validate=validate.Length(max=32))
    id_number = fields.String(validate=validate.Length(max=64))
    phone = fields.String(validate=validate.Length(max=32))
    mobile = fields.String(validate=validate.Length(max=32))


class StartIn(Strict):
    item_code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    window_id = Id(strict=True, required=True)
    applicant = fields.Nested(Applicant, required=True)
    form = fields.Dict(load_default=dict)
    channel = fields.String(load_default="window",
                            validate=validate.OneOf(["window", "online", "mobile", "mail", "proxy"]))


class StartedOut(PlainDumpSchema):
    id = fields.Integer()
    number = fields.String()
    version = fields.Integer()
    status = fields.String()
    tasks = fields.List(fields.String())


class CaseOut(Schema):
    id = fields.Integer()
    number = fields.String()
    item_code = fields.String()
    status = fields.String()
    stage = fields.String(allow_none=True)
    version = fields.Integer()
    applicant_name = fields.String()
    applicant_id_masked = fields.String(allow_none=True)
    origin_window_id = fields.Integer()
    channel = fields.String()
    created_at = fields.DateTime()
    completed_at = fields.DateTime(allow_none=True)
    clock_status = fields.String()
    accepted_at = fields.DateTime(allow_none=True)
    promise_due = fields.DateTime(allow_none=True)
    legal_due = fields.DateTime(allow_none=True)
    warning = fields.String()
    deadline_provisional = fields.Boolean()
    lifecycle = fields.String(metadata={"description": "the lifecycle state (docs/lifecycle.md): received … delivered"})
    decision = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    delivery_method = fields.String(allow_none=True)
    delivered_at = fields.DateTime(allow_none=True)
    allowed_actions = fields.List(fields.String(), metadata={
        "description": "what the caller may do now (docs/lifecycle.md#allowed-actions): withdraw, return, "
                       "not_accept, accept, correction_notice, pause, resume, extend, deliver, upload_material, "
                       "verify_material, tolerate_material"})
    data = fields.Dict()


class CaseListArgs(Strict):
    status = fields.String(validate=validate.OneOf(["running", "completed", "withdrawn", "returned",
                                                              "not_accepted"]))
    item_code = fields.String(validate=validate.Length(max=64))
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    after_id = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))


class CaseSummary(Schema):
    id = fields.Integer()
    number = fields.String()
    item_code = fields.String()
    status = fields.String()
    stage = fields.String(allow_none=True)
    warning = fields.String()
    applicant_name = fields.String()
    promise_due = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    lifecycle = fields.String(metadata={"description": "the lifecycle state (docs/lifecycle.md)"})


class EventOut(Schema):
    seq = fields.Integer()
    type = fields.String()
    actor = fields.String(allow_none=True)
    actor_name = fields.String(allow_none=True, metadata={"description": "the actor's display name (not chained)"})
    at = fields.DateTime()
    payload = fields.Dict()
    hash = fields.String()
    request_id = fields.String(allow_none=True, metadata={"description": "the X-Request-Id of the request that "
                                                                         "wrote it (chained when present)"})


class AuditOut(Schema):
    intact = fields.Boolean()
    broken_at = fields.Integer(allow_none=True)
    events = fields.List(fields.Nested(EventOut))


class PauseIn(Strict):
    kind = fields.String(required=True, validate=validate.OneOf(["supplement", "special_procedure", "hold"]))
    procedure = fields.String(validate=validate.Length(max=24))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    notice = fields.String(required=True, validate=validate.Length(min=1, max=500))


class ResumeIn(Strict):
    result = fields.String(load_default="", validate=validate.Length(max=500))


class ExtendIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    amount = fields.Integer(validate=validate.Range(min=1, max=60))


class NoticeIn(Strict):
    notice = fields.String(required=True, validate=validate.Length(min=1, max=500))


class TaskOut(PlainDumpSchema):
    id = fields.String()
    case_id = fields.Integer()
    name = fields.String()
    spec_id = fields.String()
    state = fields.String()
    routed_org_unit_id = fields.Integer()
    routed_department_id = fields.Integer(allow_none=True)
    routed_role = fields.String()
    routing_error = fields.String(allow_none=True)
    assignee_id = fields.Integer(allow_none=True)
    form_key = fields.String(allow_none=True)
    stage = fields.String(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    warning = fields.String()


class InboxArgs(Strict):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))
    include_claimed_by_others = fields.Boolean(load_default=False)


class CompleteIn(Strict):
    data = fields.Dict(load_default=dict)
    version = fields.Integer(validate=validate.Range(min=1, max=MAX_ID),
                             metadata={"description": "the case version the client saw (stale = 409)"})


class CompletedOut(PlainDumpSchema):
    case_id = fields.Integer()
    version = fields.Integer()
    status = fields.String()
    next_tasks = fields.List(fields.String())


class _CardFilters(Strict):
    """What every supervision list filters by: a subtree, the card, a tier, a page size, a format."""
    unit_id = Id(required=True)
    level = fields.String(validate=validate.OneOf(["yellow", "red"]))
    tier = fields.String(validate=validate.OneOf(["district", "park", "township", "village"]))
    limit = fields.Integer(load_default=100, validate=validate.Range(min=1, max=1000))
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))


class SupervisionArgs(_CardFilters):
    item_code = fields.String(validate=validate.Length(max=64))
    window_id = Id()
    after_id = fields.Integer(validate=validate.Range(min=0, max=MAX_ID))


class StepArgs(_CardFilters):
    department_id = Id()
    role = fields.String(validate=validate.Length(max=32))
    staff_id = Id()


class UnitArgs(Strict):
    unit_id = Id(required=True)


class OnTimeArgs(Strict):
    unit_id = Id(required=True)
    since = fields.AwareDateTime(required=True)
    until = fields.AwareDateTime(required=True)


class DeadlineArgs(Strict):
    # dates and limits are checked by the service the CLI calls too (calendar.deadline_answer), so
    # both refuse the same input with the same code; the bounds here only document them
    start = fields.String(required=True, data_key="from",
                          metadata={"format": "date", "description": "YYYY-MM-DD, 2000-01-01 to 2099-12-31"})
    workdays = fields.Integer(metadata={"minimum": 1, "maximum": 3650})
    days = fields.Integer(metadata={"minimum": 1, "maximum": 3650})
    convention = fields.String(validate=validate.OneOf(["exclude_start", "include_start"]))
    receipt_rule = fields.String(validate=validate.OneOf(["next_workday", "as_received"]))
    hall = fields.String(metadata={"description": "the code of the receiving hall: its opening hours apply (with at)",
                                   "example": "LZXQ-ZWFW"})
    at = fields.String(metadata={"description": "the time of receipt at the hall, HH:MM Beijing time (with hall)",
                                 "example": "17:45"})


class DeadlineOut(Schema):
    date = fields.Date()
    due_at = fields.DateTime()
    provisional = fields.Boolean()
    provisional_years = fields.List(fields.Integer(), metadata={"description": "years without an official notice"})
    convention = fields.String()
    calendar_version = fields.Integer()
    counted_from = fields.Date(allow_none=True, metadata={
        "description": "the working day a non-working `from` (or one after the hall's hours) was deemed to be "
                       "(null: not moved)"})
    receipt_rule = fields.String()
    hall = fields.String(allow_none=True)
    receipt_hours = fields.Dict(allow_none=True, metadata={
        "description": "what the hall's hours said of the receipt: verdict (open, before_opening, lunch, "
                       "after_closing, closed_day, rest_day), weekday, next_day, and the season and rule "
                       "(or closes_at) that applied"})
    reason = fields.String(allow_none=True, metadata={"description": "why the start moved, in words (null: it did "
                                                                     "not)"})


class CaseWarningOut(Schema):
    id = fields.Integer()
    number = fields.String()
    item_code = fields.String()
    item_name = fields.String()
    warning = fields.String()
    clock_status = fields.String()
    promise_due = fields.DateTime(allow_none=True)
    legal_due = fields.DateTime(allow_none=True)
    origin_unit = fields.String()
    origin_window = fields.String()
    applicant = fields.String()
    deemed_accepted = fields.Boolean()


class StepWarningOut(Schema):
    task_id = fields.String()
    case_id = fields.Integer()
    case_number = fields.String()
    name = fields.String()
    warning = fields.String()
    due_at = fields.DateTime(allow_none=True)
    unit = fields.String()
    department = fields.String(allow_none=True)
    role = fields.String()
    assignee_id = fields.Integer(allow_none=True)


class CountsOut(Schema):
    cases = fields.Dict(keys=fields.String(), values=fields.Integer())
    steps = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_tier = fields.Dict()


class OnTimeOut(Schema):
    completed = fields.Integer()
    on_time = fields.Integer()
    rate = fields.Float(allow_none=True)


class NoticeLoaded(Schema):
    version = fields.Integer()
    year = fields.Integer()
    recomputed = fields.Integer()
    changed = fields.Integer()


class ReasonIn(Strict):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))


class DelegateIn(Strict):
    to = fields.String(required=True, validate=validate.Length(min=1, max=64),
                       metadata={"description": "username of a colleague in the same queue"})


class ServiceItemOut(Schema):
    code = fields.String()
    local_code = fields.String(allow_none=True)
    version = fields.Integer()
    status = fields.String()
    name = fields.String()
    category = fields.String()
    process_key = fields.String()
    deciding_tier = fields.String()
    legal_limit = fields.Integer(allow_none=True)
    legal_unit = fields.String()
    promise_limit = fields.Integer(allow_none=True)
    promise_unit = fields.String()
    extension_limit = fields.Integer(allow_none=True)
