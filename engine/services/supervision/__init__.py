"""Supervision (电子监察): yellow and red cases, steps and deliveries in a supervisor's part of the
tree, on-time rates, the channel statistics against the plan's targets, and the public overview's
totals."""
from engine.services.supervision.case_channel_stats import TierCaseChannels, case_channels
from engine.services.supervision.dashboard import drill, flat, on_time_series, summary
from engine.services.supervision.item_channel_stats import TierChannels, channel_stats
from engine.services.supervision.overview import overview
from engine.services.supervision.warnings import (
                                                  CaseWarning,
                                                  DeliveryWarning,
                                                  StepWarning,
                                                  cases,
                                                  counts,
                                                  deliveries,
                                                  on_time_rate,
                                                  steps,
                                                  subtree,
                                                  to_csv,
)

__all__ = ["drill", "flat", "on_time_series", "summary",
           "TierCaseChannels", "case_channels", "TierChannels", "channel_stats", "overview",
           "CaseWarning", "DeliveryWarning",
           "StepWarning", "cases", "counts", "deliveries", "on_time_rate", "steps", "subtree", "to_csv"]
