"""Personal data helpers (pure): ID numbers are never shown whole in lists or logs."""
from __future__ import annotations

import hashlib
import hmac
import re
from datetime import date

_ID18 = re.compile(r"^\d{17}[\dXx]$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
MOBILE = re.compile(r"^1[3-9]\d{9}$")          # a mainland mobile number (11 digits)


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


def mask_name(value: str | None) -> str | None:
    """'张三' -> '张*', '欧阳娜娜' -> '欧***' (a worklist shows whose case it is, not the whole name)."""
    if not value:
        return value
    v = str(value).strip()
    return v[:1] + "*" * (len(v) - 1)


def valid_resident_id(value: str) -> bool:
    """GB 11643 18-character resident ID number: 17 digits whose birth date (characters 7-14) is
    a real date, and its ISO 7064 MOD 11-2 check character."""
    if not isinstance(value, str) or not _ID18.match(value):
        return False
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if born.year < 1800:
        return False
    total = sum(int(d) * w for d, w in zip(value[:17], _WEIGHTS))
    return _CHECK[total % 11] == value[17].upper()


def valid_mobile(value: str) -> bool:
    """A mainland mobile number: 11 digits starting 13-19."""
    return isinstance(value, str) and MOBILE.match(value) is not None


PHONE_KEYS = ("phone", "mobile")


def identity_problem(applicant: dict, form: dict) -> tuple[str, str] | None:
    """(code, field) of the first bad identity datum of an application, or None: the applicant's
    `id_number` a valid resident ID, every `phone`/`mobile` of the applicant and of the form a
    mainland mobile number."""
    id_number = applicant.get("id_number")
    if id_number not in (None, "") and not valid_resident_id(id_number):
        return "id_number_invalid", "applicant.id_number"
    for where, data in (("applicant", applicant), ("form", form)):
        for key in PHONE_KEYS:
            value = data.get(key)
            if value not in (None, "") and not valid_mobile(value):
                return "phone_invalid", f"{where}.{key}"
    return None


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
