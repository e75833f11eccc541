"""Channel statistics per tier on the demo catalogue (27 items), with exact numbers worked out
from catalogue/demo-catalogue.json by hand: which items each tier's units accept, and how many of
them are online, on mobile, by mail and at depth ≥ Ⅲ."""
import pytest
from sqlalchemy import select

from engine.domain.actor import Actor
from engine.domain.errors import Forbidden
from engine.services import catalogue, supervision
from engine.store.models import OrgUnit
from tests.conftest import staff


def unit(ctx, code):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def numbers(rows):
    return {r.tier: (r.items, r.online, r.mobile, r.mail, r.depth3, r.average_depth) for r in rows}


def test_whole_area_per_tier(demo):
    rows = supervision.channel_stats(demo, staff(demo, "lzxq_supervisor"), unit(demo, "LZXQ"))
    # district: its 11 items; park: 9 district items accepted at parks + 4 park items; township: 7 district
    # items + 6 township items; village: 6 district items + the 6 township items accepted at villages + 6
    # (公共场所卫生许可, the 一件事 member, is accepted at every tier; the package's own entry never counts)
    assert numbers(rows) == {"district": (11, 11, 10, 9, 10, 3.45), "park": (13, 13, 12, 11, 13, 3.69),
                             "township": (13, 13, 11, 11, 11, 3.31), "village": (18, 17, 14, 14, 14, 3.17)}
    park, village = rows[1], rows[3]
    assert (park.online_share, park.mobile_share, park.mail_share, park.depth3_share) == (1.0, 0.9231, 0.8462, 1.0)
    assert (park.online_met, park.mobile_met, park.mail_met, park.depth_met) == (True, False, True, True)
    assert (village.online_share, village.mail_share) == (0.9444, 0.7778)
    assert not any((village.online_met, village.mobile_met, village.mail_met, village.depth_met))
    assert not rows[0].targets_apply and all(r.targets_apply for r in rows[1:])


def test_a_township_supervisor_sees_her_township_and_villages(demo):
    rows = supervision.channel_stats(demo, staff(demo, "zcz_supervisor"), unit(demo, "ZCZ"))
    # township 中川镇: food, elderly, restaurant, 公共场所卫生, 就业, 失业, 养老 from the district + 宅基地,
    # 临时救助; villages 清水村/北川村: the district's six village items + 宅基地, 临时救助 + 优待证 at each
    assert numbers(rows) == {"township": (9, 9, 8, 8, 8, 3.44), "village": (10, 10, 8, 8, 8, 3.3)}
    assert (rows[0].mail_share, rows[0].mail_met, rows[1].mail_share, rows[1].mail_met) == (0.8889, True, 0.8, True)
    with pytest.raises(Forbidden):
        supervision.channel_stats(demo, staff(demo, "zcz_supervisor"), unit(demo, "QCZ"))
    with pytest.raises(Forbidden):
        supervision.channel_stats(demo, staff(demo, "zcz_qs_agent"), unit(demo, "ZCZ"))


def test_retired_items_leave_the_statistics_and_csv_has_a_bom(demo):
    # 西岔村/铧尖村: the district's 6 village items, 低保 and 医保 of 西岔镇, 资格认证 and the window-only 危房改造
    assert numbers(supervision.channel_stats(demo, Actor.system("test"), unit(demo, "XCZ")))["village"][:2] == (10, 9)
    catalogue.retire(demo, "54620100MB0000344T5001GG0230100", 1, Actor.system("test"))
    rows = supervision.channel_stats(demo, Actor.system("test"), unit(demo, "XCZ"))
    assert numbers(rows)["village"][:2] == (9, 9) and rows[1].online_met
    text = supervision.to_csv(rows)
    assert text.startswith("\ufefftier,items,online,") and "village,9,9," in text
