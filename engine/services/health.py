"""Is this process able to serve: its database answers a query."""
from __future__ import annotations


def status(ctx) -> dict:
    return {"status": "ok", "database": ctx.uow.ping()}
