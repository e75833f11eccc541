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


# --- correlation by process variables (docs/integration.md#correlation-by-variables) -------------
# What a waiting message subscription keeps of its case's variables, so that a sender matching
# variables finds the case with an indexed lookup instead of loading workflows: each scalar at the
# top of the waiting task's data, and each scalar one level down as "parent.name" (form.licence_no,
# case.number), the applicant's particulars excepted (personal data stays in the case).
MAX_CORRELATION_ENTRIES = 64
MAX_CORRELATION_NAME = 128
MAX_CORRELATION_VALUE = 255
MAX_CORRELATION_KEYS = 16
PRIVATE_BRANCHES = frozenset({"applicant"})


def encode_value(value: Any) -> Optional[str]:
    """The canonical text of a scalar, as stored and as compared: JSON, with a whole float written
    as an integer (120.0 matches 120) and strings as JSON strings ("120" does not match 120). None
    for what is not a scalar, or too long to keep."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None
        text = str(int(value)) if value.is_integer() and abs(value) < 2 ** 63 else repr(value)
    else:
        return None
    return text if len(text) <= MAX_CORRELATION_VALUE else None


def correlation_values(data: dict) -> dict[str, str]:
    """name -> canonical value of what a waiting subscription keeps (see above)."""
    out: dict[str, str] = {}
    for name, value in _scalars(data or {}):
        if len(out) >= MAX_CORRELATION_ENTRIES:
            break
        text = encode_value(value) if len(name) <= MAX_CORRELATION_NAME and value is not None else None
        if text is not None:
            out[name] = text
    return out


def _scalars(data: dict):
    """(name, value) of each non-container value at the top and one level down (not private)."""
    for key, value in data.items():
        if not isinstance(key, str):
            continue
        if isinstance(value, dict):
            if key not in PRIVATE_BRANCHES:
                yield from ((f"{key}.{sub}", inner) for sub, inner in value.items()
                            if isinstance(sub, str) and not isinstance(inner, (dict, list)))
        elif not isinstance(value, list):
            yield key, value


def check_correlation(value: Any, field: str = "correlation") -> dict[str, str]:
    """A sender's variable matches: an object of at most MAX_CORRELATION_KEYS names, each a scalar
    (string, number, boolean); returns name -> canonical value."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValidationError(f"{field} is an object of variable names and values", code="correlation_invalid",
                              field=field)
    if len(value) > MAX_CORRELATION_KEYS:
        raise ValidationError(f"{field} has at most {MAX_CORRELATION_KEYS} variables", code="correlation_invalid",
                              field=field)
    out = {}
    for name, item in value.items():
        if not isinstance(name, str) or not name or len(name) > MAX_CORRELATION_NAME:
            raise ValidationError(f"a variable name in {field} has 1 to {MAX_CORRELATION_NAME} characters",
                                  code="correlation_invalid", field=field)
        if name.split(".", 1)[0] in PRIVATE_BRANCHES:
            raise ValidationError(f"{field}.{name}: the applicant's particulars are not searched",
                                  code="correlation_variable_private", field=f"{field}.{name}")
        text = encode_value(item) if item is not None and not isinstance(item, (dict, list)) else None
        if text is None:
            raise ValidationError(f"{field}.{name} is a string, a number or a boolean (at most "
                                  f"{MAX_CORRELATION_VALUE} characters)", code="correlation_invalid",
                                  field=f"{field}.{name}")
        out[name] = text
    return out


# --- messages thrown between cases (docs/integration.md#messages-thrown-between-cases) -----------
# a thrown message nobody waits for yet is tried again after RETRY_FIRST_SECONDS, then twice as
# long each time, at most RETRY_MAX_SECONDS apart, until its time to live runs out
RETRY_FIRST_SECONDS = 5.0
RETRY_MAX_SECONDS = 300.0


def message_correlation(variables: Optional[dict], business_key: Optional[str], element: Optional[str]) -> dict:
    """What the outbox row of a thrown message keeps of its receiver: {"variables": {name:
    canonical value}} and, when named, "business_key". A value that cannot be matched (a list,
    the applicant's particulars, too long) is refused with the throwing element as its field."""
    where = element or "message"
    out: dict = {"variables": check_correlation(variables or {}, f"{where}.correlation")}
    if business_key is not None:
        key = str(business_key).strip()
        if not key or len(key) > MAX_BUSINESS_KEY:
            raise ValidationError(f"{where}: the business key is text of 1 to {MAX_BUSINESS_KEY} characters",
                                  code="business_key_invalid", field=f"{where}.businessKey")
        out["business_key"] = key
    return out


def retry_delay(attempts: int) -> float:
    """Seconds before the next delivery attempt of a thrown message after `attempts` failed ones."""
    return min(RETRY_FIRST_SECONDS * 2 ** max(attempts - 1, 0), RETRY_MAX_SECONDS)
