"""Schemas of /api/v1/messages and /api/v1/signals (docs/integration.md#messages-and-signals)."""
from marshmallow import fields, validate

from api.plain_dump import PlainDumpSchema
from api.schemas import Applicant, Id, Strict
from engine.domain import messages as rules

_NAME = validate.Length(min=1, max=rules.MAX_NAME)
_ID = validate.Length(min=1, max=rules.MAX_MESSAGE_ID)
_VARIABLES = {"description": "a JSON object merged into the case's data where the message is caught "
                             f"(identifier keys at the top; at most {rules.MAX_VARIABLES_BYTES} bytes)"}


class MessageIn(Strict):
    name = fields.String(required=True, validate=_NAME,
                         metadata={"description": "the name of the bpmn:message the case waits for"})
    message_id = fields.String(required=True, validate=_ID,
                               metadata={"description": "the sender's id of this message: sent again, it gets the "
                                                        "first answer and nothing is done twice"})
    case_id = Id(strict=True, metadata={"description": "correlate with the case of this id"})
    case_number = fields.String(validate=validate.Length(min=1, max=rules.MAX_CASE_NUMBER),
                                metadata={"description": "correlate with the case of this number"})
    business_key = fields.String(validate=validate.Length(min=1, max=rules.MAX_BUSINESS_KEY),
                                 metadata={"description": "correlate with the case of this business key"})
    correlation = fields.Dict(metadata={
        "description": "variable matches: {name: value} (strings, numbers, booleans; a name may be "
                       "parent.child, e.g. form.licence_no); the waiting case's variables must equal each"})
    all = fields.Boolean(load_default=False, metadata={
        "description": "deliver to every matching waiting case (at most 1000); without it more than one "
                       "match is 409 message_ambiguous"})
    window_id = Id(strict=True, metadata={
        "description": "a message start event: the window that receives the new case (the sender must hold a "
                       "post at its unit); required when the message starts a case"})
    applicant = fields.Nested(Applicant, metadata={
        "description": "a message start event: the new case's applicant; required when the message starts a case"})
    item_code = fields.String(validate=validate.Length(min=1, max=64), metadata={
        "description": "a message start event: the item, when several published items run the process"})
    variables = fields.Dict(load_default=dict, metadata=_VARIABLES)


class SignalIn(Strict):
    name = fields.String(required=True, validate=_NAME,
                         metadata={"description": "the name of the bpmn:signal the cases wait for"})
    signal_id = fields.String(required=True, validate=_ID,
                              metadata={"description": "the sender's id of this signal: sent again, it gets the "
                                                       "first answer and no case receives it twice"})
    variables = fields.Dict(load_default=dict, metadata=_VARIABLES)


class OpenTask(PlainDumpSchema):
    id = fields.String()
    element = fields.String()
    name = fields.String()


class MessageFailure(PlainDumpSchema):
    case_id = fields.Integer()
    code = fields.String()
    message = fields.String()


class MessageOut(PlainDumpSchema):
    """One case's answer; with `all: true` the answer is name, message_id, count, case_ids, results
    (one case's answer each) and failed instead."""
    case_id = fields.Integer()
    case_number = fields.String()
    status = fields.String(metadata={"description": "running, or completed when the message ended the case"})
    version = fields.Integer()
    name = fields.String()
    caught_by = fields.List(fields.String(), metadata={"description": "the BPMN elements that caught it"})
    tasks = fields.List(fields.Nested(OpenTask), metadata={"description": "the case's tasks open now"})
    business_key = fields.String(allow_none=True, metadata={"description": "a started case's business key"})
    started = fields.Boolean(metadata={"description": "the message started this case (a message start event)"})
    message_id = fields.String(allow_none=True)
    count = fields.Integer(metadata={"description": "all: how many cases received it"})
    case_ids = fields.List(fields.Integer(), metadata={"description": "all: the cases that received it"})
    results = fields.List(fields.Nested(lambda: MessageOut(exclude=("results", "failed", "count", "case_ids",
                                                                      "message_id", "started",
                                                                      "business_key"))),
                          metadata={"description": "all: each case's answer"})
    failed = fields.List(fields.Nested(MessageFailure),
                         metadata={"description": "all: cases where it could not be delivered (they still wait)"})


class SignalFailure(PlainDumpSchema):
    case_id = fields.Integer()
    code = fields.String()
    message = fields.String()


class SignalOut(PlainDumpSchema):
    name = fields.String()
    signal_id = fields.String()
    count = fields.Integer(metadata={"description": "how many cases received it"})
    case_ids = fields.List(fields.Integer())
    failed = fields.List(fields.Nested(SignalFailure),
                         metadata={"description": "cases where it could not be delivered (they still wait)"})
