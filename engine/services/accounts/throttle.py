"""Login throttling (docs/security.md): failed password logins are counted per account name (as
typed, so an unknown name is counted like a known one) and per client address. Over the limit
within the window the key is locked — 429 `login_throttled` with the seconds to wait — each
further lockout twice as long as the one before. The counts and lockouts are rows in the
database, so every API process refuses the same logins; every lockout and every administrator's
unlock is an event on the audit chain of the system stream."""
from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Optional

from engine.domain.actor import Actor
from engine.domain.errors import Conflict, LianbanError, NotFound
import engine.services.accounts.access as access
from engine.store.uow import Transaction

ACCOUNT, ADDRESS = "account", "address"
MAX_SUBJECT = 128
_THROTTLER = Actor.system("login-throttle")
_ATTEMPTS = 8          # a failure whose lockout's audit event raced another's is counted again


class LoginThrottled(LianbanError):
    """Too many failed logins for an account or from an address (HTTP 429 with Retry-After)."""
    code = "login_throttled"

    def __init__(self, retry_after: int):
        super().__init__(f"too many failed logins; try again in {retry_after} seconds",
                         detail={"retry_after": retry_after})
        self.retry_after = retry_after


def keys(username: str, address: Optional[str]) -> list[tuple[str, str]]:
    """The keys a login attempt counts against: its account name and, when known, its address."""
    out = [(ACCOUNT, (username or "")[:MAX_SUBJECT])]
    if address:
        out.append((ADDRESS, address[:MAX_SUBJECT]))
    return out


def _limit(settings, scope: str) -> int:
    return settings.login_account_failures if scope == ACCOUNT else settings.login_address_failures


def refuse_if_locked(tx: Transaction, settings, username: str, address: Optional[str], now: datetime) -> bool:
    """LoginThrottled while the account name or the address is locked (before any password is
    checked: a locked login costs no hash); otherwise whether the account name has failures on
    record (that a right password then forgets)."""
    (_, account), *rest = keys(username, address)
    wait, account_recorded = 0.0, False
    for row in tx.security.of_keys(account, rest[0][1] if rest else None):
        account_recorded = account_recorded or row.scope == ACCOUNT
        if _limit(settings, row.scope) and row.locked_until is not None and row.locked_until > now:
            wait = max(wait, (row.locked_until - now).total_seconds())
    if wait:
        raise LoginThrottled(max(1, math.ceil(wait)))
    return account_recorded


def succeeded(tx: Transaction, username: str) -> None:
    """A right password: the account's failures are forgotten (not the address's: one good account
    must not let an address try others without end)."""
    tx.security.forget(ACCOUNT, (username or "")[:MAX_SUBJECT])


def failed(ctx, username: str, address: Optional[str]) -> None:
    """Count a failed login against its keys, in a transaction of its own (the login's rolled back);
    a key over its limit is locked and the lockout audited."""
    for attempt in range(_ATTEMPTS):
        try:
            return _count_failure(ctx, username, address)
        except Conflict as race:              # two lockouts' audit events at once (PostgreSQL)
            if race.code != "login_record_raced" or attempt == _ATTEMPTS - 1:
                raise


def _count_failure(ctx, username: str, address: Optional[str]) -> None:
    settings = ctx.settings
    now = ctx.clock.now()
    window = timedelta(seconds=settings.login_window_seconds)
    with ctx.uow.begin() as tx, tx.security.racing():
        for scope, subject in keys(username, address):
            limit = _limit(settings, scope)
            if not limit:
                continue
            failures, started, locked_until, lockouts = tx.security.count_failure(scope, subject, now)
            if started + window <= now:          # the window (or the last lockout's) has passed
                tx.security.restart_window(scope, subject, now)
                failures = 1
            if failures < limit:
                continue
            seconds = min(settings.login_lockout_seconds * 2 ** min(lockouts, 32), settings.login_lockout_max_seconds)
            until = now + timedelta(seconds=seconds)
            tx.security.lock(scope, subject, now, until)
            tx.events.append("system", "login_locked", _THROTTLER, now, {
                "scope": scope, "subject": subject, "address": address, "failures": failures,
                "lockout": lockouts + 1, "until": until.isoformat()})


def unlock(ctx, actor: Actor, username: Optional[str] = None, address: Optional[str] = None) -> None:
    """An administrator lifts the lockout (and forgets the failures) of an account name or an
    address. Nothing to lift: 404 for an account that does not exist, 409 otherwise, so a mistyped
    name never looks unlocked."""
    access.require_role(actor, "admin")
    scope, subject = (ACCOUNT, username) if username is not None else (ADDRESS, address)
    subject = (subject or "")[:MAX_SUBJECT]
    now = ctx.clock.now()
    with ctx.uow.begin() as tx:
        if tx.security.forget(scope, subject):
            tx.events.append("system", "login_unlocked", actor, now, {"scope": scope, "subject": subject})
            return
        if scope == ACCOUNT and tx.accounts.id_of(subject) is None:
            raise NotFound(f"account {subject!r} does not exist", code="account_not_found", field="username")
    raise Conflict(f"{scope} {subject!r} has no failed logins to forget", code="login_not_locked",
                   field="username" if scope == ACCOUNT else "address")


def lockouts(ctx, actor: Actor) -> list[dict]:
    """Every account name and address that has been locked, with its lockout's end (administrators)."""
    access.require_role(actor, "admin")
    with ctx.uow.read() as tx:
        rows = tx.security.locked()
    now = ctx.clock.now()
    return [{"scope": r.scope, "subject": r.subject, "locked_until": r.locked_until, "lockouts": r.lockouts,
             "failures": r.failures, "locked": r.locked_until > now} for r in rows]
