"""Who may read the metrics, and their text (docs/operations.md#metrics). Never public by
default: a scraper presents LIANBAN_METRICS_TOKEN as its bearer token or connects from an address
in LIANBAN_METRICS_ALLOW (the TCP peer, never a forwarded-for header a client can write);
otherwise only a logged-in administrator."""
from __future__ import annotations

import hmac
import ipaddress
from typing import Optional

from engine import metrics
from engine.domain.errors import Forbidden
from engine.services import health
from engine.services.accounts import access, auth


def require_metrics_access(ctx, peer: Optional[str], token: Optional[str]) -> None:
    settings = ctx.settings
    if token and settings.metrics_token and hmac.compare_digest(token.encode(), settings.metrics_token.encode()):
        return
    if peer and _in(peer, settings.metrics_networks()):
        return
    if token:
        # not the scraper's token: a Lianban session (401 when it is not one), and an administrator's
        access.require_role(auth.authenticate(ctx, token), "admin")
        return
    raise Forbidden("the metrics are read with the metrics token, from an allowed address or by an administrator",
                    code="metrics_forbidden")


def _in(peer: str, networks: tuple) -> bool:
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(address in network for network in networks)


def metrics_text(ctx) -> bytes:
    """The metrics in Prometheus's text format, the pool's gauges read just now."""
    health.record_pool(ctx)
    return metrics.exposition()
