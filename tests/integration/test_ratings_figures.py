"""The figures' SQL (engine/store/repositories/ratings.py) on both databases: every grouping
exact on a small hand-made set, months in Beijing time, void ratings and re-ratings in none."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from engine.domain.errors import Forbidden, NotFound
from engine.services import ratings
from engine.store.models import OrgUnit, Staff, Window
from tests.conftest import staff

ELDERLY = "12620100MB0000001N2001GG0020100"
FOOD = "11620100MB1234567E2001XK0010100"


def _at(day, hour=2):
    return datetime(2026, 11 if day > 20 else 12, day, hour, tzinfo=timezone.utc)


@pytest.fixture
def rated(demo):
    """Seven ratings and a re-rating, bound by hand (what the services would bind)."""
    with demo.uow.begin() as tx:
        def ids(model, column, *codes):
            return [tx.conn.execute(select(model.id).where(column == c)).scalar_one() for c in codes]
        qs, bc, zcz = ids(OrgUnit, OrgUnit.code, "ZCZ-QS", "ZCZ-BC", "ZCZ")
        w_qs, w_bc, w_zcz = ids(Window, Window.code, "ZCZ-QS-W01", "ZCZ-BC-W01", "ZCZ-W01")
        s_qs, s_bc, s_zcz, zhang = ids(Staff, Staff.username, "zcz_qs_agent", "zcz_bc_agent", "zcz_receiver",
                                       "applicant_zhang")
        tx.conn.execute(Staff.__table__.update().where(Staff.id == s_qs).values(staff_no="QS001"))
        at = {"qs": (qs, w_qs, s_qs), "bc": (bc, w_bc, s_bc), "zcz": (zcz, w_zcz, s_zcz)}

        def rate(where, item, level, channel="online", source="active", rater=None, when=None, rect=None,
                 revisited=False, voided=False, parent=None):
            unit, window, clerk = at[where]
            rid = tx.ratings.insert({"item_code": item, "window_id": window, "staff_id": clerk, "org_unit_id": unit,
                                     "channel": channel, "level": level, "indicators": {"overall": level},
                                     "source": source, "scheme_version": 1, "rater_account_id": rater,
                                     "created_at": when, "parent_id": parent})
            if rect:
                x = tx.ratings.open_rectification(rid, unit, when)
                tx.ratings.update_rectification(x, status=rect, revisited_at=when if revisited else None)
            if voided:
                tx.ratings.void(rid, "申诉成立", when)
            return rid
        rate("qs", ELDERLY, 5, when=_at(24))
        bad = rate("qs", ELDERLY, 1, rater=zhang, when=_at(25), rect="fixed", revisited=True)
        rate("qs", FOOD, 4, source="default", when=datetime(2026, 11, 30, 17, tzinfo=timezone.utc))  # 1 Dec Beijing
        rate("bc", ELDERLY, 2, channel="on_site", when=_at(3), rect="verifying")
        rate("bc", ELDERLY, 3, channel="on_site", when=_at(4))
        rate("zcz", FOOD, 5, when=_at(5))
        rate("zcz", FOOD, 1, rater=zhang, when=_at(5), rect="voided", voided=True)
        rate("qs", ELDERLY, 4, rater=zhang, when=_at(6), parent=bad)            # the fix re-rated
    return demo


def rows(ctx, group_by, **kw):
    return {r["name"]: r for r in ratings.figures(ctx, staff(ctx, "admin"), group_by, **kw)["rows"]}


def brief(r):
    return (r["total"], r["good"], r["bad"], r["active"], r["unrated"])


def test_every_grouping_exact(rated):
    ctx = rated
    by_unit = rows(ctx, "unit")
    assert {k: brief(v) for k, v in by_unit.items()} == {"清水村": (3, 2, 1, 2, 1), "北川村": (2, 0, 1, 2, 0),
                                                         "中川镇": (1, 1, 0, 1, 0)}
    qs, bc = by_unit["清水村"], by_unit["北川村"]
    assert (qs["unrated_rate"], qs["bad_fixed_rate"], qs["revisit_rate"], qs["active_good_rate"]) == (
        1 / 3, 1.0, 1.0, 0.5)
    # on site only: no online rating (未评价率 has no denominator); the 差评 was anonymous (回访率 none)
    assert (bc["unrated_rate"], bc["bad_fixed_rate"], bc["revisit_rate"], bc["good_rate"]) == (None, 0.0, None, 0.0)
    assert {k: brief(v) for k, v in rows(ctx, "tier").items()} == {"village": (5, 2, 2, 4, 1),
                                                                   "township": (1, 1, 0, 1, 0)}
    assert {k: v["total"] for k, v in rows(ctx, "window").items()} == {
        n: c for n, c in zip(_names(ctx, Window, ("ZCZ-QS-W01", "ZCZ-BC-W01", "ZCZ-W01")), (3, 2, 1))}
    assert {k: v["total"] for k, v in rows(ctx, "staff").items()} == {"QS001": 3, "zcz_bc_agent": 2,
                                                                      "zcz_receiver": 1}
    assert {k: brief(v) for k, v in rows(ctx, "item").items()} == {"高龄津贴申领": (4, 1, 2, 4, 0),
                                                                   _item_name(ctx, FOOD): (2, 2, 0, 1, 1)}
    # months in Beijing time: 30 Nov 17:00 UTC is 1 December
    assert {k: brief(v) for k, v in rows(ctx, "month").items()} == {"2026-11": (2, 1, 1, 2, 0),
                                                                    "2026-12": (4, 2, 1, 3, 1)}
    assert ratings.summary(ctx, staff(ctx, "admin"), None)["total"] == 6


def test_a_subtree_and_a_period(rated):
    ctx = rated
    with ctx.uow.read() as tx:
        zcz = tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == "ZCZ")).scalar_one()
        qs = tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == "ZCZ-QS")).scalar_one()
    assert set(rows(ctx, "unit", unit_id=qs)) == {"清水村"}
    assert brief(rows(ctx, "month", unit_id=zcz, since=date(2026, 12, 1), until=date(2026, 12, 3))["2026-12"]) == (
        2, 1, 1, 1, 1)
    total = ratings.summary(ctx, staff(ctx, "zcz_supervisor"), zcz)
    assert (total["total"], total["bad"], total["bad_fixed_rate"]) == (6, 2, 0.5)
    with pytest.raises(Forbidden):
        ratings.summary(ctx, staff(ctx, "qcz_supervisor"), zcz)
    with pytest.raises(Forbidden):
        ratings.figures(ctx, staff(ctx, "zcz_supervisor"), "unit")        # all units: administrators
    with pytest.raises(NotFound):
        ratings.figures(ctx, staff(ctx, "admin"), "unit", unit_id=999999)
    public = ratings.public(ctx, None, date(2026, 11, 1))
    assert {u["unit_name"]: (u["total"], u["bad_count"], u["fixed_count"]) for u in public["units"]} == {
        "清水村": (2, 1, 1)}
    assert [(r["status"], r["month"]) for r in public["rectifications"]] == [("fixed", "2026-11")]


def _names(ctx, model, codes):
    with ctx.uow.read() as tx:
        return [tx.conn.execute(select(model.name).where(model.code == c)).scalar_one() for c in codes]


def _item_name(ctx, code):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(tx.ratings._ITEM_NAMES.c.name).where(tx.ratings._ITEM_NAMES.c.code == code)
                               ).scalar_one()
