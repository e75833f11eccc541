"""The supervisor dashboard over a small hand-made set (docs/time-limits.md#the-supervisor-dashboard):
exact counts per tier and per drill-down level, the carded items at a person, on-time rates per
month against the promised and the legal deadline, scope, bad paths, CSV."""
from datetime import date

import pytest

from engine.domain.errors import Forbidden, NotFound, ValidationError
from engine.services import supervision, tasks
from engine.services.time_limits import timers
from tests.conftest import staff, window_id
from tests.form_samples import task_data
from tests.integration.test_case_flow import start_food
from tests.integration.test_clock import accept_food, bj
from tests.integration.test_supervision import unit


def SUP(ctx):
    return staff(ctx, "lzxq_supervisor")


def load(open_=0, yellow=0, red=0):
    return {"open": open_, "yellow": yellow, "red": red}


def by_name(level):
    return {(c["kind"], c["name"]): (c["cases"], c["steps"]) for c in level["children"]}


def test_counts_and_drill_down(demo, clock):
    ctx = demo
    yellow_case = accept_food(ctx)             # 清水村's agent took it in; now at the district's market approver
    red_case = start_food(ctx, window="QCZ-MJP-W01", clerk="qcz_mjp_agent").case_id      # never accepted
    clock.set(bj(2026, 12, 11, 8))             # the promise day of the first; the second deemed accepted (red)
    timers.fire_due(ctx)
    district, qs, mjp = unit(ctx, "LZXQ"), unit(ctx, "ZCZ-QS"), unit(ctx, "QCZ-MJP")

    s = supervision.summary(ctx, SUP(ctx), district)
    assert (s["cases"], s["steps"]) == (load(2, 1, 1), load(2, 0, 2))
    tiers = {r["tier"]: (r["cases"], r["steps"]) for r in s["by_tier"]}
    assert tiers == {"district": (load(), load(1, 0, 1)),        # the approval step, past its P5D due date
                     "park": (load(), load()), "township": (load(), load()),
                     "village": (load(2, 1, 1), load(1, 0, 1))}  # the unaccepted case's intake step
    assert s["ratings"]["total"] == 0 and s["ratings"]["bad_rate"] is None and s["unit"]["name"] == "兰州新区"

    top = supervision.drill(ctx, SUP(ctx), district)
    assert [p["name"] for p in top["path"]] == ["兰州新区"] and top["node"] == "unit" and not top["leaf"]
    assert by_name(top) == {("unit", "中川园区"): (load(1, 1, 0), load()),
                            ("unit", "秦川园区"): (load(1, 0, 1), load(1, 0, 1)),
                            ("department", "市场监督管理局"): (load(), load(1, 0, 1)),
                            ("department", "卫生健康委员会"): (load(), load()),
                            ("department", "民政局"): (load(), load())}
    market = next(c["id"] for c in top["children"] if c["name"] == "市场监督管理局")
    # the approval step is not claimed: under its department, window 0, and listed there
    dept = supervision.drill(ctx, SUP(ctx), district, department_id=market)
    assert by_name(dept)[("window", None)] == (load(), load(1, 0, 1))
    assert by_name(dept)[("window", "市场监管审批窗口")] == (load(), load())
    unclaimed = supervision.drill(ctx, SUP(ctx), district, department_id=market, window_id=0)
    assert unclaimed["leaf"] and unclaimed["children"] == []
    [step] = unclaimed["items"]
    assert (step["kind"], step["case_id"], step["warning"], step["step"]) == ("step", yellow_case, "red", "审批决定")
    # P5D is five calendar days after the step began: 8 days and some hours before now, a part-day counting
    assert (clock.now() - step["due"]).days == 8 and step["days_overdue"] == 9 and step["applicant"] == "张*"

    village = supervision.drill(ctx, SUP(ctx), mjp)
    assert [p["name"] for p in village["path"]] == ["兰州新区", "秦川园区", "秦川镇", "马家坪村"]
    assert by_name(village) == {("department", None): (load(1, 0, 1), load(1, 0, 1))}
    win = supervision.drill(ctx, SUP(ctx), mjp, department_id=0)
    proxy = window_id(ctx, "QCZ-MJP-W01")
    assert by_name(win) == {("window", "帮办代办窗口"): (load(1, 0, 1), load()),
                            ("window", None): (load(), load(1, 0, 1))}        # the intake step, not claimed
    person = supervision.drill(ctx, SUP(ctx), mjp, department_id=0, window_id=proxy)
    assert by_name(person) == {("staff", "QCZ-MJP代办员"): (load(1, 0, 1), load())}
    agent = person["children"][0]["id"]
    leaf = supervision.drill(ctx, SUP(ctx), mjp, department_id=0, window_id=proxy, staff_id=agent)
    assert leaf["leaf"] and [p["kind"] for p in leaf["path"]][-3:] == ["department", "window", "staff"]
    [item] = leaf["items"]
    assert (item["kind"], item["case_id"], item["warning"], item["deemed_accepted"]) == ("case", red_case, "red", True)
    assert item["step"] == "代办收件" and item["applicant"] == "张*"
    qs_leaf = supervision.drill(ctx, SUP(ctx), qs, department_id=0, window_id=window_id(ctx, "ZCZ-QS-W01"))
    assert [(i["case_id"], i["warning"]) for i in qs_leaf["items"]] == [(yellow_case, "yellow")]

    csv_text = supervision.to_csv(supervision.flat(top["children"]))
    assert csv_text.splitlines()[0] == ("\ufeffkind,id,name,tier,cases_open,cases_yellow,cases_red,"
                                        "steps_open,steps_yellow,steps_red")
    assert "unit,%d,秦川园区,park,1,0,1,1,0,1" % unit(ctx, "QCYQ") in csv_text


def finish(ctx, case_id):
    for who, data in (("lzxq_market_approver", {"decision": "granted"}), ("lzxq_issuer", {})):
        t = next(t for t in tasks.inbox(ctx, staff(ctx, who)) if t.case_id == case_id)
        tasks.complete(ctx, t.id, task_data(ctx, t.id, **data), staff(ctx, who))


def test_on_time_rates_per_month(demo, clock):
    ctx = demo
    early, late, later = accept_food(ctx), accept_food(ctx), accept_food(ctx)   # promised 12-11, legal 12-25
    finish(ctx, early)                                              # 11-27: by both
    clock.set(bj(2026, 12, 18, 10))
    finish(ctx, late)                                               # after the promise, within the legal limit
    # November is over (its figures are kept from now on), December still counts
    mid = supervision.on_time_series(ctx, SUP(ctx), unit(ctx, "LZXQ"), date(2026, 11, 1), date(2027, 1, 31))
    assert [(r["period"], r["completed"], r["on_promise"]) for r in mid] == [
        ("2026-11", 1, 1), ("2026-12", 1, 0), ("2027-01", 0, 0)]
    clock.set(bj(2027, 1, 6, 10))
    finish(ctx, later)                                              # after both
    rows = supervision.on_time_series(ctx, SUP(ctx), unit(ctx, "LZXQ"), date(2026, 11, 1), date(2027, 1, 31))
    assert [(r["period"], r["completed"], r["on_promise"], r["promise_rate"], r["on_legal"], r["legal_rate"])
            for r in rows] == [("2026-11", 1, 1, 1.0, 1, 1.0), ("2026-12", 1, 0, 0.0, 1, 1.0),
                               ("2027-01", 1, 0, 0.0, 0, 0.0)]
    weeks = supervision.on_time_series(ctx, SUP(ctx), unit(ctx, "ZCZ"), date(2026, 12, 14), date(2026, 12, 20),
                                       period="week")
    assert [(r["period"], r["completed"], r["on_legal"]) for r in weeks] == [("2026-12-14", 1, 1)]
    other = supervision.on_time_series(ctx, SUP(ctx), unit(ctx, "QCZ"), date(2026, 11, 1), date(2027, 1, 31))
    assert [r["completed"] for r in other] == [0, 0, 0] and other[0]["promise_rate"] is None
    text = supervision.to_csv(rows)
    assert text.startswith("\ufeffperiod,first_day,last_day,completed")
    assert "2026-12,2026-12-01,2026-12-31,1,1,0" in text


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_scope_and_bad_paths(demo):
    ctx = demo
    township = staff(ctx, "zcz_supervisor")
    zcz = unit(ctx, "ZCZ")
    mine = supervision.drill(ctx, township, zcz)
    assert [p["name"] for p in mine["path"]] == ["中川镇"]                  # nothing above her scope
    assert {c["name"] for c in mine["children"] if c["kind"] == "unit"} == {"清水村", "北川村"}
    for call in (lambda u: supervision.summary(ctx, township, u), lambda u: supervision.drill(ctx, township, u),
                 lambda u: supervision.on_time_series(ctx, township, u, date(2026, 1, 1), date(2026, 12, 31))):
        for code in ("QCZ", "LZXQ"):
            with pytest.raises(Forbidden) as err:
                call(unit(ctx, code))
            assert err.value.code == "outside_supervised_scope"
    with pytest.raises(Forbidden):
        supervision.summary(ctx, staff(ctx, "zcz_reviewer"), zcz)
    district = unit(ctx, "LZXQ")
    bad = [(dict(window_id=1), "drill_path_incomplete"), (dict(department_id=0, staff_id=1), "drill_path_incomplete"),
           (dict(department_id=999), "department_not_found"),
           (dict(department_id=0, window_id=window_id(ctx, "ZCZ-QS-W01")), "window_not_found"),
           (dict(department_id=0, window_id=0, staff_id=99999), "staff_not_found")]
    for kwargs, code in bad:
        with pytest.raises((ValidationError, NotFound)) as err:
            supervision.drill(ctx, SUP(ctx), district, **kwargs)
        assert err.value.code == code, kwargs
    with pytest.raises(NotFound):
        supervision.drill(ctx, SUP(ctx), 999999)
    for since, until, period, code in ((date(2026, 2, 1), date(2026, 1, 1), "month", "date_range_invalid"),
                                       (date(2020, 1, 1), date(2026, 1, 1), "month", "date_range_too_long"),
                                       (date(2026, 1, 1), date(2026, 2, 1), "year", "period_unknown")):
        with pytest.raises(ValidationError) as err:
            supervision.on_time_series(ctx, SUP(ctx), district, since, until, period)
        assert err.value.code == code
