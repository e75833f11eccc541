"""Schemas of /engine-rest (api/resources/engine_rest.py): Camunda 7's names and shapes, camelCase,
parameters Camunda has and Lianban does not use ignored rather than refused (a Camunda client may
send them)."""
from marshmallow import EXCLUDE, Schema, fields, validate

from engine.domain import camunda

_MAX_INT = 2 ** 31 - 1


class _Lenient(Schema):
    class Meta:
        unknown = EXCLUDE          # Camunda ignores parameters it does not know; so do we


class CamundaDeploymentQuery(_Lenient):
    id = fields.String(validate=validate.Length(max=20))
    name = fields.String(validate=validate.Length(max=200))
    nameLike = fields.String(validate=validate.Length(max=200), metadata={"description": "with % and _ wildcards"})
    source = fields.String(validate=validate.Length(max=255))
    tenantIdIn = fields.String(metadata={"description": "refused: Lianban has no tenants"})
    withoutTenantId = fields.Boolean()
    sortBy = fields.String(validate=validate.OneOf(("id", "name", "deploymentTime")))
    sortOrder = fields.String(validate=validate.OneOf(("asc", "desc")))
    firstResult = fields.Integer(validate=validate.Range(min=0, max=_MAX_INT))
    maxResults = fields.Integer(validate=validate.Range(min=0, max=_MAX_INT))


class CamundaStartIn(_Lenient):
    businessKey = fields.String(allow_none=True, validate=validate.Length(max=camunda.MAX_BUSINESS_KEY))
    variables = fields.Raw(allow_none=True, metadata={
        "type": "object", "description": 'typed variables: {"amount": {"value": 10, "type": "Integer"}}; '
                                         "itemCode, windowId, applicant, applicantName and channel say how "
                                         "the case starts, the others are its application form"})
    withVariablesInReturn = fields.Boolean()
    tenantId = fields.String(allow_none=True, metadata={"description": "refused: Lianban has no tenants"})


DEPLOY_FORM = {"type": "object", "required": ["data"], "properties": {
    "deployment-name": {"type": "string", "maxLength": 200},
    "deployment-source": {"type": "string", "maxLength": 255},
    "enable-duplicate-filtering": {"type": "string", "enum": ["true", "false"]},
    "deploy-changed-only": {"type": "string", "enum": ["true", "false"]},
    "tenant-id": {"type": "string", "description": "refused: Lianban has no tenants"},
    "data": {"type": "string", "format": "binary",
             "description": "a .bpmn, .dmn, <key>.schema.json or Camunda Form (.form) file; Camunda Modeler names "
                            "the part after the "
                            "diagram, and any number of file parts may be sent"}}}


class CamundaError(Schema):
    type = fields.String(metadata={"description": "Camunda's exception class, e.g. ParseException"})
    message = fields.String()
    code = fields.Integer(metadata={"description": "Camunda's exception code: 0, no specific code"})
    lianbanCode = fields.String(metadata={"description": "Lianban's machine-readable code"})
    field = fields.String()
    element = fields.String()
    file = fields.String()
    problems = fields.List(fields.Dict())
    details = fields.Dict(metadata={"description": "ParseException: per resource, its errors and warnings"})
    userId = fields.String()
    errors = fields.Dict()


class CamundaVersion(Schema):
    version = fields.String()


class CamundaCount(Schema):
    count = fields.Integer()


class CamundaLink(Schema):
    method = fields.String()
    href = fields.String()
    rel = fields.String()


class CamundaDeployment(Schema):
    links = fields.List(fields.Nested(CamundaLink))
    id = fields.String()
    name = fields.String()
    source = fields.String(allow_none=True)
    deploymentTime = fields.String()
    tenantId = fields.String(allow_none=True)


class CamundaProcessDefinition(Schema):
    id = fields.String()
    key = fields.String()
    category = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    name = fields.String(allow_none=True)
    version = fields.Integer()
    resource = fields.String()
    deploymentId = fields.String()
    diagram = fields.String(allow_none=True)
    suspended = fields.Boolean()
    tenantId = fields.String(allow_none=True)
    versionTag = fields.String(allow_none=True)
    historyTimeToLive = fields.Integer(allow_none=True)
    startableInTasklist = fields.Boolean()


class CamundaDeploymentWithDefinitions(CamundaDeployment):
    deployedProcessDefinitions = fields.Dict(keys=fields.String(), values=fields.Nested(CamundaProcessDefinition),
                                             allow_none=True)
    deployedCaseDefinitions = fields.Dict(allow_none=True)
    deployedDecisionDefinitions = fields.Dict(allow_none=True)
    deployedDecisionRequirementsDefinitions = fields.Dict(allow_none=True)


class CamundaProcessInstance(Schema):
    links = fields.List(fields.Nested(CamundaLink))
    id = fields.String(metadata={"description": "the case's id"})
    definitionId = fields.String()
    businessKey = fields.String(allow_none=True)
    caseInstanceId = fields.String(allow_none=True)
    tenantId = fields.String(allow_none=True)
    ended = fields.Boolean()
    suspended = fields.Boolean()
    variables = fields.Dict()
    caseNumber = fields.String(metadata={"description": "Lianban: the case's 办件编号"})
    itemCode = fields.String(metadata={"description": "Lianban: the item the case is a case of"})
    windowId = fields.Integer(metadata={"description": "Lianban: the window that received it"})


class CamundaMessageIn(_Lenient):
    """Camunda 7's POST /message body (docs/integration.md#camunda-7-rest)."""
    messageName = fields.String(required=True, validate=validate.Length(min=1, max=255))
    businessKey = fields.String(allow_none=True, validate=validate.Length(max=camunda.MAX_BUSINESS_KEY))
    processInstanceId = fields.String(allow_none=True, validate=validate.Length(max=64),
                                      metadata={"description": "the case id (a process instance is a case)"})
    correlationKeys = fields.Raw(allow_none=True, metadata={
        "type": "object",
        "description": 'typed values: caseNumber is the case number, any other key a variable the waiting case '
                       'has ({"orderId": {"value": "A-7", "type": "String"}}); strings, numbers and booleans'})
    localCorrelationKeys = fields.Raw(allow_none=True, metadata={
        "type": "object",
        "description": "typed values the waiting task's own variables must have (as correlationKeys)"})
    processVariables = fields.Raw(allow_none=True, metadata={
        "type": "object", "description": 'typed variables: {"paid": {"value": true, "type": "Boolean"}}'})
    all = fields.Boolean(metadata={"description": "deliver to every matching waiting case"})
    resultEnabled = fields.Boolean()
    variablesInResultEnabled = fields.Boolean(metadata={"description": "accepted; variables are not returned"})
    messageId = fields.String(allow_none=True, validate=validate.Length(min=1, max=128), metadata={
        "description": "Lianban's extension: the sender's id, so that a resend is not delivered twice"})
    tenantId = fields.String(allow_none=True, metadata={"description": "refused: Lianban has no tenants"})
    withoutTenantId = fields.Boolean()


class CamundaSignalIn(_Lenient):
    """Camunda 7's POST /signal body."""
    name = fields.String(required=True, validate=validate.Length(min=1, max=255))
    variables = fields.Raw(allow_none=True, metadata={"type": "object", "description": "typed variables"})
    executionId = fields.String(allow_none=True, metadata={"description": "refused: a signal goes to every "
                                                                          "waiting case"})
    signalId = fields.String(allow_none=True, validate=validate.Length(min=1, max=128), metadata={
        "description": "Lianban's extension: the sender's id, so that a resend is not delivered twice"})
    tenantId = fields.String(allow_none=True, metadata={"description": "refused: Lianban has no tenants"})
    withoutTenantId = fields.Boolean()


class CamundaExecution(Schema):
    id = fields.String()
    processInstanceId = fields.String()
    ended = fields.Boolean()
    tenantId = fields.String(allow_none=True)


class CamundaCorrelationResult(Schema):
    resultType = fields.String(metadata={"description": "Execution: a waiting case caught the message; "
                                                        "ProcessDefinition: the message started a case"})
    execution = fields.Nested(CamundaExecution, allow_none=True)
    processInstance = fields.Raw(allow_none=True)
_DEFINITION_ID = fields.String(required=True, validate=validate.Length(min=1, max=300),
                               metadata={"description": "key:version:id, or the bare id"})
_ACTIVITY_IDS = fields.List(fields.String(validate=validate.Length(min=1, max=255)), required=True,
                            validate=validate.Length(equal=1))


class CamundaMigrationGenerateIn(_Lenient):
    sourceProcessDefinitionId = _DEFINITION_ID
    targetProcessDefinitionId = _DEFINITION_ID
    updateEventTriggers = fields.Boolean(metadata={"description": "ignored: events must be unchanged"})


class CamundaMigrationInstruction(_Lenient):
    sourceActivityIds = _ACTIVITY_IDS
    targetActivityIds = _ACTIVITY_IDS
    updateEventTrigger = fields.Boolean()


class CamundaMigrationPlan(_Lenient):
    sourceProcessDefinitionId = _DEFINITION_ID
    targetProcessDefinitionId = _DEFINITION_ID
    instructions = fields.List(fields.Nested(CamundaMigrationInstruction), load_default=list,
                               validate=validate.Length(max=500))
    variables = fields.Raw(allow_none=True, metadata={"type": "object", "description": "ignored"})


class CamundaMigrationReport(Schema):
    instructionReports = fields.List(fields.Dict())
    variableReports = fields.Dict()


class CamundaMigrationExecuteIn(_Lenient):
    migrationPlan = fields.Nested(CamundaMigrationPlan, required=True)
    processInstanceIds = fields.List(fields.String(validate=validate.Length(min=1, max=20)),
                                     validate=validate.Length(min=1, max=10_000))
    processInstanceQuery = fields.Raw(allow_none=True, metadata={
        "type": "object", "description": "any object: every running case of the source version"})
    skipCustomListeners = fields.Boolean()
    skipIoMappings = fields.Boolean()
