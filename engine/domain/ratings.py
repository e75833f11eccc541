"""好差评 (docs/ratings.md): the five levels, the versioned indicator sets of GB/T 39734, checking a
rating's body, the rectification states, and the figures' formulas. Pure: no I/O."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Mapping, Optional

from engine.domain import deadlines as dl
from engine.domain.errors import ValidationError

SCHEME_VERSION = 1
# (level, Chinese, English); 1 and 2 are 差评
LEVELS = ((5, "非常满意", "Very satisfied"), (4, "满意", "Satisfied"), (3, "基本满意", "Fairly satisfied"),
          (2, "不满意", "Dissatisfied"), (1, "非常不满意", "Very dissatisfied"))
BAD_AT_MOST = 2
GOOD_AT_LEAST = 4
DEFAULT_LEVEL = 4                # 满意: what an invitation left unanswered records (source=default)
ONLINE, ON_SITE = "online", "on_site"
CHANNELS = (ONLINE, ON_SITE)
ACTIVE, DEFAULT = "active", "default"
MAX_COMMENT = 500

# the indicator sets, by version: uniform (no unit adds or removes one); a rating keeps its version
INDICATORS = {
    1: {
        ONLINE: (("overall", "整体满意度", "Overall satisfaction"), ("efficiency", "办事效率", "Efficiency"),
                 ("guide_accuracy", "办事指南精确度", "Accuracy of the guide"),
                 ("convenience", "办事便捷度", "Convenience"), ("usability", "平台操作性", "Ease of use")),
        ON_SITE: (("overall", "整体满意度", "Overall satisfaction"), ("efficiency", "服务效率", "Efficiency"),
                  ("competence", "服务水平", "Competence"), ("attitude", "服务态度", "Attitude")),
    },
}

# the rectification of a 差评 (its review case's steps move it)
VERIFYING, FIXING, EXPLAINED, FIXED, APPEALED, VOIDED, CLOSED = (
    "verifying", "fixing", "explained", "fixed", "appealed", "voided", "closed")
STATUSES = (VERIFYING, FIXING, EXPLAINED, FIXED, APPEALED, VOIDED, CLOSED)
PATHS = ("immediate", "deadline", "explain", "appeal")
# the path chosen at 核实 → the status until the reply
STATUS_OF_PATH = {"immediate": FIXED, "deadline": FIXING, "explain": EXPLAINED, "appeal": APPEALED}
# 差评整改率 counts a 差评 as handled once its rectification is one of these (voided ones leave
# the denominator instead: a void rating is no 差评)
HANDLED = frozenset({FIXED, EXPLAINED, CLOSED})


def is_bad(level: int) -> bool:
    return level <= BAD_AT_MOST


def is_good(level: int) -> bool:
    return level >= GOOD_AT_LEAST


def scheme(default_after_working_days: int) -> dict:
    return {"version": SCHEME_VERSION,
            "levels": [{"level": n, "name_zh": zh, "name_en": en, "bad": is_bad(n)} for n, zh, en in LEVELS],
            "indicators": {ch: [{"code": c, "name_zh": zh, "name_en": en}
                                for c, zh, en in INDICATORS[SCHEME_VERSION][ch]]
                           for ch in CHANNELS},
            "default_after_working_days": default_after_working_days}


def _level(value, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        raise ValidationError(f"{field} is a level from 1 to 5", code="rating_level_invalid", field=field)
    return value


@dataclass(frozen=True)
class RatingBody:
    level: int
    indicators: dict
    comment: Optional[str]


def check_body(channel: str, level, indicators, comment, version: int = SCHEME_VERSION) -> RatingBody:
    """A rating's level, its indicators and comment. Every indicator of the channel's set is
    rated 1..5 and none other; `overall` (整体满意度) IS the rating's level: given, it must equal
    it, left out, it is filled in with it, so the set is always complete."""
    level = _level(level, "level")
    if indicators is None:
        indicators = {}
    if not isinstance(indicators, Mapping):
        raise ValidationError("indicators is an object of indicator code → level", code="rating_indicators_invalid",
                              field="indicators")
    codes = [c for c, _zh, _en in INDICATORS[version][channel]]
    unknown = sorted(set(indicators) - set(codes))
    if unknown:
        raise ValidationError(f"unknown indicator {unknown[0]!r}; the {channel} set is {', '.join(codes)}",
                              code="rating_indicator_unknown", field=f"indicators.{unknown[0]}")
    values = {"overall": level}
    for code in codes:
        if code == "overall":
            if "overall" in indicators and _level(indicators["overall"], "indicators.overall") != level:
                raise ValidationError("整体满意度 (overall) is the rating's level", code="rating_overall_mismatch",
                                      field="indicators.overall")
            continue
        if code not in indicators:
            raise ValidationError(f"indicator {code!r} is required", code="rating_indicator_missing",
                                  field=f"indicators.{code}")
        values[code] = _level(indicators[code], f"indicators.{code}")
    return RatingBody(level, {c: values[c] for c in codes}, check_comment(comment))


def check_comment(comment) -> Optional[str]:
    if comment is None:
        return None
    if not isinstance(comment, str):
        raise ValidationError("comment is text", code="rating_comment_invalid", field="comment")
    comment = comment.strip()
    if len(comment) > MAX_COMMENT:
        raise ValidationError(f"a comment has at most {MAX_COMMENT} characters", code="rating_comment_invalid",
                              field="comment")
    return comment or None


# --- figures -------------------------------------------------------------------------------------
FIGURE_FIELDS = ("total", "good", "bad", "good_rate", "bad_rate", "active", "active_rate", "active_good_rate",
                 "unrated", "unrated_rate", "bad_fixed_rate", "revisit_rate")


@dataclass(frozen=True)
class Counts:
    """What the figures are computed from (one group). Void ratings are in none of them."""
    total: int = 0              # ratings (active and default)
    good: int = 0               # level 4-5
    bad: int = 0                # level 1-2
    active: int = 0             # given by the rater (source active)
    active_good: int = 0        # active and good
    invitations: int = 0        # online invitations issued
    unrated: int = 0            # invitations past due without an active rating (they got the default)
    bad_handled: int = 0        # 差评 whose rectification is fixed, explained or closed
    real_name_bad: int = 0      # 差评 by an identified rater (an account)
    revisited: int = 0          # of those, revisited (回访)

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(*(a + b for a, b in zip(self.astuple(), other.astuple())))

    def astuple(self) -> tuple:
        return (self.total, self.good, self.bad, self.active, self.active_good, self.invitations, self.unrated,
                self.bad_handled, self.real_name_bad, self.revisited)


def rate(numerator: int, denominator: int) -> Optional[float]:
    return None if not denominator else numerator / denominator


def figures(c: Counts) -> dict:
    """The figures (docs/ratings.md#figures); a rate is None when its denominator is 0."""
    return {"total": c.total, "good": c.good, "bad": c.bad,
            "good_rate": rate(c.good, c.total),                # 好评率
            "bad_rate": rate(c.bad, c.total),                  # 差评率
            "active": c.active,
            "active_rate": rate(c.active, c.total),            # 主动评价率
            "active_good_rate": rate(c.active_good, c.active),  # 主动评价好评率
            "unrated": c.unrated,
            "unrated_rate": rate(c.unrated, c.invitations),    # 未评价率
            "bad_fixed_rate": rate(c.bad_handled, c.bad),      # 差评整改率
            "revisit_rate": rate(c.revisited, c.real_name_bad)}  # 回访率


@dataclass(frozen=True)
class RatingFact:
    """One rating as the figures see it (for computing in Python what the SQL computes)."""
    level: int
    source: str = ACTIVE
    voided: bool = False
    rectification: Optional[str] = None
    real_name: bool = False
    revisited: bool = False


def count(ratings: Iterable[RatingFact], invitations: int = 0, unrated: int = 0) -> Counts:
    total = good = bad = active = active_good = handled = real = revisited = 0
    for r in ratings:
        if r.voided:
            continue
        total += 1
        good += is_good(r.level)
        active += r.source == ACTIVE
        active_good += r.source == ACTIVE and is_good(r.level)
        if is_bad(r.level):
            bad += 1
            handled += r.rectification in HANDLED
            if r.real_name:
                real += 1
                revisited += r.revisited
    return Counts(total, good, bad, active, active_good, invitations, unrated, handled, real, revisited)


def window_due(cal, now, workdays: int):
    """The end of the rating window: `workdays` working days after `now` (Lianban's calendar)."""
    day = dl.deadline(cal, dl.local_date(now), dl.Limit(workdays, dl.WORKDAY))
    return dl.due_instant(day)


def default_due_on(cal, now, workdays: int):
    """限期整改's default due date when the unit gives none."""
    return dl.deadline(cal, dl.local_date(now), dl.Limit(workdays, dl.WORKDAY))
