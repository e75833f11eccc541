"""What data the engine accepts from a form or a caller: JSON objects with identifier keys at the
top, and no `typename` key anywhere (SpiffWorkflow 3.2.0's serializer mistakes it for a type tag
and cannot read the state back). Refused before it reaches the engine, naming the field."""
from __future__ import annotations

import re

from engine.domain.errors import ValidationError

_RESERVED_KEYS = {"typename"}
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
PROTECTED_TOP_KEYS = {"case", "applicant"}   # set by the engine at start, never by a task form


def check_user_data(data: object, path: str = "", top: bool = True) -> None:
    """Refuse data the engine cannot store faithfully. Raises ValidationError naming the field."""
    if top and not isinstance(data, dict):
        raise ValidationError("task data must be a JSON object", code="data_not_object", field=path or "data")
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{path}.{key}" if path else str(key)
            if not isinstance(key, str):
                raise ValidationError(f"key {key!r} is not a string", code="data_invalid_key", field=where)
            if key in _RESERVED_KEYS:
                raise ValidationError(f"'{key}' is a reserved key and cannot be stored in case data",
                                      code="data_reserved_key", field=where)
            if top and not _IDENT.match(key):
                raise ValidationError(f"top-level key {key!r} must be an identifier (letters, digits, _)",
                                      code="data_invalid_key", field=where)
            check_user_data(value, where, top=False)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            check_user_data(value, f"{path}[{i}]", top=False)
    elif not (data is None or isinstance(data, (str, bool, int, float))):
        raise ValidationError(f"value of type {type(data).__name__} is not JSON", code="data_invalid_value", field=path)
