"""Which request (or job) the work at hand belongs to: set by the HTTP layer for each request
(api/observability.py), read by the log lines and the audit events written meanwhile, so an
operator can follow one request from the access log to the rows it wrote. A context variable:
each thread (and each asyncio task) sees its own."""
from __future__ import annotations

import re
from random import getrandbits
from contextvars import ContextVar
from typing import Optional

REQUEST_ID: ContextVar[Optional[str]] = ContextVar("lianban_request_id", default=None)

# what a client (or a proxy in front) may send as X-Request-Id and see carried through: short,
# printable, no spaces or quotes (it lands in log lines, JSON and a database column)
MAX_LENGTH = 64
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:+=/-]{0,63}")


def accepted(sent: Optional[str]) -> Optional[str]:
    """The client's id when it is sane, else None (the caller makes one)."""
    if sent and _SANE.fullmatch(sent):
        return sent
    return None


def new_id() -> str:
    """128 random bits in hex. An id to find a request by, not a secret: the random module's
    generator (reseeded in each forked worker) costs a tenth of os.urandom's system call."""
    return f"{getrandbits(128):032x}"


def current() -> Optional[str]:
    return REQUEST_ID.get()
