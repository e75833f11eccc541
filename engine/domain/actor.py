"""Who issues a command. Services authorise by the actor's kind, system roles and the posts its
staff id holds (engine/services/accounts/access.py)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional


@dataclass(frozen=True)
class Actor:
    """Who issues a command: an account (staff with posts at windows, an applicant, a service
    account) with its system roles, or the system itself (scheduler, CLI)."""
    username: str
    staff_id: Optional[int] = None
    window_id: Optional[int] = None
    roles: frozenset = frozenset()          # admin, designer (posts give clerk/supervisor duties)
    kind: str = "staff"                     # staff | applicant | service | system

    @classmethod
    def system(cls, name: str = "system") -> "Actor":
        return cls(username=f"system:{name}", kind="system", roles=frozenset({"admin"}))

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    def has_role(self, *roles: str) -> bool:
        return self.is_system or bool(self.roles & set(roles))
