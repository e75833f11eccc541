"""Camunda 7 REST compatibility, the subset Camunda Modeler's deploy and start-instance tools use
(docs/camunda-modeler.md): the engine's version, deployments (list, one, create) and starting a
process instance; and correlating messages and signals (docs/integration.md#camunda-7-rest).
Authentication is Basic (a Lianban account) or Bearer (a Lianban token) (api/security.py);
errors are Camunda-shaped (api/engine_rest_errors.py)."""
from flask import jsonify, request
from flask.views import MethodView
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

import api.engine_rest_errors as errors
import api.schemas_engine_rest as schemas
from api.resources.definitions import uploaded_files
from api.security import actor, context
from engine.domain import camunda as rules
from engine.domain import messages as message_rules
from engine.domain.errors import Conflict, LianbanError, NotFound, ValidationError
from engine.services import camunda, definitions, messages, migration

bp = Blueprint("engine_rest", __name__, url_prefix="/engine-rest",
               description="Camunda 7 REST subset for Camunda Modeler: version, deployments, start a process "
                           "instance (Basic or Bearer auth; Camunda-shaped errors)")
bp.register_error_handler(LianbanError, errors.from_domain)
bp.register_error_handler(HTTPException, errors.from_http)

# Camunda Modeler calls from its window, a page loaded from a file: the browser engine inside it
# may treat the calls as cross-origin and ask first (a preflight), as Camunda's own REST API needs
# CORS enabled for the Modeler. Only that origin (file pages are "file://" or opaque, "null") is
# answered; no cookie is ever allowed across (no Allow-Credentials), so the console's session
# cannot be used from elsewhere.
MODELER_ORIGINS = frozenset({"file://", "null"})


@bp.after_request
def _let_the_modeler_read(response):
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin in MODELER_ORIGINS:
        response.headers["Access-Control-Allow-Origin"] = origin
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET, POST"
            response.headers["Access-Control-Allow-Headers"] = "Authorization, Content-Type, Accept"
            response.headers["Access-Control-Max-Age"] = "600"
    return response


def _link(path: str) -> list:
    return [{"method": "GET", "href": request.host_url.rstrip("/") + bp.url_prefix + path, "rel": "self"}]


def _deployment(info: definitions.DeploymentInfo) -> dict:
    return {"links": _link(f"/deployment/{info.id}"), "id": str(info.id), "name": info.name, "source": info.source,
            "deploymentTime": rules.format_date(info.deployed_at), "tenantId": None}


def _refuse_tenant(value, field: str) -> None:
    if value:
        raise ValidationError("Lianban has no tenants: deploy and start without a tenant id",
                              code="tenant_not_supported", field=field)


def _flag(name: str) -> bool:
    value = request.form.get(name, "false").strip().lower()
    if value not in ("true", "false"):
        raise ValidationError(f"{name} is true or false", code="request_invalid", field=name)
    return value == "true"


@bp.route("/version")
class Version(MethodView):
    @bp.response(200, schemas.CamundaVersion)
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    def get(self):
        """The Camunda 7 REST release whose subset Lianban implements (Camunda Modeler reads it)."""
        return {"version": rules.DECLARED_VERSION}


@bp.route("/deployment")
class Deployments(MethodView):
    @bp.arguments(schemas.CamundaDeploymentQuery(), location="query", error_status_code=400)
    @bp.response(200, schemas.CamundaDeployment(many=True))
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    def get(self, args):
        """Deployments, Camunda-shaped; Camunda Modeler's connection check asks for `maxResults=0`."""
        _refuse_tenant(args.get("tenantIdIn"), "tenantIdIn")
        if args.get("id") is not None:         # a filter: no such deployment is an empty list
            wanted = _deployment_id(args["id"], strict=False)
            try:
                return [_deployment(definitions.get_deployment(context(), actor(), wanted))] if wanted else []
            except NotFound:
                return []
        rows, _total = definitions.list_deployments(
            context(), actor(), name=args.get("name"), name_like=args.get("nameLike"), source=args.get("source"),
            sort_by=args.get("sortBy", "id"), descending=args.get("sortOrder") == "desc",
            offset=args.get("firstResult", 0), limit=args.get("maxResults"))
        return [_deployment(d) for d in rows]


@bp.route("/deployment/count")
class DeploymentCount(MethodView):
    @bp.arguments(schemas.CamundaDeploymentQuery(), location="query", error_status_code=400)
    @bp.response(200, schemas.CamundaCount)
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    def get(self, args):
        """How many deployments match (the same filters as the list)."""
        _refuse_tenant(args.get("tenantIdIn"), "tenantIdIn")
        _rows, total = definitions.list_deployments(context(), actor(), name=args.get("name"),
                                                    name_like=args.get("nameLike"), source=args.get("source"),
                                                    limit=0)
        return {"count": total}


def _whole_id(text: str):
    """A Lianban row id written as Camunda's text id, or None (then no such thing exists)."""
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2 ** 31 else None


def _deployment_id(text: str, strict: bool = True):
    if _whole_id(text) is not None:
        return int(text)
    if strict:
        raise NotFound(f"Deployment with id '{text[:40]}' does not exist", code="deployment_not_found", field="id")
    return None


@bp.route("/deployment/<id>")    # Camunda's ids are text: not the `id` converter
class Deployment(MethodView):
    @bp.response(200, schemas.CamundaDeployment)
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(404, schema=schemas.CamundaError, description="InvalidRequestException: no such deployment")
    def get(self, id):   # noqa: A002 - the path parameter is Camunda's {id}
        """One deployment, Camunda-shaped."""
        return _deployment(definitions.get_deployment(context(), actor(), _deployment_id(id)))


@bp.route("/deployment/create")
class Create(MethodView):
    @bp.doc(requestBody={"required": True, "content": {"multipart/form-data": {"schema": schemas.DEPLOY_FORM}}})
    @bp.response(200, schemas.CamundaDeploymentWithDefinitions)
    @bp.alt_response(400, schema=schemas.CamundaError,
                     description="ParseException (the diagram does not deploy: each problem with its element) or "
                                 "InvalidRequestException")
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException: designers and admins")
    def post(self):
        """Deploy like Camunda 7 (multipart: deployment-name, deployment-source, enable-duplicate-filtering, the
        files), with Lianban's validation. A process whose content is already its latest version is not
        deployed again: when nothing is new, the answer is the deployment that holds it, with
        deployedProcessDefinitions null (Camunda's duplicate filtering). Designers and administrators."""
        _refuse_tenant(request.form.get("tenant-id"), "tenant-id")
        if request.form.get("deployment-activation-time"):
            raise ValidationError("deployment-activation-time is not supported: a Lianban deployment is active at once",
                                  code="activation_time_not_supported", field="deployment-activation-time")
        _flag("enable-duplicate-filtering")
        _flag("deploy-changed-only")       # both are what Lianban always does: see docs/camunda-modeler.md
        name = (request.form.get("deployment-name") or "").strip() or "camunda modeler deployment"
        if len(name) > 200:
            raise ValidationError("deployment-name has at most 200 characters", code="request_invalid",
                                  field="deployment-name")
        info = definitions.deploy_and_describe(context(), uploaded_files(), actor(), name,
                                               request.form.get("deployment-source") or None)
        deployed = {rules.definition_id(d.key, d.version, d.id): {
            "id": rules.definition_id(d.key, d.version, d.id), "key": d.key, "category": None, "description": None,
            "name": d.name, "version": d.version, "resource": d.resource_name, "deploymentId": str(d.deployment_id),
            "diagram": None, "suspended": False, "tenantId": None, "versionTag": None, "historyTimeToLive": None,
            "startableInTasklist": True} for d in info.definitions}
        return {**_deployment(info), "deployedProcessDefinitions": deployed or None,
                "deployedCaseDefinitions": None, "deployedDecisionDefinitions": None,
                "deployedDecisionRequirementsDefinitions": None}


def _started(started: camunda.ProcessInstance, body: dict) -> dict:
    out = {"links": _link(f"/process-instance/{started.case_id}"), "id": str(started.case_id),
           "definitionId": rules.definition_id(started.key, started.version, started.definition_id),
           "businessKey": started.business_key, "caseInstanceId": None, "tenantId": None, "ended": started.ended,
           "suspended": False, "caseNumber": started.number, "itemCode": started.item_code,
           "windowId": started.window_id}
    if body.get("withVariablesInReturn"):
        out["variables"] = rules.typed(body.get("variables") or {})
    return out


@bp.route("/process-instance/<id>")    # the `self` link of a started instance
class ProcessInstance(MethodView):
    @bp.response(200, schemas.CamundaProcessInstance)
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException: not a case you may read")
    @bp.alt_response(404, schema=schemas.CamundaError, description="InvalidRequestException: no such case")
    def get(self, id):   # noqa: A002 - the path parameter is Camunda's {id}
        """A case as Camunda's process instance (its id is the case's id), for whoever may read the case."""
        case_id = _whole_id(id)
        if case_id is None:
            raise NotFound(f"Process instance with id {id[:40]} does not exist", code="case_not_found", field="id")
        return _started(camunda.instance(context(), actor(), case_id), {})


def _start(body: dict, **which) -> dict:
    _refuse_tenant(body.get("tenantId"), "tenantId")
    started = camunda.start_instance(context(), actor(), business_key=body.get("businessKey"),
                                     variables=body.get("variables"),
                                     idempotency_key=request.headers.get("Idempotency-Key") or None, **which)
    return _started(started, body)


@bp.route("/process-definition/<id>/start")
class StartById(MethodView):
    @bp.arguments(schemas.CamundaStartIn(), error_status_code=400)
    @bp.response(200, schemas.CamundaProcessInstance)
    @bp.alt_response(400, schema=schemas.CamundaError, description="InvalidRequestException: what cannot be mapped")
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException")
    @bp.alt_response(404, schema=schemas.CamundaError, description="InvalidRequestException: no such definition")
    def post(self, body, id):   # noqa: A002 - the path parameter is Camunda's {id}
        """Start a case of the published item that runs this process definition (Camunda's
        `key:version:id`, the latest version): businessKey and typed variables."""
        return _start(body, definition_id=id)


@bp.route("/process-definition/key/<key>/start")
class StartByKey(MethodView):
    @bp.arguments(schemas.CamundaStartIn(), error_status_code=400)
    @bp.response(200, schemas.CamundaProcessInstance)
    @bp.alt_response(400, schema=schemas.CamundaError, description="InvalidRequestException: what cannot be mapped")
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException")
    @bp.alt_response(404, schema=schemas.CamundaError, description="InvalidRequestException: no such definition")
    def post(self, body, key):
        """Start a case on the latest version of the process `key` (as StartById)."""
        return _start(body, key=key)


# --- messages and signals (docs/integration.md#camunda-7-rest) ---------------------------------

def _camunda_correlation(body: dict) -> messages.Correlation:
    """businessKey, processInstanceId (the case id), and correlationKeys / localCorrelationKeys:
    `caseNumber` is the case number, any other key a variable the waiting case must have."""
    case_id = None
    if body.get("processInstanceId") is not None:
        case_id = _whole_id(body["processInstanceId"])
        if case_id is None:
            raise ValidationError("processInstanceId is the id of a case", code="process_instance_id_invalid",
                                  field="processInstanceId")
    number, matches = None, {}
    for field_name in ("correlationKeys", "localCorrelationKeys"):
        keys = body.get(field_name) or {}
        if not isinstance(keys, dict):
            raise ValidationError(f"{field_name} is an object of typed values", code="variables_invalid",
                                  field=field_name)
        values = rules.variable_values(keys)
        if field_name == "correlationKeys" and "caseNumber" in values:
            number = values.pop("caseNumber")
            if not isinstance(number, str):
                raise ValidationError("the correlation key caseNumber is a String", code="correlation_invalid",
                                      field="correlationKeys.caseNumber")
        matches.update(message_rules.check_correlation(values, field_name))
    return messages.Correlation(case_id, number, body.get("businessKey"), tuple(sorted(matches.items())))


def _message_start(variables: dict) -> messages.StartAt:
    """A message start event's case: where and for whom, from the variables a Camunda start
    takes them from (windowId, applicant or applicantName, itemCode); they are not case data."""
    window_id = variables.pop("windowId", None)
    if window_id is not None and (isinstance(window_id, bool) or not isinstance(window_id, int)
                                  or not 0 < window_id < 2 ** 31):
        raise ValidationError("variable windowId is a window's id (Integer)", code="variable_invalid",
                              field="processVariables.windowId")
    applicant, applicant_name = variables.pop("applicant", None), variables.pop("applicantName", None)
    if applicant is not None or applicant_name is not None:
        applicant = camunda.applicant_of(applicant, applicant_name, "processVariables")
    item_code = variables.pop("itemCode", None)
    if item_code is not None and not isinstance(item_code, str):
        raise ValidationError("variable itemCode is a String", code="variable_invalid",
                              field="processVariables.itemCode")
    return messages.StartAt(window_id, applicant, item_code, ("processVariables.windowId",
                                                              "processVariables.applicantName",
                                                              "processVariables.itemCode"))


def _correlation_result(answer: dict) -> dict:
    if answer.get("started"):
        return {"resultType": "ProcessDefinition", "execution": None,
                "processInstance": {"id": str(answer["case_id"]), "businessKey": answer.get("business_key"),
                                    "ended": answer["status"] != "running", "suspended": False, "tenantId": None,
                                    "links": []}}
    return {"resultType": "Execution", "processInstance": None,
            "execution": {"id": str(answer["case_id"]), "processInstanceId": str(answer["case_id"]),
                          "ended": answer["status"] != "running", "tenantId": None}}


@bp.route("/message")
class Message(MethodView):
    @bp.arguments(schemas.CamundaMessageIn(), error_status_code=400)
    @bp.response(204)
    @bp.alt_response(200, schema=schemas.CamundaCorrelationResult(many=True), description="with resultEnabled")
    @bp.alt_response(400, schema=schemas.CamundaError,
                     description="RestException: no case or several cases wait for the message (Camunda's "
                                 "MismatchingMessageCorrelationException); InvalidRequestException: bad variables")
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException: integration or admin")
    def post(self, body):
        """Correlate a message with the case waiting for it (Camunda 7): by businessKey,
        processInstanceId (the case id), the correlation key caseNumber and other correlationKeys /
        localCorrelationKeys (variables the waiting case has); `all` delivers to every matching
        case. 204, or with resultEnabled the executions that caught it."""
        _refuse_tenant(body.get("tenantId"), "tenantId")
        name = body["messageName"]
        correlation = _camunda_correlation(body)
        variables = rules.variable_values(body.get("processVariables"))
        start = _message_start(variables)
        try:
            if body.get("all"):
                answers = messages.correlate_all(context(), actor(), name, correlation, variables,
                                                 body.get("messageId"))["results"]
            else:
                answers = [messages.send_message(context(), actor(), name, body.get("messageId"), correlation,
                                                 variables, require_id=False, start=start)]
        except (NotFound, Conflict) as exc:
            if exc.code == "message_not_correlated":
                exc.message = (f"Cannot correlate message '{name}': No process definition or execution matches "
                               f"the parameters")
            elif exc.code == "message_ambiguous":
                count = len((exc.detail or {}).get("case_ids", ())) or 2
                exc.message = (f"Cannot correlate message '{name}': {count} executions match the correlation keys. "
                               f"Should be one or zero.")
            raise
        if body.get("resultEnabled"):
            return jsonify([_correlation_result(a) for a in answers])
        return None


@bp.route("/signal")
class Signal(MethodView):
    @bp.arguments(schemas.CamundaSignalIn(), error_status_code=400)
    @bp.response(204)
    @bp.alt_response(400, schema=schemas.CamundaError, description="InvalidRequestException")
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException: integration or admin")
    def post(self, body):
        """Deliver a signal to every case waiting for it (Camunda 7's POST /signal)."""
        _refuse_tenant(body.get("tenantId"), "tenantId")
        if body.get("executionId"):
            raise ValidationError("a signal goes to every waiting case; send a message to reach one case",
                                  code="signal_execution_unsupported", field="executionId")
        messages.send_signal(context(), actor(), body["name"], body.get("signalId"),
                             rules.variable_values(body.get("variables")), require_id=False)
# --- process instance migration (docs/migration.md) ---------------------------------------------

def _definition_row(text: str, field: str) -> int:
    parsed = rules.parse_definition_id(text)
    if parsed is None:
        raise NotFound(f"Process definition with id {text[:40]} does not exist", code="definition_not_found",
                       field=field)
    return parsed[2]


def _plan(body: dict) -> tuple[int, int, dict]:
    source = _definition_row(body["sourceProcessDefinitionId"], "sourceProcessDefinitionId")
    target = _definition_row(body["targetProcessDefinitionId"], "targetProcessDefinitionId")
    mapping = {i["sourceActivityIds"][0]: i["targetActivityIds"][0] for i in body.get("instructions") or []}
    return source, target, mapping


def _instruction(source: str, target: str) -> dict:
    return {"sourceActivityIds": [source], "targetActivityIds": [target], "updateEventTrigger": False}


@bp.route("/migration/generate")
class MigrationGenerate(MethodView):
    @bp.arguments(schemas.CamundaMigrationGenerateIn(), error_status_code=400)
    @bp.response(200, schemas.CamundaMigrationPlan)
    @bp.alt_response(400, schema=schemas.CamundaError, description="InvalidRequestException")
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException")
    @bp.alt_response(404, schema=schemas.CamundaError, description="InvalidRequestException: no such definition")
    def post(self, body):
        """A plan mapping every element whose id is in both versions with the same kind (designers)."""
        source, target, _ = _plan(body)
        mapping = migration.generate(context(), source, target, actor())
        return {"sourceProcessDefinitionId": body["sourceProcessDefinitionId"],
                "targetProcessDefinitionId": body["targetProcessDefinitionId"],
                "instructions": [_instruction(s, t) for s, t in sorted(mapping.items())], "variables": None}


@bp.route("/migration/validate")
class MigrationValidate(MethodView):
    @bp.arguments(schemas.CamundaMigrationPlan(), error_status_code=400)
    @bp.response(200, schemas.CamundaMigrationReport)
    @bp.alt_response(400, schema=schemas.CamundaError, description="InvalidRequestException")
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException")
    @bp.alt_response(404, schema=schemas.CamundaError, description="InvalidRequestException: no such definition")
    def post(self, body):
        """The plan's instruction reports: the failures of each instruction, as Camunda answers."""
        source, target, mapping = _plan(body)
        problems = migration.check_plan(context(), source, target, mapping, actor())
        reports = []
        for src, dst in sorted(mapping.items()):
            failures = [p.message for p in problems if p.element in (src, dst)]
            if failures:
                reports.append({"instruction": _instruction(src, dst), "failures": failures})
        general = [p.message for p in problems if p.element is None]
        if general:
            reports.append({"instruction": None, "failures": general})
        return {"instructionReports": reports, "variableReports": {}}


@bp.route("/migration/execute")
class MigrationExecute(MethodView):
    @bp.arguments(schemas.CamundaMigrationExecuteIn(), error_status_code=400)
    @bp.response(204)
    @bp.alt_response(400, schema=schemas.CamundaError,
                     description="InvalidRequestException / MigratingProcessInstanceValidationException")
    @bp.alt_response(401, schema=schemas.CamundaError, description="AuthenticationException")
    @bp.alt_response(403, schema=schemas.CamundaError, description="AuthorizationException")
    @bp.alt_response(404, schema=schemas.CamundaError, description="InvalidRequestException: no such definition")
    def post(self, body):
        """Migrate the process instances (case ids) or, with a processInstanceQuery, every running
        case of the source version. As in Camunda, all or none: every case is validated first and
        one that cannot move refuses the request (400, nothing migrated); then each case moves in
        its own transaction."""
        source, target, mapping = _plan(body["migrationPlan"])
        ids = body.get("processInstanceIds")
        if ids is not None:
            case_ids = []
            for text in ids:
                case_id = _whole_id(text)
                if case_id is None:
                    raise NotFound(f"Process instance with id {text[:40]} does not exist", code="case_not_found",
                                   field="processInstanceIds")
                case_ids.append(case_id)
            request_ = migration.MigrationRequest(source, target, mapping, tuple(case_ids))
        else:
            request_ = migration.MigrationRequest(source, target, mapping, all_running="processInstanceQuery" in body)
        ctx, who = context(), actor()
        checked = migration.validate(ctx, request_, who)
        unfit = [c for c in checked.cases if c.status != "valid"]
        if unfit:
            first = unfit[0]
            raise ValidationError(f"Cannot migrate process instance '{first.case_id}': {first.reason}"
                                  + (f" ({len(unfit) - 1} more)" if len(unfit) > 1 else ""),
                                  code="migration_refused", field="processInstanceIds",
                                  detail={"cases": [{"case_id": c.case_id, "status": c.status, "reason": c.reason,
                                                     "problems": [p.to_dict() for p in c.problems]}
                                                    for c in unfit]})
        migration.execute(ctx, request_, who)
        return None
