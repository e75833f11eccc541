"""Response schemas of the hot endpoints, dumped without marshmallow's per-field machinery.

marshmallow serializes each field through several method calls (get_value, serialize,
_serialize); for the flat responses of inbox, claim, complete and start that was a visible share
of a request (bench/bench_http.py). `PlainDumpSchema.dump` does the same conversions directly
when every field is a plain String, Integer, DateTime (ISO) or List of String with no renaming,
default or hook, and falls back to marshmallow otherwise. tests/unit/test_plain_dump.py
compares both on the same objects.
"""
from __future__ import annotations

from datetime import datetime

from marshmallow import Schema, fields, missing
from marshmallow.decorators import POST_DUMP, PRE_DUMP
from marshmallow.utils import ensure_text_type, get_value


def _text(value):
    return None if value is None else ensure_text_type(value)


def _integer(value):
    return None if value is None else int(value)


def _iso(value):
    return None if value is None else datetime.isoformat(value)


def _texts(value):
    return None if value is None else [_text(v) for v in value]


def _converter(field):
    """The field's dump conversion, or None when it is not a plain field."""
    if field.data_key is not None or field.attribute is not None or field.dump_default is not missing:
        return None
    kind = type(field)
    if kind is fields.String:
        return _text
    if kind is fields.Integer and not field.as_string:
        return _integer
    if kind is fields.DateTime and field.format == "iso":
        return _iso
    if kind is fields.List and type(field.inner) is fields.String and _converter(field.inner) is not None:
        return _texts
    return None


class PlainDumpSchema(Schema):
    def _plain_plan(self):
        plan = self.__dict__.get("_plain")
        if plan is None:
            convs = [(name, _converter(f)) for name, f in self.dump_fields.items()]
            usable = (all(c is not None for _, c in convs) and self.dict_class is dict
                      and not self._hooks[PRE_DUMP] and not self._hooks[POST_DUMP])
            plan = self._plain = convs if usable else False
        return plan

    def dump(self, obj, *, many: bool | None = None):
        plan = self._plain_plan()
        if plan is False:
            return super().dump(obj, many=many)
        many = self.many if many is None else bool(many)
        if many and obj is not None:
            return [_dump_one(plan, item) for item in obj]
        return _dump_one(plan, obj)


def _dump_one(plan, obj) -> dict:
    out = {}
    for name, conv in plan:
        value = get_value(obj, name)
        if value is not missing:
            out[name] = conv(value)
    return out
