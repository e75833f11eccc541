"""Personal data helpers (pure): ID numbers are never shown whole in lists or logs."""
from __future__ import annotations

import hashlib
import hmac
import re

_ID18 = re.compile(r"^\d{17}[\dXx]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def mask_id_number(value: str | None) -> str | None:
    """'620102199001011234' -> '620102********1234' (keep region and last four)."""
    if not value:
        return value
    v = str(value)
    if len(v) <= 8:
        return "*" * len(v)
    return v[:6] + "*" * (len(v) - 10) + v[-4:]


def mask_phone(phone: str | None) -> str | None:
    """'13800001234' -> '138****1234' (lists and the audit trail never show a whole number)."""
    if not phone:
        return phone
    digits = phone.strip()
    return digits[:3] + "*" * max(len(digits) - 7, 0) + digits[-4:] if len(digits) > 7 else "*" * len(digits)


def valid_resident_id(value: str) -> bool:
    """GB 11643 18-digit resident ID number with its ISO 7064 check character."""
    if not _ID18.match(value or ""):
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS))
    return _CHECK[total % 11] == value[17].upper()


ID_KEYS = {"id_number", "idNumber", "id_card", "certificate_no", "certificateNo"}


def mask_ids_in(value):
    """A copy of nested data with every ID-number field masked (for views, exports and logs)."""
    if isinstance(value, dict):
        return {k: (mask_id_number(v) if k in ID_KEYS and isinstance(v, str) else mask_ids_in(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [mask_ids_in(v) for v in value]
    return value


def id_key(secret: str, id_number: str | None) -> str | None:
    """A keyed hash (HMAC-SHA256) of an ID number: finds a walk-in applicant's vault documents again
    without the number itself standing in an index."""
    value = (id_number or "").strip().upper()
    if not value:
        return None
    return hmac.new(secret.encode("utf-8"), value.encode("utf-8"), hashlib.sha256).hexdigest()
