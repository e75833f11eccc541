"""The 好差评 rules (engine/domain/ratings.py): levels, a rating's body, and the figures computed
exactly on a hand-made set of 50 ratings."""
from fractions import Fraction

import pytest

from engine.domain import ratings as rules
from engine.domain.errors import ValidationError

ONLINE = {"efficiency": 4, "guide_accuracy": 5, "convenience": 3, "usability": 4}


def test_levels_and_the_scheme():
    assert [n for n, _zh, _en in rules.LEVELS] == [5, 4, 3, 2, 1]
    assert [rules.is_bad(n) for n in (5, 4, 3, 2, 1)] == [False, False, False, True, True]
    assert [rules.is_good(n) for n in (5, 4, 3, 2, 1)] == [True, True, False, False, False]
    scheme = rules.scheme(5)
    assert scheme["default_after_working_days"] == 5 and scheme["version"] == rules.SCHEME_VERSION
    assert [i["code"] for i in scheme["indicators"]["online"]][0] == "overall"
    assert {i["code"] for i in scheme["indicators"]["on_site"]} == {"overall", "efficiency", "competence",
                                                                    "attitude"}


def test_a_body_is_complete_and_overall_is_the_level():
    body = rules.check_body("online", 4, ONLINE, "  办得快  ")
    assert body.level == 4 and body.comment == "办得快"
    assert body.indicators == {"overall": 4, **ONLINE} and list(body.indicators)[0] == "overall"
    assert rules.check_body("online", 4, {**ONLINE, "overall": 4}, "   ").comment is None


@pytest.mark.parametrize("level, indicators, comment, code, field", [
    (0, ONLINE, None, "rating_level_invalid", "level"),
    (6, ONLINE, None, "rating_level_invalid", "level"),
    (True, ONLINE, None, "rating_level_invalid", "level"),
    ("5", ONLINE, None, "rating_level_invalid", "level"),
    (4, [4, 4], None, "rating_indicators_invalid", "indicators"),
    (4, {**ONLINE, "attitude": 3}, None, "rating_indicator_unknown", "indicators.attitude"),
    (4, {k: v for k, v in ONLINE.items() if k != "usability"}, None, "rating_indicator_missing",
     "indicators.usability"),
    (4, {**ONLINE, "overall": 5}, None, "rating_overall_mismatch", "indicators.overall"),
    (4, {**ONLINE, "efficiency": 9}, None, "rating_level_invalid", "indicators.efficiency"),
    (4, ONLINE, "长" * 501, "rating_comment_invalid", "comment"),
    (4, ONLINE, 12, "rating_comment_invalid", "comment"),
])
def test_a_bad_body_names_its_field(level, indicators, comment, code, field):
    with pytest.raises(ValidationError) as e:
        rules.check_body("online", level, indicators, comment)
    assert (e.value.code, e.value.field) == (code, field)


def test_no_ratings_no_rates():
    figures = rules.figures(rules.Counts())
    assert figures["total"] == 0 and all(figures[f] is None for f in rules.FIGURE_FIELDS if f.endswith("_rate"))
    assert set(figures) == set(rules.FIGURE_FIELDS)


def fifty() -> list:
    """50 ratings: (how many, level, source, voided, rectification, real name, revisited)."""
    groups = [(15, 5, "active", False, None, False, False),
              (10, 4, "active", False, None, True, False),
              (8, 4, "default", False, None, False, False),     # invitations left unanswered
              (5, 3, "active", False, None, True, False),
              (2, 2, "active", False, "fixed", True, True),
              (2, 2, "active", False, "fixed", True, False),
              (3, 1, "active", False, "explained", False, False),  # on site: anonymous
              (1, 1, "active", False, "fixing", True, True),
              (1, 1, "active", False, "verifying", True, False),
              (2, 2, "active", True, "voided", True, False),    # appealed and voided: in no figure
              (1, 1, "active", False, "closed", True, False)]
    out = [rules.RatingFact(level, source, voided, rect, real, revisited)
           for n, level, source, voided, rect, real, revisited in groups for _ in range(n)]
    assert len(out) == 50
    return out


def test_the_figures_of_fifty_ratings_exactly():
    counts = rules.count(fifty(), invitations=20, unrated=8)
    assert counts == rules.Counts(total=48, good=33, bad=10, active=40, active_good=25, invitations=20, unrated=8,
                                  bad_handled=8, real_name_bad=7, revisited=3)
    f = rules.figures(counts)
    expected = {"good_rate": Fraction(33, 48), "bad_rate": Fraction(10, 48), "active_rate": Fraction(40, 48),
                "active_good_rate": Fraction(25, 40), "unrated_rate": Fraction(8, 20),
                "bad_fixed_rate": Fraction(8, 10), "revisit_rate": Fraction(3, 7)}
    for name, value in expected.items():
        assert f[name] == float(value), name
    assert (f["total"], f["good"], f["bad"], f["active"], f["unrated"]) == (48, 33, 10, 40, 8)


def test_counts_add_up_by_group():
    ratings = fifty()
    halves = rules.count(ratings[:25], 10, 4) + rules.count(ratings[25:], 10, 4)
    assert halves == rules.count(ratings, 20, 8)


def test_handled_means_fixed_explained_or_closed():
    assert rules.HANDLED == {"fixed", "explained", "closed"}
    assert rules.STATUS_OF_PATH == {"immediate": "fixed", "deadline": "fixing", "explain": "explained",
                                    "appeal": "appealed"}
