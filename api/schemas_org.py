"""Schemas of the organisation endpoints (/api/v1/org): units, departments, halls, windows, roles,
staff accounts, posts, and the import/export of the whole organisation (docs/organisation.md)."""
from marshmallow import fields, validate

from api.schemas import Id, Schema, Strict
from engine.domain.org import TIERS
from engine.domain.organisation import HALL_KINDS, SYSTEM_ROLES, WINDOW_KINDS

_CODE = validate.Length(min=1, max=32)
_NAME = validate.Length(min=1, max=200)
_ACTIVE = {"description": "false deactivates it (refused with 409 while something still needs it); true "
                          "reactivates it"}


class UnitIn(Strict):
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=_NAME)
    tier = fields.String(required=True, validate=validate.OneOf(TIERS))
    parent_id = Id(strict=True, allow_none=True, metadata={
        "description": "a park's parent is the district, a township's a park or the district, a village's a "
                       "township; the district has none"})


class UnitPatch(Strict):
    name = fields.String(validate=_NAME)
    tier = fields.String(validate=validate.OneOf(TIERS))
    parent_id = Id(strict=True, allow_none=True, metadata={"description": "moves the unit and everything below it"})
    active = fields.Boolean(metadata=_ACTIVE)


class UnitOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    tier = fields.String()
    parent_id = fields.Integer(allow_none=True)
    active = fields.Boolean()


class DepartmentIn(Strict):
    org_unit_id = Id(strict=True, required=True)
    code = fields.String(required=True, validate=_CODE, metadata={
        "description": "what BPMN targets name after '@' (tier:role@code), catalogue entries as deciding "
                       "department"})
    name = fields.String(required=True, validate=_NAME)


class NamePatch(Strict):
    name = fields.String(validate=_NAME)
    active = fields.Boolean(metadata=_ACTIVE)


class DepartmentOut(Schema):
    id = fields.Integer()
    org_unit_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    active = fields.Boolean()


_CLOSES_AT = {"description": "closing time, HH:MM Beijing time (null: none): what is received later on a working "
                             "day is deemed received on the next working day", "example": "17:30"}


_HHMM = {"type": "string", "example": "09:00", "description": "HH:MM Beijing time"}
_HOURS = {"type": "array", "nullable": True, "description": (
    "the hall's opening hours (办公时间), instead of closes_at (giving one clears the other; null: none): seasons "
    "by month-day range covering the year once, each with weekday rules (1 Monday … 7 Sunday), opening and "
    "closing time and an optional lunch break. docs/organisation.md#opening-hours"),
    "items": {"type": "object", "required": ["from", "to", "days"], "properties": {
        "name": {"type": "string", "maxLength": 20, "example": "冬季"},
        "from": {"type": "string", "example": "10-01"}, "to": {"type": "string", "example": "04-30"},
        "days": {"type": "array", "items": {"type": "object", "required": ["weekdays", "opens", "closes"],
                                            "properties": {
            "weekdays": {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 7}},
            "opens": _HHMM, "closes": _HHMM,
            "lunch": {"type": "object", "required": ["from", "to"], "properties": {"from": _HHMM, "to": _HHMM}}}}}}},
    "example": [{"name": "夏季", "from": "05-01", "to": "09-30", "days": [
        {"weekdays": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "18:00", "lunch": {"from": "12:00", "to": "14:00"}}]},
        {"name": "冬季", "from": "10-01", "to": "04-30", "days": [
            {"weekdays": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "17:30",
             "lunch": {"from": "12:00", "to": "13:30"}}]}]}


class HallIn(Strict):
    org_unit_id = Id(strict=True, required=True)
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=_NAME)
    kind = fields.String(required=True, validate=validate.OneOf(HALL_KINDS))
    closes_at = fields.String(allow_none=True, metadata=_CLOSES_AT)
    hours = fields.Raw(allow_none=True, metadata=_HOURS)


class HallPatch(NamePatch):
    kind = fields.String(validate=validate.OneOf(HALL_KINDS))
    closes_at = fields.String(allow_none=True, metadata=_CLOSES_AT)
    hours = fields.Raw(allow_none=True, metadata=_HOURS)


class HallOut(DepartmentOut):
    kind = fields.String()
    closes_at = fields.String(allow_none=True, metadata=_CLOSES_AT)
    hours = fields.Raw(allow_none=True, metadata=_HOURS)


class WindowIn(Strict):
    hall_id = Id(strict=True, required=True)
    code = fields.String(required=True, validate=_CODE)
    name = fields.String(required=True, validate=_NAME)
    kind = fields.String(required=True, validate=validate.OneOf(WINDOW_KINDS))
    department_id = Id(strict=True, allow_none=True, metadata={"description": "a department of the hall's unit"})


class WindowPatch(NamePatch):
    kind = fields.String(validate=validate.OneOf(WINDOW_KINDS))
    hall_id = Id(strict=True, metadata={"description": "another hall of the same unit"})
    department_id = Id(strict=True, allow_none=True)


class WindowOut(HallOut):
    hall_id = fields.Integer()
    department_id = fields.Integer(allow_none=True)


class RoleIn(Strict):
    code = fields.String(required=True, validate=validate.Length(min=1, max=32), metadata={
        "description": "lower-case letters and '_': what BPMN targets name (tier:code)"})
    name_zh = fields.String(required=True, validate=validate.Length(min=1, max=100))
    name_en = fields.String(required=True, validate=validate.Length(min=1, max=100))
    description = fields.String(allow_none=True, validate=validate.Length(max=500))


class RolePatch(Strict):
    name_zh = fields.String(validate=validate.Length(min=1, max=100))
    name_en = fields.String(validate=validate.Length(min=1, max=100))
    description = fields.String(allow_none=True, validate=validate.Length(max=500))
    active = fields.Boolean(metadata=_ACTIVE)


class RoleOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name_zh = fields.String()
    name_en = fields.String()
    description = fields.String(allow_none=True)
    active = fields.Boolean()


class StaffIn(Strict):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(validate=validate.Length(min=8, max=256), load_only=True, metadata={
        "description": "the initial password (stored as a salted scrypt hash)"})
    active = fields.Boolean(load_default=True)
    system_roles = fields.List(fields.String(validate=validate.OneOf(SYSTEM_ROLES)),
                               validate=validate.Length(max=len(SYSTEM_ROLES)))


class StaffPatch(Strict):
    name = fields.String(validate=validate.Length(min=1, max=100))
    password = fields.String(validate=validate.Length(min=8, max=256), load_only=True,
                             metadata={"description": "a new password"})
    active = fields.Boolean(metadata={"description": "false: she can no longer log in and her current posts end "
                                                     "(refused while she holds claimed tasks)"})
    system_roles = fields.List(fields.String(validate=validate.OneOf(SYSTEM_ROLES)),
                               validate=validate.Length(max=len(SYSTEM_ROLES)))


class StaffOut(Schema):
    id = fields.Integer()
    username = fields.String()
    name = fields.String()
    active = fields.Boolean()
    system_roles = fields.List(fields.String())


class PostIn(Strict):
    staff_id = Id(strict=True, required=True)
    window_id = Id(strict=True, required=True, metadata={"description": "the post's unit and department are "
                                                                        "the window's"})
    role = fields.String(required=True, validate=validate.Length(min=1, max=32))


class PostMove(Strict):
    window_id = Id(strict=True, required=True)
    role = fields.String(validate=validate.Length(min=1, max=32), metadata={"description": "default: the same role"})


class PostOut(Schema):
    id = fields.Integer()
    staff_id = fields.Integer()
    username = fields.String()
    staff_name = fields.String()
    window_id = fields.Integer()
    window_code = fields.String()
    org_unit_id = fields.Integer()
    department_id = fields.Integer(allow_none=True)
    role = fields.String()
    valid_from = fields.DateTime(allow_none=True)
    valid_to = fields.DateTime(allow_none=True, metadata={"description": "null while the post is current"})


class Created(Schema):
    id = fields.Integer()


class UnitArgs(Strict):
    parent_id = Id()


class UnitFilterArgs(Strict):
    unit_id = Id()


class DepartmentArgs(UnitFilterArgs):
    code = fields.String(validate=_CODE)


class WindowArgs(UnitFilterArgs):
    hall_id = Id()


class PostArgs(UnitFilterArgs):
    staff_id = Id()
    window_id = Id()
    include_ended = fields.Boolean(load_default=False, metadata={"description": "the history too"})


class StructureOut(Schema):
    units = fields.List(fields.Nested(UnitOut))
    departments = fields.List(fields.Nested(DepartmentOut))
    halls = fields.List(fields.Nested(HallOut))
    windows = fields.List(fields.Nested(WindowOut))
    roles = fields.List(fields.Nested(RoleOut))


class OrgImportArgs(Strict):
    format = fields.String(validate=validate.OneOf(["json", "csv"]),
                           metadata={"description": "default: from the content type or the file name, else json"})
    dry_run = fields.Boolean(load_default=False, metadata={"description": "only check: the problems, nothing written"})


class OrgImportOut(Schema):
    records = fields.Integer()
    counts = fields.Dict(metadata={"description": "per kind: {created, updated, unchanged}"})
    problems = fields.List(fields.Dict(), metadata={"description": "dry run: every problem (kind, row, field, code, "
                                                                   "message)"})


class OrgExportArgs(Strict):
    format = fields.String(load_default="json", validate=validate.OneOf(["json", "csv"]))
