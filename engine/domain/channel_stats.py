"""Channel statistics, pure arithmetic (docs/glossary.md#channel-targets): the Lanzhou New Area plan's targets
for the items a tier accepts (≥ 95 % handleable online and on mobile, ≥ 80 % by mail, online
depth ≥ level Ⅲ at the park, township and village tiers), and the case-channel shares (网上受理率,
掌办率). Which items and cases count is the services' business (engine/services/supervision)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

CHANNELS = ("window", "online", "mobile", "mail", "proxy")       # a case's intake channel (cases.CHANNELS)
METHODS = ("pickup", "mail", "e_licence")                        # a result's delivery method (delivery.METHODS)
TARGETS = {"online": 0.95, "mobile": 0.95, "mail": 0.80, "depth3": 0.95}
TARGET_TIERS = ("park", "township", "village")


def share(part: int, whole: int) -> Optional[float]:
    """part / whole to four places; None when there is nothing to divide by."""
    return round(part / whole, 4) if whole else None


@dataclass(frozen=True)
class TierChannels:
    tier: str
    items: int
    online: int
    mobile: int
    mail: int
    depth3: int
    online_share: Optional[float]
    mobile_share: Optional[float]
    mail_share: Optional[float]
    depth3_share: Optional[float]
    average_depth: Optional[float]
    targets_apply: bool          # the plan sets targets for park, township and village
    online_met: bool
    mobile_met: bool
    mail_met: bool
    depth_met: bool


def tier_channels(tier: str, items: list) -> TierChannels:
    """The channel figures of the items a tier accepts (each with handle_forms, mobile, express,
    online_depth):
    - online: `online` in handle_forms (the import keeps this equivalent to depth ≥ Ⅱ,
      docs/catalogue.md#online-handling-depth)
    - mobile: the mobile flag (掌上办)
    - mail: `mail` in handle_forms, or courier delivery (express)
    - depth: share with online depth ≥ Ⅲ (online acceptance) and the average depth; the
      target is read as "≥ 95 % of items at depth ≥ Ⅲ" ([U]: the plan gives no share)."""
    counts = {"online": sum("online" in (i.handle_forms or ()) for i in items),
              "mobile": sum(bool(i.mobile) for i in items),
              "mail": sum("mail" in (i.handle_forms or ()) or bool(i.express) for i in items),
              "depth3": sum((i.online_depth or 0) >= 3 for i in items)}
    shares = {k: share(v, len(items)) for k, v in counts.items()}
    met = {k: shares[k] is not None and shares[k] >= TARGETS[k] for k in counts}
    average = round(sum(i.online_depth or 0 for i in items) / len(items), 2) if items else None
    return TierChannels(tier, len(items), *counts.values(), shares["online"], shares["mobile"], shares["mail"],
                        shares["depth3"], average, tier in TARGET_TIERS, met["online"], met["mobile"], met["mail"],
                        met["depth3"])


@dataclass(frozen=True)
class TierCaseChannels:
    tier: str                      # a tier of the subtree, or "all"
    received: int
    window: int
    online: int
    mobile: int
    mail: int
    proxy: int
    online_share: Optional[float]  # 网上受理率: (online + mobile) / received
    mobile_share: Optional[float]  # 掌办率: mobile / received
    delivered: int
    pickup: int
    mail_delivered: int
    e_licence: int


def tier_case_channels(tier: str, received: dict, delivered: dict) -> TierCaseChannels:
    """The figures of a tier from its cases received per channel and delivered per method."""
    total = sum(received.values())
    online = received.get("online", 0) + received.get("mobile", 0)
    return TierCaseChannels(tier, total, *(received.get(ch, 0) for ch in CHANNELS), share(online, total),
                            share(received.get("mobile", 0), total), sum(delivered.values()),
                            *(delivered.get(m, 0) for m in METHODS))
