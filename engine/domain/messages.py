"""What a sender of a message or signal must send: a name, an id for idempotency, variables that
fit in a case. Pure checks, each failure naming its field."""
from __future__ import annotations

import hashlib
import json
from typing import Any, Optional

from engine.domain.errors import TooLarge, ValidationError

MAX_NAME = 255
MAX_MESSAGE_ID = 128
MAX_BUSINESS_KEY = 255
MAX_CASE_NUMBER = 64
# the variables' JSON size: what a message adds to a case's data (a form is of this order)
MAX_VARIABLES_BYTES = 64 * 1024


def check_name(value: Any, field: str = "name") -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} is the message or signal name of the diagram", code="message_name_required",
                              field=field)
    if len(value) > MAX_NAME:
        raise ValidationError(f"{field} has at most {MAX_NAME} characters", code="message_name_invalid", field=field)
    return value


def check_message_id(value: Any, field: str = "message_id", required: bool = True) -> Optional[str]:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{field} is required: the sender's id of this message, so that a resend is "
                              f"not delivered twice", code="message_id_required", field=field)
    if len(value) > MAX_MESSAGE_ID:
        raise ValidationError(f"{field} has at most {MAX_MESSAGE_ID} characters", code="message_id_invalid",
                              field=field)
    return value


def check_variables(value: Any, field: str = "variables") -> dict:
    """An object (or nothing); its JSON at most MAX_VARIABLES_BYTES. What the engine itself
    refuses (reserved keys, non-identifier names) is checked where it enters the workflow."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{field} is a JSON object", code="data_not_object", field=field)
    size = len(json.dumps(value, ensure_ascii=False, default=str).encode())
    if size > MAX_VARIABLES_BYTES:
        raise TooLarge(f"{field} is {size} bytes of JSON; the limit is {MAX_VARIABLES_BYTES}",
                       code="variables_too_large", field=field)
    return value


def request_hash(kind: str, name: str, correlation: dict, variables: dict) -> str:
    """What the same id must carry again to be the same message."""
    body = json.dumps({"kind": kind, "name": name, "correlation": correlation, "variables": variables},
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()
