"""Forms are JSON Schema (Draft 2020-12) documents. Pure rules: how a form key written in BPMN
names a file, whether a document is a usable schema, and how validation failures become
field-level errors ({field, message, validator}) a client can put next to its inputs.
docs/forms.md describes the key mapping for designers. A Camunda Form (`.form`, form-js JSON) is
converted into JSON Schema when it is deployed (engine/domain/camunda_forms.py)."""
from __future__ import annotations

import re
from typing import Optional

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from engine.domain import input_limits
from engine.domain.camunda_forms import CamundaFormUnsupported, to_json_schema

SUFFIX = ".schema.json"
CAMUNDA_SUFFIX = ".form"
# `camunda:formRef="id"` names a Camunda Form by the `id` inside it (engine/bpmn/dialects.py)
REF_PREFIX = "camunda-forms:ref:"
# Camunda 8 embeds a form in the process (zeebe:userTaskForm id="...") and names it with this prefix
EMBEDDED_PREFIX = "camunda-forms:bpmn:"
# Camunda Modeler writes deployment-scoped form references with this prefix
_PREFIXES = ("camunda-forms:deployment:", "camunda-forms:app:")
_SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
MAX_FORM_BYTES = 256 * 1024


class FormKeyError(ValueError):
    pass


def file_name(form_key: str) -> str:
    """`proxy_intake`, `proxy_intake.schema.json` and `camunda-forms:deployment:proxy_intake.schema.json`
    all name forms/proxy_intake.schema.json; `camunda-forms:app:invoice.form` names the Camunda
    Form invoice.form. Anything that could leave the forms directory is refused."""
    key = form_key.strip()
    if key.startswith(REF_PREFIX):
        return form_ref(key)
    if key.startswith(EMBEDDED_PREFIX):
        return embedded_ref(key)
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
    if not _SAFE.match(key) or ".." in key:
        raise FormKeyError(f"form key {form_key!r} is not a plain file name")
    return key if key.endswith((SUFFIX, CAMUNDA_SUFFIX)) else key + SUFFIX


def form_ref(form_key: str) -> str:
    """The form id a `camunda:formRef` key names (checked like a file name)."""
    ref = form_key.strip()[len(REF_PREFIX):]
    if not _SAFE.match(ref) or ".." in ref:
        raise FormKeyError(f"camunda:formRef {ref!r} is not a plain form id")
    return REF_PREFIX + ref


def embedded_ref(form_key: str) -> str:
    """`camunda-forms:bpmn:<id>`: the form with that id embedded in the process (checked like a file name)."""
    ref = form_key.strip()[len(EMBEDDED_PREFIX):]
    if not _SAFE.match(ref) or ".." in ref:
        raise FormKeyError(f"embedded form {ref!r} is not a plain form id")
    return EMBEDDED_PREFIX + ref


def canonical_key(form_key: str) -> str:
    """How forms are stored and served: a JSON Schema form without prefix and suffix
    (`proxy_intake`); a Camunda Form with its suffix (`task-form.form`) and a formRef as written
    (`camunda-forms:ref:approveInvoice`), so that neither can stand for a JSON Schema form of the
    same name in one version's snapshot."""
    name = file_name(form_key)
    if name.startswith((REF_PREFIX, EMBEDDED_PREFIX)) or name.endswith(CAMUNDA_SUFFIX):
        return name
    return name[: -len(SUFFIX)]


def parse_camunda_form(content: bytes) -> tuple[Optional[dict], Optional[str], Optional[str]]:
    """(schema, form id, None) of a Camunda Form, or (None, None, why it cannot be used)."""
    if len(content) > MAX_FORM_BYTES:
        return None, None, f"larger than {MAX_FORM_BYTES} bytes"
    try:
        document = input_limits.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, None, f"not JSON ({exc})"
    try:
        converted = to_json_schema(document)
    except CamundaFormUnsupported as exc:
        return None, None, f"Camunda Form: {exc}"
    schema, why = _checked(converted)
    form_id = document.get("id") if isinstance(document.get("id"), str) else None
    return schema, form_id, why


def parse_schema(content: bytes) -> tuple[Optional[dict], Optional[str]]:
    """(schema, None) or (None, why it is not a usable form)."""
    if len(content) > MAX_FORM_BYTES:
        return None, f"larger than {MAX_FORM_BYTES} bytes"
    try:
        schema = input_limits.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return None, f"not JSON ({exc})"
    if not isinstance(schema, dict):
        return None, "not a JSON object"
    return _checked(schema)


def _checked(schema: dict) -> tuple[Optional[dict], Optional[str]]:
    declared = schema.get("$schema")
    if declared is not None and "2020-12" not in str(declared):
        return None, f"declares {declared!r}; forms are JSON Schema Draft 2020-12"
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.path) or "(root)"
        return None, f"not a valid JSON Schema at {where}: {exc.message}"
    if schema.get("type", "object") != "object":
        return None, "a form's top level must be of type object"
    return with_field_order(schema), None


FIELD_ORDER = "x-order"


def with_field_order(schema):
    """The schema with the order of each object's properties written down (`x-order`, a list of
    names as the file lists them): the console shows fields in that order, and PostgreSQL's JSONB,
    where the snapshot is stored, keeps an object's keys sorted its own way. An author's own
    `x-order` is kept. Validators ignore `x-` keywords."""
    if isinstance(schema, list):
        return [with_field_order(part) for part in schema]
    if not isinstance(schema, dict):
        return schema
    out = {key: with_field_order(value) for key, value in schema.items()}
    if isinstance(schema.get("properties"), dict) and FIELD_ORDER not in schema:
        out[FIELD_ORDER] = list(schema["properties"])
    return out


def compile_validator(schema: dict) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _path(prefix: str, parts) -> str:
    return ".".join([prefix, *(str(p) for p in parts)]) if prefix else ".".join(str(p) for p in parts)


def field_errors(validator: Draft202012Validator, data, prefix: str) -> list[dict]:
    """Every violation, one entry per field, in document order. A missing required property is
    reported on the property itself (form.uscc), not on its parent object."""
    out, seen = [], set()
    for error in sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.validator)):
        parts = list(error.absolute_path)
        if error.validator in ("required", "dependentRequired") and isinstance(error.instance, dict):
            match = re.match(r"^'(.+)' is a required property$", error.message) or \
                re.match(r"^'(.+)' is a dependency of", error.message)
            if match:
                parts.append(match.group(1))
        field = _path(prefix, parts)
        if (field, error.validator) in seen:
            continue
        seen.add((field, error.validator))
        out.append({"field": field, "message": error.message[:500], "validator": str(error.validator)})
    return out
