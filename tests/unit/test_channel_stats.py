"""The channel statistics' arithmetic against the plan's targets (engine/domain/channel_stats.py)."""
from collections import namedtuple

from engine.domain.channel_stats import share, tier_case_channels, tier_channels

Item = namedtuple("Item", "handle_forms mobile express online_depth")


def test_a_share_is_rounded_to_four_places_and_none_of_nothing():
    assert (share(2, 3), share(0, 5), share(0, 0)) == (0.6667, 0.0, None)


def test_tier_channels_count_each_channel_and_check_the_targets():
    items = [Item(["online", "mail"], True, False, 4)] * 19 + [Item(["window"], False, True, None)]
    row = tier_channels("township", items)
    assert (row.items, row.online, row.mobile, row.mail, row.depth3) == (20, 19, 19, 20, 19)
    assert (row.online_share, row.mail_share, row.average_depth) == (0.95, 1.0, 3.8)
    assert (row.targets_apply, row.online_met, row.mobile_met, row.mail_met, row.depth_met) == (True,) * 5
    short = tier_channels("district", items[:3] + [Item([], False, False, 2)])
    assert (short.online_share, short.online_met, short.targets_apply) == (0.75, False, False)


def test_a_tier_without_items_has_no_shares_and_meets_no_target():
    row = tier_channels("village", [])
    assert (row.items, row.online_share, row.average_depth, row.online_met, row.depth_met) == (0, None, None, False,
                                                                                                False)


def test_case_channels_online_share_counts_online_and_mobile():
    row = tier_case_channels("all", {"window": 5, "online": 3, "mobile": 2}, {"pickup": 4, "e_licence": 1})
    assert (row.received, row.window, row.online, row.mobile, row.mail, row.proxy) == (10, 5, 3, 2, 0, 0)
    assert (row.online_share, row.mobile_share) == (0.5, 0.2)
    assert (row.delivered, row.pickup, row.mail_delivered, row.e_licence) == (5, 4, 0, 1)
    assert tier_case_channels("park", {}, {}).online_share is None
