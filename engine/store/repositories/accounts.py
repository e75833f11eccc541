"""Accounts (the `staff` table: staff, applicants, service accounts) and their API tokens."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import bindparam, select, update

from engine.store.models import ApiToken, Department, OrgUnit, Staff, StaffPost, Window
from engine.store.repositories.base import Repository

_S, _T = Staff.__table__.c, ApiToken.__table__.c
_ID_OF = select(_S.id).where(_S.username == bindparam("username"))
_CREDENTIALS = select(_S.id, _S.username, _S.kind, _S.roles, _S.active, _S.password_hash).where(
    _S.username == bindparam("username"))
_ADD = Staff.__table__.insert().returning(_S.id)
# (a WHERE parameter may not share its name with a column of an UPDATE's table: "account", "token")
_SET_PASSWORD_HASH = update(Staff.__table__).where(_S.username == bindparam("account")).values(
    password_hash=bindparam("password_hash"))
_SET_ROLES = update(Staff.__table__).where(_S.username == bindparam("account")).values(roles=bindparam("roles"))
_ISSUE_TOKEN = ApiToken.__table__.insert()
_REVOKE_TOKEN = update(ApiToken.__table__).where(_T.token_hash == bindparam("token"),
                                                 _T.revoked_at.is_(None)).values(revoked_at=bindparam("now"))
# what authenticating a request needs (on a token cache miss: one query)
_BY_TOKEN = (select(_S.id, _S.username, _S.kind, _S.roles, _S.active, _T.expires_at, _T.revoked_at)
             .join(Staff.__table__, _S.id == _T.account_id).where(_T.token_hash == bindparam("token_hash")))

_P, _U, _D, _W = (StaffPost.__table__.c, OrgUnit.__table__.c, Department.__table__.c, Window.__table__.c)
_NAME = select(_S.name).where(_S.id == bindparam("account_id"))
# what the console shows of whoever is logged in: her current posts with the names of unit, department, window
_POSTS_NAMED = (select(_P.org_unit_id, _U.name.label("org_unit_name"), _U.tier, _P.department_id,
                       _D.name.label("department_name"), _P.window_id, _W.name.label("window_name"),
                       _W.code.label("window_code"), _P.role)
                .join(OrgUnit.__table__, _U.id == _P.org_unit_id)
                .join(Window.__table__, _W.id == _P.window_id)
                .outerjoin(Department.__table__, _D.id == _P.department_id)
                .where(_P.staff_id == bindparam("account_id"), _P.valid_to.is_(None)).order_by(_P.id))


class Accounts(Repository):
    __slots__ = ()

    def name_of(self, account_id: int) -> Optional[str]:
        """The display name of an account."""
        return self.conn.execute(_NAME, {"account_id": account_id}).scalar()

    def names_of(self, usernames) -> dict[str, str]:
        """{username: display name} of the accounts among `usernames` (an audit trail's actors)."""
        if not usernames:
            return {}
        rows = self.conn.execute(select(_S.username, _S.name).where(_S.username.in_(sorted(usernames))))
        return {r.username: r.name for r in rows}

    def posts_named(self, account_id: int) -> list:
        """The posts of a staff member with unit, department and window names, in the order given."""
        return self.conn.execute(_POSTS_NAMED, {"account_id": account_id}).all()

    def staff_ids(self, usernames) -> dict[str, int]:
        """{username: id} of the active staff accounts among `usernames`."""
        if not usernames:
            return {}
        rows = self.conn.execute(select(_S.username, _S.id).where(
            _S.username.in_(sorted(usernames)), _S.kind == "staff", _S.active.is_(True)))
        return {r.username: r.id for r in rows}

    def id_of(self, username: str) -> Optional[int]:
        return self.conn.execute(_ID_OF, {"username": username}).scalar()

    def credentials(self, username: str):
        """(id, username, kind, roles, active, password_hash) of an account, or None."""
        return self.conn.execute(_CREDENTIALS, {"username": username}).first()

    def add(self, username: str, name: str, kind: str, roles: list[str], password_hash: Optional[str]) -> int:
        """A new active account; its id."""
        return self.conn.execute(_ADD, {"username": username, "name": name, "kind": kind, "roles": roles,
                                        "active": True, "password_hash": password_hash}).scalar_one()

    def set_password_hash(self, username: str, password_hash: str) -> bool:
        """False when there is no such account."""
        return bool(self.conn.execute(_SET_PASSWORD_HASH, {"account": username,
                                                           "password_hash": password_hash}).rowcount)

    def set_roles(self, username: str, roles: list[str]) -> bool:
        """False when there is no such account."""
        return bool(self.conn.execute(_SET_ROLES, {"account": username, "roles": roles}).rowcount)

    # --- tokens (stored as their SHA-256 only) -----------------------------------------------------

    def issue_token(self, account_id: int, kind: str, name: str, token_hash: str, now: datetime,
                    expires_at: Optional[datetime]) -> None:
        self.conn.execute(_ISSUE_TOKEN, {"account_id": account_id, "kind": kind, "name": name,
                                         "token_hash": token_hash, "created_at": now, "expires_at": expires_at})

    def revoke_token(self, token_hash: str, now: datetime) -> bool:
        """False when no live token has the hash (unknown, or revoked already)."""
        return bool(self.conn.execute(_REVOKE_TOKEN, {"token": token_hash, "now": now}).rowcount)

    def token_exists(self, token_hash: str) -> bool:
        return self.conn.execute(select(_T.id).where(_T.token_hash == token_hash)).first() is not None

    def by_token(self, token_hash: str):
        """(id, username, kind, roles, active, expires_at, revoked_at) of the token's account, or None."""
        return self.conn.execute(_BY_TOKEN, {"token_hash": token_hash}).first()
