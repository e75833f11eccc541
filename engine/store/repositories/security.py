"""Failed logins per account name and per client address, their lockouts, and the security
version that ends cached sessions in every process (docs/security.md)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from engine.domain.errors import Conflict

from engine.store.fast import FastRead
from engine.store.models import LoginThrottle, SecurityVersion
from engine.store.repositories.base import Repository

_L, _V = LoginThrottle.__table__.c, SecurityVersion.__table__.c
_STATE = select(_L.scope, _L.subject, _L.failures, _L.window_started_at, _L.locked_until, _L.lockouts)
_LOCKED = _STATE.where(_L.locked_until.is_not(None))
# every failure is one upsert that returns the row, so two processes counting the same key at once
# serialize on it and neither loses a failure
_FAIL = {dialect: insert_(LoginThrottle.__table__).values(
    scope=bindparam("scope"), subject=bindparam("subject"), failures=1, window_started_at=bindparam("now"),
    locked_until=None, lockouts=0)
    .on_conflict_do_update(index_elements=[_L.scope, _L.subject],
                           set_={"failures": _L.failures + 1})
    .returning(_L.failures, _L.window_started_at, _L.locked_until, _L.lockouts)
    for dialect, insert_ in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
_RESTART_WINDOW = update(LoginThrottle.__table__).where(
    _L.scope == bindparam("s_scope"), _L.subject == bindparam("s_subject")).values(
    failures=1, window_started_at=bindparam("now"))
_LOCK = update(LoginThrottle.__table__).where(
    _L.scope == bindparam("s_scope"), _L.subject == bindparam("s_subject")).values(
    failures=0, window_started_at=bindparam("now"), locked_until=bindparam("until"), lockouts=_L.lockouts + 1)
_FORGET = delete(LoginThrottle.__table__).where(_L.scope == bindparam("s_scope"),
                                                _L.subject == bindparam("s_subject"))
_VERSION = FastRead(select(_V.version).where(_V.id == 1))
_BUMP = update(SecurityVersion.__table__).where(_V.id == 1).values(version=_V.version + 1)


class Security(Repository):
    __slots__ = ()

    def of_keys(self, account: str, address: Optional[str]) -> list:
        """(scope, subject, locked_until, ...) of the keys a login counts against that have failures
        or a lockout on record: one query."""
        wanted = (_L.scope == "account") & (_L.subject == account)
        if address is not None:
            wanted = wanted | ((_L.scope == "address") & (_L.subject == address))
        return self.conn.execute(_STATE.where(wanted)).all()

    def count_failure(self, scope: str, subject: str, now: datetime):
        """One more failure of the key: (failures, window_started_at, locked_until, lockouts) after it."""
        statement = _FAIL["postgresql" if self.postgres else "sqlite"]
        return self.conn.execute(statement, {"scope": scope, "subject": subject, "now": now}).one()

    def restart_window(self, scope: str, subject: str, now: datetime) -> None:
        """The window had passed: this failure is the first of a new one."""
        self.conn.execute(_RESTART_WINDOW, {"s_scope": scope, "s_subject": subject, "now": now})

    def lock(self, scope: str, subject: str, now: datetime, until: datetime) -> None:
        self.conn.execute(_LOCK, {"s_scope": scope, "s_subject": subject, "now": now, "until": until})

    def forget(self, scope: str, subject: str) -> bool:
        """The key's failures and lockouts are gone (a successful login, an administrator's
        unlock); False when there were none."""
        return bool(self.conn.execute(_FORGET, {"s_scope": scope, "s_subject": subject}).rowcount)

    def racing(self):
        """Another process appended to the system stream's audit chain meanwhile (PostgreSQL: two
        lockouts at once): one Conflict `login_record_raced`, which the caller may try again."""
        return _Racing(self.conn.dialect.dbapi.IntegrityError)

    def locked(self) -> list:
        """Every key that has been locked (a lockout may have run out), newest lockout end first."""
        return self.conn.execute(_LOCKED.order_by(_L.locked_until.desc())).all()

    # --- the security version ------------------------------------------------------------------

    def security_version(self) -> int:
        """The counter every revocation raises (0 before the first)."""
        row = _VERSION.first(self.conn, {})
        return row.version if row else 0

    def raise_security_version(self) -> None:
        if not self.conn.execute(_BUMP).rowcount:
            self.conn.execute(SecurityVersion.__table__.insert().values(id=1, version=1))


class _Racing:
    def __init__(self, driver_error: type):
        # the audit chain's insert runs on the raw driver (FastWrite): its own IntegrityError
        self.errors = (IntegrityError, driver_error)

    def __enter__(self):
        return self

    def __exit__(self, kind, exc, tb):
        if isinstance(exc, self.errors):
            raise Conflict("a failed login was recorded by another process meanwhile; try again",
                           code="login_record_raced") from None
        return False
