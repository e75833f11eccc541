"""Receiving a case (收件): the channels it can come in by, and its number (办件编号)."""
from __future__ import annotations

from datetime import datetime

from engine.domain.clock import SHANGHAI
from engine.domain.errors import Conflict

CHANNELS = ("window", "online", "mobile", "mail", "proxy")
# an applicant applies herself online, by mobile or by mail; the others are a window's intake
APPLICANT_CHANNELS = ("online", "mobile", "mail")
MAX_DAILY_SERIAL = 9999


def case_day(now: datetime) -> str:
    """The Asia/Shanghai day (yyyymmdd) a case received at `now` is numbered on."""
    return now.astimezone(SHANGHAI).strftime("%Y%m%d")


def case_number(implementation_code: str, day: str, serial: int) -> str:
    """办件编号 (docs/lifecycle.md): implementation code + yyyymmdd + a 4-digit daily serial per
    implementation code."""
    if serial > MAX_DAILY_SERIAL:
        raise Conflict(f"the daily serial of {implementation_code} is exhausted for {day}",
                       code="case_serial_exhausted")
    return f"{implementation_code}{day}{serial:04d}"
