"""Accounts and bearer tokens. Passwords are hashed with scrypt and a random salt (stdlib);
tokens are random, shown once, and stored only as SHA-256, so a database leak reveals none."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta
from typing import Optional

from engine.domain.actor import Actor
import engine.services.accounts.throttle as throttle
from engine.domain.errors import Conflict, LianbanError, NotFound, ValidationError
from engine.store.uow import Transaction

SESSION_HOURS = 12
SYSTEM_ROLES = ("admin", "designer", "integration")
ACCOUNT_KINDS = ("staff", "applicant", "service")
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
MIN_PASSWORD = 8
MAX_TOKEN_DAYS = 3650
# every token starts with this, so none starts with '-' (a command line would read it as an option)
# and a leaked one is recognisable; only the hash is stored, so tokens issued before still work
TOKEN_PREFIX = "lb_"


class Unauthenticated(LianbanError):
    """No valid credentials (HTTP 401)."""
    code = "unauthenticated"


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def check_password(stored: Optional[str], password: str) -> bool:
    if not stored or not stored.startswith("scrypt$"):
        return False
    _, n, r, p, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), dklen=32, n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


# A login for a name with no usable password (no such account, deactivated, a service account)
# is checked against this hash, with the same parameters as a real one: every failed login costs
# one scrypt, so the time of the answer does not tell which names exist.
_DUMMY_HASH = hash_password(secrets.token_urlsafe(16))


def _password_matches(row, password: str) -> bool:
    """Exactly one scrypt whoever asks; True only for an active account and its right password."""
    usable = row is not None and row.active and (row.password_hash or "").startswith("scrypt$")
    matches = check_password(row.password_hash if usable else _DUMMY_HASH, password or "")
    return usable and matches


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _check_password(password: Optional[str]) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(f"a password has at least {MIN_PASSWORD} characters", code="password_too_short",
                              field="password")


def _check_text(value: Optional[str], field: str, max_length: int) -> str:
    if not (value or "").strip():
        raise ValidationError(f"{field} must not be empty", code=f"{field}_required", field=field)
    if len(value) > max_length:
        raise ValidationError(f"{field} has at most {max_length} characters", code=f"{field}_too_long", field=field)
    return value


def set_password(ctx, username: str, password: str) -> None:
    _check_password(password)
    with ctx.uow.begin() as tx:
        if not tx.accounts.set_password_hash(username, hash_password(password)):
            raise NotFound(f"account {username!r} does not exist", code="account_not_found", field="username")
        sessions_end(tx)


def set_roles(ctx, username: str, roles: list[str]) -> None:
    unknown = set(roles) - set(SYSTEM_ROLES)
    if unknown:
        raise ValidationError(f"unknown roles {sorted(unknown)}", code="role_unknown", field="roles")
    with ctx.uow.begin() as tx:
        if not tx.accounts.set_roles(username, sorted(set(roles))):
            raise NotFound(f"account {username!r} does not exist", code="account_not_found", field="username")
        sessions_end(tx)


def create_account(ctx, username: str, name: str, kind: str, password: Optional[str] = None,
                   roles: tuple = (), *, password_hash: Optional[str] = None) -> int:
    """`password_hash`: made already from a checked password (the demo shares one between its accounts)."""
    _check_kind(kind)            # before the slow hash
    if password is not None:
        _check_password(password)
        password_hash = hash_password(password)
    with ctx.uow.begin() as tx:
        return add_account(tx, username, name, kind, roles, password_hash)


def add_account(tx: Transaction, username: str, name: str, kind: str, roles=(),
                password_hash: Optional[str] = None) -> int:
    """A new account in the caller's transaction, with a password hash made already (the demo's
    accounts share one: scrypt is slow on purpose)."""
    _check_kind(kind)
    _check_text(username, "username", 64)
    _check_text(name, "name", 100)
    if tx.accounts.id_of(username) is not None:
        raise ValidationError(f"account {username!r} exists", code="account_exists", field="username")
    return tx.accounts.add(username, name, kind, sorted(set(roles)), password_hash)


def _check_kind(kind: str) -> None:
    if kind not in ACCOUNT_KINDS:
        raise ValidationError(f"kind is one of {', '.join(ACCOUNT_KINDS)}", code="account_kind_unknown", field="kind")


def _issue(tx: Transaction, account_id: int, kind: str, name: str, now, expires_at) -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    tx.accounts.issue_token(account_id, kind, name[:100], _token_hash(token), now, expires_at)
    return token


def login(ctx, username: str, password: str, address: Optional[str] = None) -> tuple[str, object]:
    """A session token for a password login from `address` (the client's); the same error
    whatever was wrong, and LoginThrottled while the name or the address is locked."""
    row, recorded = _checked_login(ctx, username, password, address)
    with ctx.uow.begin() as tx:
        if recorded:
            throttle.succeeded(tx, username)
        now = ctx.clock.now()
        expires = now + timedelta(hours=SESSION_HOURS)
        return _issue(tx, row.id, "session", "login", now, expires), expires


def verify_password(ctx, username: str, password: str, address: Optional[str] = None) -> Actor:
    """For HTTP Basic (Camunda Modeler's deploy button): the actor, without issuing a token;
    throttled like a login."""
    row, recorded = _checked_login(ctx, username, password, address)
    if recorded:
        with ctx.uow.begin() as tx:
            throttle.succeeded(tx, username)
    return Actor(row.username, staff_id=row.id, roles=frozenset(row.roles or ()), kind=row.kind)


def _checked_login(ctx, username: str, password: str, address: Optional[str]):
    """(the account row, whether its name has failures on record) for a right password; a wrong
    one is counted (throttle.failed) and refused."""
    with ctx.uow.read() as tx:
        recorded = throttle.refuse_if_locked(tx, ctx.settings, username, address, ctx.clock.now())
        row = tx.accounts.credentials(username)
    if _password_matches(row, password):
        return row, recorded
    throttle.failed(ctx, username, address)
    raise Unauthenticated("wrong username or password", code="login_failed")


def create_service_token(ctx, username: str, name: str, days: Optional[int] = None) -> str:
    """A token for a service account, valid `days` days (1 to MAX_TOKEN_DAYS) or until revoked (None)."""
    if days is not None and not 1 <= days <= MAX_TOKEN_DAYS:
        raise ValidationError(f"a token is valid for 1 to {MAX_TOKEN_DAYS} days (omit days: until revoked)",
                              code="token_days_invalid", field="days")
    with ctx.uow.begin() as tx:
        account = tx.accounts.id_of(username)
        if account is None:
            raise NotFound(f"account {username!r} does not exist", code="account_not_found", field="username")
        now = ctx.clock.now()
        return _issue(tx, account, "service", name, now, now + timedelta(days=days) if days else None)


def logout(ctx, token: str) -> None:
    """End the session of a request's own token (already revoked elsewhere: nothing to do)."""
    key = _token_hash(token or "")
    ctx.caches.tokens.discard(key)
    with ctx.uow.begin() as tx:
        if tx.accounts.revoke_token(key, ctx.clock.now()):
            sessions_end(tx)


def revoke(ctx, token: str) -> None:
    """Revoke a token someone names (an administrator): an unknown or already revoked token is an
    error, so a mistyped token never looks revoked."""
    key = _token_hash(token or "")
    ctx.caches.tokens.discard(key)
    with ctx.uow.begin() as tx:
        if tx.accounts.revoke_token(key, ctx.clock.now()):
            sessions_end(tx)
            return
        if not tx.accounts.token_exists(key):
            raise NotFound("no such token", code="token_not_found", field="token")
    raise Conflict("the token is already revoked", code="token_already_revoked", field="token")


# Every API call authenticates. A token's actor is remembered (at most
# settings.token_cache_seconds, LIANBAN_TOKEN_CACHE_SECONDS, 0 = never) with the security version
# it was read under; every request reads that version again (one primary-key read) and a
# remembered actor of an older version is read afresh. Every revocation — a logout, a revoked
# token, an account deactivated, its roles or password changed — raises the version in its own
# transaction, so every process refuses the token on its next request. An expiry is checked on
# every request too.
def authenticate(ctx, token: Optional[str]) -> Actor:
    """The actor behind a bearer token, or Unauthenticated."""
    if not token:
        raise Unauthenticated("this endpoint needs a bearer token (Authorization: Bearer …)", code="token_missing")
    key = _token_hash(token)
    hit = ctx.caches.tokens.get(key)
    if hit is not None:
        actor, expires_at, version = hit
        if ctx.uow.glance(_security_version) == version:
            if expires_at is not None and expires_at <= ctx.clock.now():
                raise Unauthenticated("the token has expired; log in again", code="token_expired")
            return actor
    actor, expires_at, version = _authenticate_in_db(ctx, key)
    ctx.caches.tokens.put(key, (actor, expires_at, version))
    return actor


def _security_version(tx: Transaction) -> int:
    return tx.security.security_version()


def _authenticate_in_db(ctx, key: str):
    with ctx.uow.read() as tx:
        version = tx.security.security_version()      # before the token: a revocation after it is seen next time
        row = tx.accounts.by_token(key)
    if row is None or row.revoked_at is not None or not row.active:
        raise Unauthenticated("the token is unknown or revoked", code="token_invalid")
    if row.expires_at is not None and row.expires_at <= ctx.clock.now():
        raise Unauthenticated("the token has expired; log in again", code="token_expired")
    actor = Actor(row.username, staff_id=row.id, roles=frozenset(row.roles or ()), kind=row.kind)
    return actor, row.expires_at, version


def sessions_end(tx: Transaction) -> None:
    """In a command that revokes or changes what a token's actor may do: every process reads its
    remembered actors afresh from the next request on."""
    tx.security.raise_security_version()
