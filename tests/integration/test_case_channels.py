"""Case-channel statistics (docs/glossary.md#case-channel-statistics: 网上受理率, 掌办率): exact
counts per tier for a range of Beijing calendar days, boundaries included/excluded, the package
parent left out, deliveries by method, CSV with a BOM, and the same over HTTP with its refusals."""
from datetime import date, datetime, timedelta, timezone

import pytest

from engine.domain.errors import Forbidden, NotFound, ValidationError
from engine.services import cases, delivery, packages, supervision
from tests.conftest import T0, staff, window_id
from tests.e2e import test_api
from tests.e2e.test_api import assert_problem, auth
from tests.form_samples import sample
from tests.integration.test_case_flow import only_task
from tests.integration.test_lifecycle import ELDERLY, FOOD_CODE, tasks, to_decision
from tests.integration.test_supervision import unit

client = test_api.client                 # the HTTP client fixture
DAY = date(2026, 11, 27)                 # T0 is 2026-11-27 09:00 Beijing


def start(ctx, code, window, clerk, channel, form_key):
    return cases.start_case(ctx, cases.StartCase(code, window_id(ctx, window), {"name": "申请人"}, sample(form_key),
                                                 channel), staff(ctx, clerk)).case_id


def elderly(ctx, channel):
    return start(ctx, ELDERLY, "QCZ-W01", "qcz_receiver", channel, "apply_elderly_allowance")


def build(ctx, clock):
    # village 清水村: a food licence taken in by proxy, decided, made and delivered as an e-licence
    food = to_decision(ctx, "granted")
    tasks.complete(ctx, only_task(ctx, "lzxq_issuer").id, {}, staff(ctx, "lzxq_issuer"))
    delivery.deliver(ctx, food, delivery.Delivery("e_licence", licence_no="JY16201000000001"),
                     staff(ctx, "lzxq_issuer"))
    # township 秦川镇: an elderly allowance at the window, refused and picked up
    refused = elderly(ctx, "window")
    for who, data in (("qcz_receiver", {}), ("qcz_reviewer", {}), ("qcz_social_approver", {"decision": "refused"}),
                      ("qcz_issuer", {"delivery_method": "pickup"})):
        tasks.complete(ctx, only_task(ctx, who).id, data, staff(ctx, who))
    assert cases.get_case(ctx, refused, staff(ctx, "admin")).lifecycle == "delivered"
    start(ctx, FOOD_CODE, "ZCZ-QS-W01", "zcz_qs_agent", "online", "apply_food_licence")       # village, online
    form = sample("apply_hygiene_licence", business_scope=["热食类食品制售"])
    packages.start_package(ctx, packages.StartPackage("620100-YJS-0001", window_id(ctx, "ZCZ-QS-W01"),
                                                      {"name": "张三"}, form, "proxy"),
                           staff(ctx, "zcz_qs_agent"))   # 2 items, 1 parent
    elderly(ctx, "mobile")
    elderly(ctx, "mail")
    start(ctx, "620100-LB-0003", "LZXQ-W01", "lzxq_receiver", "mobile", "apply_restaurant_opening")  # district
    clock.set(T0 - timedelta(days=2))                                   # 2026-11-25: before the range
    elderly(ctx, "online")
    clock.set(datetime(2026, 11, 27, 15, 59, 59, tzinfo=timezone.utc))  # 23:59:59 Beijing: the last second in
    elderly(ctx, "window")
    clock.set(datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc))       # 2026-11-28 00:00 Beijing: out
    elderly(ctx, "mobile")


def numbers(rows):
    return {r.tier: (r.received, r.window, r.online, r.mobile, r.mail, r.proxy, r.online_share, r.mobile_share,
                     r.delivered, r.pickup, r.mail_delivered, r.e_licence) for r in rows}


def test_cases_by_channel_and_results_by_method_per_tier(demo, clock):
    ctx = demo
    build(ctx, clock)
    sup = staff(ctx, "lzxq_supervisor")
    got = numbers(supervision.case_channels(ctx, sup, unit(ctx, "LZXQ"), date(2026, 11, 26), DAY))
    assert got == {
        #            recv win onl mob mail proxy online  mobile  dlv pick mail e
        "district": (1, 0, 0, 1, 0, 0, 1.0, 1.0, 0, 0, 0, 0),
        "park": (0, 0, 0, 0, 0, 0, None, None, 0, 0, 0, 0),
        "township": (4, 2, 0, 1, 1, 0, 0.25, 0.25, 1, 1, 0, 0),
        "village": (4, 0, 1, 0, 0, 3, 0.25, 0.0, 1, 0, 0, 1),
        "all": (9, 2, 1, 2, 1, 3, 0.3333, 0.2222, 2, 1, 0, 1),
    }
    wider = numbers(supervision.case_channels(ctx, sup, unit(ctx, "LZXQ"), date(2026, 11, 25), date(2026, 11, 28)))
    assert wider["township"][:6] == (6, 2, 1, 2, 1, 0) and wider["all"][0] == 11
    # a township supervisor sees her subtree only: the township and its villages
    qcz = numbers(supervision.case_channels(ctx, staff(ctx, "qcz_supervisor"), unit(ctx, "QCZ"), DAY, DAY))
    assert set(qcz) == {"township", "village", "all"} and qcz["township"][0] == 4 and qcz["village"][0] == 0
    text = supervision.to_csv(supervision.case_channels(ctx, sup, unit(ctx, "LZXQ"), DAY, DAY))
    lines = text.splitlines()
    assert text.startswith("\ufeff") and lines[0].lstrip("\ufeff").startswith("tier,received,window,online,mobile")
    assert lines[-1] == "all,9,2,1,2,1,3,0.3333,0.2222,2,1,0,1"


def test_refusals(demo):
    ctx = demo
    sup = staff(ctx, "lzxq_supervisor")
    for since, until, code in ((DAY, DAY - timedelta(days=1), "date_range_invalid"),
                               (date(2020, 1, 1), DAY, "date_range_too_long")):
        with pytest.raises(ValidationError) as err:
            supervision.case_channels(ctx, sup, unit(ctx, "LZXQ"), since, until)
        assert (err.value.code, err.value.field) == (code, "until")
    with pytest.raises(Forbidden):
        supervision.case_channels(ctx, staff(ctx, "zcz_supervisor"), unit(ctx, "LZXQ"), DAY, DAY)
    with pytest.raises(Forbidden):
        supervision.case_channels(ctx, staff(ctx, "zcz_qs_agent"), unit(ctx, "ZCZ"), DAY, DAY)
    with pytest.raises(NotFound):
        supervision.case_channels(ctx, sup, 999999, DAY, DAY)


def test_over_http(client, demo, clock):
    ctx = demo
    elderly(ctx, "mobile")
    elderly(ctx, "window")
    qcz = unit(ctx, "QCZ")
    sup = auth(client, "qcz_supervisor")
    url = f"/api/v1/supervision/case-channels?unit_id={qcz}&since=2026-11-27&until=2026-11-27"
    rows = client.get(url, headers=sup).json
    assert [(r["tier"], r["received"], r["mobile"], r["online_share"], r["mobile_share"]) for r in rows] == [
        ("township", 2, 1, 0.5, 0.5), ("village", 0, 0, None, None), ("all", 2, 1, 0.5, 0.5)]
    text = client.get(url + "&format=csv", headers=sup)
    assert text.mimetype == "text/csv" and text.data.startswith(b"\xef\xbb\xbf")
    assert_problem(client.get(url, headers=auth(client, "qcz_receiver")), 403, "outside_supervised_scope")
    assert_problem(client.get(url.replace("until=2026-11-27", "until=2026-11-01"), headers=sup), 422,
                   "date_range_invalid")
    assert client.get(url.replace("since=2026-11-27", "since=yesterday"), headers=sup).status_code == 422
    assert client.get(f"/api/v1/supervision/deliveries?unit_id={qcz}", headers=sup).json == []
    assert_problem(client.get(f"/api/v1/supervision/deliveries?unit_id={qcz}", headers=auth(client, "qcz_receiver")),
                   403, "outside_supervised_scope")
