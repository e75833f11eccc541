"""Settings from LIANBAN_* environment variables (12-factor); no file-based config to drift."""
from __future__ import annotations

import ipaddress
import math
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from engine.domain.deadlines import CONVENTIONS, RECEIPT_RULES
from engine.domain.errors import LianbanError

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class SettingsError(LianbanError):
    """A LIANBAN_* variable that cannot be used; `field` names the variable."""
    code = "setting_invalid"


def _default_database_url() -> str:
    return f"sqlite:///{PROJECT_ROOT / 'var' / 'lianban.db'}"


@dataclass(frozen=True)
class Settings:
    database_url: str = field(default_factory=_default_database_url)
    scheduler_interval_seconds: float = 5.0
    timer_batch_size: int = 100
    # timers a worker process fires at once on PostgreSQL, each in its own transaction (one
    # waits on the database while another runs its workflow); SQLite has one writer: 1
    timer_threads: int = 4
    timer_max_attempts: int = 5
    workflow_cache_size: int = 1000
    # and by the summed length of their serialized states (a deserialized workflow takes a few
    # times its state's length in memory: 4.2 x for linear5, docs/operations.md); 0 = by number only
    workflow_cache_bytes: int = 8 * 1024 * 1024
    script_max_lines: int = 100_000
    # time limits (docs/time-limits.md): start-day convention recorded on each case; yellow card at
    # <= yellow_workdays left, or a share of the limit when yellow_share is set and larger
    start_day_convention: str = "exclude_start"
    # a receipt or acceptance on a non-working day counts from the next working day (next_workday)
    # or from the day itself (as_received); recorded on each case like the convention
    receipt_rule: str = "next_workday"
    yellow_workdays: int = 1
    yellow_share: float = 0.0
    correction_notice_workdays: int = 5
    step_workdays_by_role: str = ""          # e.g. "reviewer=5,approver=5": default step limits
    # 好差评 (docs/ratings.md): the rating window after 办结, each step of a 差评's review, how long
    # a visit opened at a window may be rated
    rating_window_workdays: int = 5
    rating_review_workdays: int = 15
    rating_visit_minutes: int = 30
    # how old another process's change to the organisation or the calendar may be when this one
    # reads it (engine/services/caches.py); how long a token's actor is kept (a revocation is seen
    # at once all the same: the security version, docs/security.md)
    cache_seconds: float = 30.0
    token_cache_seconds: float = 10.0
    # workflow task trees are many small objects: Python's default young-generation threshold
    # (700) made the collector a fifth of a command's time; 0 leaves the interpreter's default
    gc_threshold: int = 50_000
    # materials (docs/materials.md#domain-rules): uploads over the limit are refused before anything is stored;
    # the type is sniffed from the bytes (OFD = GB/T 33190 e-documents, the format of e-licences)
    # login throttling (docs/security.md): failures counted per account name and per client address
    # within a window; over the limit the key is locked, first for login_lockout_seconds, each
    # further lockout twice as long, at most login_lockout_max_seconds
    login_account_failures: int = 5
    login_address_failures: int = 50
    login_window_seconds: float = 900.0
    login_lockout_seconds: float = 900.0
    login_lockout_max_seconds: float = 86_400.0
    # what a script task or condition may use (engine/bpmn/sandbox.py): CPU seconds per script,
    # items in one string, list or number built by one operation
    script_cpu_seconds: float = 2.0
    material_max_bytes: int = 10 * 1024 * 1024
    material_types: str = "application/pdf,image/jpeg,image/png,image/tiff,application/ofd"
    # key of the HMAC that indexes vault documents by the applicant's ID number (never stored in clear
    # in an index). SET IT IN PRODUCTION; changing it makes walk-in documents unfindable by ID number
    id_hash_secret: str = "lianban-dev-only-id-secret"
    # who may read GET /metrics without a Lianban session (docs/operations.md#metrics): a scraper
    # that sends this bearer token, or one whose TCP peer address is in these networks
    # ("10.0.0.0/8,127.0.0.1"); both empty = only logged-in administrators. Never public by default
    metrics_token: str = ""
    metrics_allow: str = ""
    # long-polling fetchAndLock (docs/integration.md#long-polling): requests a server process lets
    # wait at once (each holds one of its threads, never a database connection; more are answered
    # at once), and how often a waiting request looks for tasks no ring announces (expired locks)
    external_waiters: int = 2
    external_poll_seconds: float = 0.5
    # a message thrown by a case (docs/integration.md#messages-thrown-between-cases) waits for its
    # receiver this long (tried again with a growing pause) before an incident on the sending case;
    # delivered outbox rows are deleted after outbox_retention_days (docs/integration.md#pruning-the-outbox)
    message_ttl_seconds: float = 3600.0
    outbox_retention_days: float = 7.0
    host: str = "127.0.0.1"
    port: int = 8400
    workflows_dir: Path = PROJECT_ROOT / "workflows"
    forms_dir: Path = PROJECT_ROOT / "forms"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        kwargs: dict = {}
        if url := env.get("LIANBAN_DATABASE_URL"):
            kwargs["database_url"] = url
        for name, conv in (("scheduler_interval_seconds", float), ("timer_batch_size", int), ("timer_threads", int),
                           ("timer_max_attempts", int), ("workflow_cache_size", int), ("workflow_cache_bytes", int),
                           ("script_max_lines", int), ("host", str), ("port", int),
                           ("start_day_convention", str), ("receipt_rule", str), ("yellow_workdays", int),
                           ("yellow_share", float), ("correction_notice_workdays", int), ("step_workdays_by_role", str),
                           ("rating_window_workdays", int), ("rating_review_workdays", int),
                           ("rating_visit_minutes", int),
                           ("cache_seconds", float), ("token_cache_seconds", float), ("gc_threshold", int),
                           ("login_account_failures", int), ("login_address_failures", int),
                           ("login_window_seconds", float), ("login_lockout_seconds", float),
                           ("login_lockout_max_seconds", float), ("script_cpu_seconds", float),
                           ("material_max_bytes", int), ("material_types", str), ("id_hash_secret", str),
                           ("metrics_token", str), ("metrics_allow", str), ("external_waiters", int),
                           ("external_poll_seconds", float), ("message_ttl_seconds", float),
                           ("outbox_retention_days", float)):
            raw = env.get(f"LIANBAN_{name.upper()}")
            if raw is not None:
                kwargs[name] = _read(f"LIANBAN_{name.upper()}", raw, conv)
        for name in ("workflows_dir", "forms_dir"):
            raw = env.get(f"LIANBAN_{name.upper()}")
            if raw is not None:
                kwargs[name] = Path(raw)
        settings = cls(**kwargs)
        settings._check()
        return settings

    def _check(self) -> None:
        """What a variable that parsed may still get wrong; found now rather than by the first
        case that needs it."""
        if not 1 <= self.port <= 65535:
            raise SettingsError(f"LIANBAN_PORT={self.port} is not a port (1-65535)", field="LIANBAN_PORT")
        if self.start_day_convention not in CONVENTIONS:
            raise SettingsError(f"LIANBAN_START_DAY_CONVENTION={self.start_day_convention!r} is not one of "
                                f"{', '.join(CONVENTIONS)}", field="LIANBAN_START_DAY_CONVENTION")
        if self.receipt_rule not in RECEIPT_RULES:
            raise SettingsError(f"LIANBAN_RECEIPT_RULE={self.receipt_rule!r} is not one of "
                                f"{', '.join(RECEIPT_RULES)}", field="LIANBAN_RECEIPT_RULE")
        try:
            self.metrics_networks()
        except ValueError as exc:
            raise SettingsError(f"LIANBAN_METRICS_ALLOW={self.metrics_allow!r} is not a list of addresses or "
                                f"networks ({exc})", field="LIANBAN_METRICS_ALLOW") from None
        if self.metrics_token and len(self.metrics_token) < 16:
            raise SettingsError("LIANBAN_METRICS_TOKEN is shorter than 16 characters: too easy to guess",
                                field="LIANBAN_METRICS_TOKEN")
        if self.external_waiters < 0:
            raise SettingsError(f"LIANBAN_EXTERNAL_WAITERS={self.external_waiters} is negative (0: no long polling)",
                                field="LIANBAN_EXTERNAL_WAITERS")
        if not 0.05 <= self.external_poll_seconds <= 10:
            raise SettingsError(f"LIANBAN_EXTERNAL_POLL_SECONDS={self.external_poll_seconds} is not from 0.05 to 10",
                                field="LIANBAN_EXTERNAL_POLL_SECONDS")
        self._check_outbox()
        try:
            self.step_workdays()
        except ValueError:
            raise SettingsError(f"LIANBAN_STEP_WORKDAYS_BY_ROLE={self.step_workdays_by_role!r} is not "
                                "role=workdays,… (e.g. reviewer=5,approver=5)",
                                field="LIANBAN_STEP_WORKDAYS_BY_ROLE") from None

    def _check_outbox(self) -> None:
        for variable, value in (("LIANBAN_MESSAGE_TTL_SECONDS", self.message_ttl_seconds),
                                ("LIANBAN_OUTBOX_RETENTION_DAYS", self.outbox_retention_days)):
            if not 0 < value < 1e9:
                raise SettingsError(f"{variable}={value} is not a positive number", field=variable)

    def metrics_networks(self) -> tuple:
        return _parse_networks(self.metrics_allow)

    def allowed_material_types(self) -> frozenset[str]:
        return frozenset(p.strip().lower() for p in self.material_types.split(",") if p.strip())

    def step_workdays(self) -> dict[str, int]:
        return dict(_parse_step_workdays(self.step_workdays_by_role))    # read for every new task


def _read(variable: str, raw: str, conv: type):
    """A variable's value as `conv`; numbers are finite and not negative."""
    if conv is str:
        return raw
    try:
        value = conv(raw.strip())
    except ValueError:
        kind = "a whole number" if conv is int else "a number"
        raise SettingsError(f"{variable}={raw!r} is not {kind}", field=variable) from None
    if not math.isfinite(value) or value < 0:
        raise SettingsError(f"{variable}={raw!r} must be a finite number, not negative", field=variable)
    return value


@lru_cache(maxsize=16)
def _parse_networks(text: str) -> tuple:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in text.split(",") if part.strip())


@lru_cache(maxsize=16)
def _parse_step_workdays(text: str) -> tuple:
    out = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        role, _, days = part.partition("=")
        out.append((role.strip(), int(days)))
    return tuple(out)
