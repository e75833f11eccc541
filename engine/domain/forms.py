"""Forms are JSON Schema (Draft 2020-12) documents. Pure rules: how a form key written in BPMN
names a file, whether a document is a usable schema, and how validation failures become
field-level errors ({field, message, validator}) a client can put next to its inputs.
docs/forms.md describes the key mapping for designers."""
from __future__ import annotations

import re
from typing import Optional

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from engine.domain import input_limits

SUFFIX = ".schema.json"
# Camunda Modeler writes deployment-scoped form references with this prefix
_PREFIXES = ("camunda-forms:deployment:", "camunda-forms:app:")
_SAFE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
MAX_FORM_BYTES = 256 * 1024


class FormKeyError(ValueError):
    pass


def file_name(form_key: str) -> str:
    """`proxy_intake`, `proxy_intake.schema.json` and `camunda-forms:deployment:proxy_intake.schema.json`
    all name forms/proxy_intake.schema.json. Camunda Forms (`.form`, form-js JSON) are not JSON
    Schema and are refused; so is anything that could leave the forms directory."""
    key = form_key.strip()
    for prefix in _PREFIXES:
        if key.startswith(prefix):
            key = key[len(prefix):]
    if key.endswith(".form"):
        raise FormKeyError(f"form {form_key!r} is a Camunda Form (.form); Lianban forms are JSON Schema "
                           f"files ({SUFFIX})")
    if not _SAFE.match(key) or ".." in key:
        raise FormKeyError(f"form key {form_key!r} is not a plain file name")
    return key if key.endswith(SUFFIX) else key + SUFFIX


def canonical_key(form_key: str) -> str:
    """The key without prefix and suffix: `proxy_intake` (how forms are stored and served)."""
    return file_name(form_key)[: -len(SUFFIX)]


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
