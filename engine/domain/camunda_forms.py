"""Camunda Forms (form-js JSON, the `.form` files Camunda Modeler writes) as the JSON Schema forms
Lianban validates and the console renders (docs/forms.md#camunda-forms). Pure: a document in, a
schema or the reason out.

Each data component becomes one property, keyed by its `key`, titled by its `label`, described by
its `description`:

| form-js | JSON Schema |
|---|---|
| textfield, textarea | string; `validate.minLength`/`maxLength`/`pattern`; `validationType` email → format email |
| number | number (integer when `decimalDigits` is 0); `validate.min`/`max` → minimum/maximum |
| checkbox | boolean |
| radio, select | string (or number) with oneOf [{const, title}] from `values` |
| checklist, taglist | array of those, each value once |
| datetime | string, format date, time or date-time after `subtype` |

`validate.required` makes the key required; `defaultValue` is the default; `readonly`/`disabled`
fields are readOnly. Components without data (text, html, image, spacer, separator, button) are
left out. Anything that cannot be kept exactly is refused (CamundaFormUnsupported, naming the
component): an unknown type, a group or dynamic list, options from a variable or an expression
(`valuesKey`, `valuesExpression`), conditions (`conditional`: a hidden field would still be
required here), a key that is a path (`a.b`) or not a plain name, FEEL in a validation rule."""
from __future__ import annotations

import re

_LAYOUT = {"text", "html", "image", "spacer", "separator", "button", "default"}
_KEY = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
MAX_COMPONENTS = 500
_DATETIME = {"date": "date", "time": "time", "datetime": "date-time"}


class CamundaFormUnsupported(ValueError):
    def __init__(self, reason: str, component: str | None = None):
        super().__init__(f"component {component}: {reason}" if component else reason)
        self.reason = reason
        self.component = component


def _name(component: dict, index: int) -> str:
    """How a problem names a component: its key, else its id, else its position; with its type."""
    label = component.get("key") or component.get("id") or f"#{index + 1}"
    return f"{label!s:.80} ({component.get('type')!s:.40})"


def _number(value, what: str, name: str):
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        if isinstance(value, str) and value.startswith("="):
            raise CamundaFormUnsupported(f"{what} is a FEEL expression; only a number is supported", name)
        raise CamundaFormUnsupported(f"{what} {value!r} is not a number", name)
    return value


def _choices(component: dict, name: str) -> list[dict]:
    if "valuesKey" in component or "valuesExpression" in component:
        raise CamundaFormUnsupported("options from a variable or an expression are not supported; list `values`",
                                     name)
    values = component.get("values")
    if not isinstance(values, list) or not values:
        raise CamundaFormUnsupported("`values` must list the options", name)
    out = []
    for option in values:
        if not isinstance(option, dict) or not isinstance(option.get("value"), (str, int, float)) \
                or isinstance(option.get("value"), bool):
            raise CamundaFormUnsupported(f"option {option!r:.80} needs a text or number `value`", name)
        out.append({"const": option["value"], "title": str(option.get("label", option["value"]))})
    return out


def _text(component: dict, validate: dict, name: str) -> dict:
    prop: dict = {"type": "string"}
    for source, target in (("minLength", "minLength"), ("maxLength", "maxLength")):
        if source in validate:
            value = _number(validate[source], f"validate.{source}", name)
            if not isinstance(value, int) or value < 0:
                raise CamundaFormUnsupported(f"validate.{source} must be a whole number", name)
            prop[target] = value
    if "pattern" in validate:
        pattern = validate["pattern"]
        if not isinstance(pattern, str) or pattern.startswith("="):
            raise CamundaFormUnsupported("validate.pattern must be a regular expression (not FEEL)", name)
        try:
            re.compile(pattern)
        except re.error as exc:
            raise CamundaFormUnsupported(f"validate.pattern is not a regular expression ({exc})", name) from None
        prop["pattern"] = pattern
    kind = validate.get("validationType")
    if kind == "email":
        prop["format"] = "email"
    elif kind not in (None, ""):
        raise CamundaFormUnsupported(f"validate.validationType {kind!r} is not supported (only email)", name)
    return prop


def _number_field(component: dict, validate: dict, name: str) -> dict:
    prop = {"type": "integer" if component.get("decimalDigits") == 0 else "number"}
    for source, target in (("min", "minimum"), ("max", "maximum")):
        if source in validate:
            prop[target] = _number(validate[source], f"validate.{source}", name)
    return prop


def _datetime(component: dict, validate: dict, name: str) -> dict:
    subtype = component.get("subtype", "date")
    if subtype not in _DATETIME:
        raise CamundaFormUnsupported(f"datetime subtype {subtype!r} is not one of date, time, datetime", name)
    return {"type": "string", "format": _DATETIME[subtype]}


_BUILDERS = {
    "textfield": _text, "textarea": _text, "number": _number_field, "datetime": _datetime,
    "checkbox": lambda component, validate, name: {"type": "boolean"},
    "radio": lambda component, validate, name: {"oneOf": _choices(component, name)},
    "select": lambda component, validate, name: {"oneOf": _choices(component, name)},
    "checklist": lambda component, validate, name: {"type": "array", "items": {"oneOf": _choices(component, name)},
                                                    "uniqueItems": True},
}
_BUILDERS["taglist"] = _BUILDERS["checklist"]


def _property(component: dict, name: str) -> dict:
    validate = component.get("validate") or {}
    if not isinstance(validate, dict):
        raise CamundaFormUnsupported("`validate` must be an object", name)
    prop = _BUILDERS[component["type"]](component, validate, name)
    for source, target in (("label", "title"), ("description", "description")):
        if isinstance(component.get(source), str) and component[source].strip():
            prop[target] = component[source].strip()[:500]
    if "defaultValue" in component:
        prop["default"] = component["defaultValue"]
    if component.get("readonly") is True or component.get("disabled") is True:
        prop["readOnly"] = True
    return prop


def _data_key(component: dict, index: int, taken: dict) -> str | None:
    """The key of a data component (None for text and layout); CamundaFormUnsupported otherwise."""
    if not isinstance(component, dict):
        raise CamundaFormUnsupported(f"component #{index + 1} is not an object")
    name = _name(component, index)
    kind = component.get("type")
    if kind in _LAYOUT:
        return None
    if kind not in _BUILDERS:
        raise CamundaFormUnsupported(f"type {kind!r} is not supported (supported: "
                                     f"{', '.join(sorted(_BUILDERS))}; text and layout are left out)", name)
    if "conditional" in component:
        raise CamundaFormUnsupported("a condition (conditional) is not supported: the field would be "
                                     "checked even when the form hides it", name)
    key = component.get("key")
    if not isinstance(key, str) or not _KEY.match(key):
        raise CamundaFormUnsupported(f"key {key!r} must be a plain name (letters, digits, _; not a path)", name)
    if key in taken:
        raise CamundaFormUnsupported(f"key {key!r} is used by two components", name)
    return key


def to_json_schema(document) -> dict:
    """The JSON Schema of a form-js document; CamundaFormUnsupported naming the component otherwise."""
    if not isinstance(document, dict) or not isinstance(document.get("components"), list):
        raise CamundaFormUnsupported("not a Camunda Form (no `components` list)")
    components = document["components"]
    if len(components) > MAX_COMPONENTS:
        raise CamundaFormUnsupported(f"more than {MAX_COMPONENTS} components")
    properties: dict[str, dict] = {}
    required: list[str] = []
    for index, component in enumerate(components):
        key = _data_key(component, index, properties)
        if key is None:
            continue
        properties[key] = _property(component, _name(component, index))
        if (component.get("validate") or {}).get("required") is True:
            required.append(key)
    schema: dict = {"$schema": "https://json-schema.org/draft/2020-12/schema", "type": "object",
                    "properties": properties}
    if required:
        schema["required"] = required
    return schema
