"""Log lines of every Lianban process (API, worker, CLI), each with the id of the request it was
written for (engine/domain/correlation.py): as text by default, or one JSON object per line with
LIANBAN_LOG_FORMAT=json, for a log shipper to index (docs/operations.md#logs-and-request-ids)."""
from __future__ import annotations

import json
import logging
import os
from datetime import datetime, timezone

from engine.config import SettingsError
from engine.domain import correlation

FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "-") on every record that passes the handler."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = correlation.current() or "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id, and
    the traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        out = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
               "level": record.levelname, "logger": record.name, "message": record.getMessage(),
               "request_id": correlation.current(),
               "process": record.process}
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, ensure_ascii=False)


def log_format(environ=None) -> str:
    """LIANBAN_LOG_FORMAT, `text` or `json`; anything else is refused by name."""
    value = (os.environ if environ is None else environ).get("LIANBAN_LOG_FORMAT", "text").strip().lower() or "text"
    if value not in FORMATS:
        raise SettingsError(f"LIANBAN_LOG_FORMAT={value!r} is not one of {', '.join(FORMATS)}",
                            field="LIANBAN_LOG_FORMAT")
    return value


def handler(fmt: str, stream=None) -> logging.Handler:
    out = logging.StreamHandler(stream)
    out.addFilter(RequestIdFilter())
    out.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    return out


def configure(fmt: str | None = None, level: int = logging.INFO) -> None:
    """Replace the root logger's handlers with one of ours (stderr)."""
    root = logging.getLogger()
    root.handlers[:] = [handler(fmt or log_format())]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # the executor's two lines per 5-second sweep drown what matters (the sweep logs what it fired
    # itself); the scheduler's own lines (started, shut down) stay
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)
