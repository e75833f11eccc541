"""The dashboard's endpoints over HTTP: JSON shapes, CSV with a BOM for every table, and refusals
with a code and a field (SQLite: nothing here depends on the database)."""
import pytest

from engine.services.time_limits import timers
from tests.e2e.test_api import assert_problem, auth, client, start  # noqa: F401  (fixture)
from tests.integration.test_clock import bj
from tests.integration.test_supervision import unit

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
BASE = "/api/v1/supervision/dashboard"


def test_summary_drill_on_time_and_csv(client, demo, clock):  # noqa: F811
    assert start(client, demo, auth(client, "zcz_qs_agent")).status_code == 201
    clock.set(bj(2026, 12, 11, 8))
    timers.fire_due(demo)                                 # never accepted: deemed accepted, red
    headers = auth(client, "lzxq_supervisor")
    qs = unit(demo, "ZCZ-QS")
    s = client.get(f"{BASE}/summary?unit_id={unit(demo, 'LZXQ')}", headers=headers)
    assert s.status_code == 200 and s.json["cases"] == {"open": 1, "yellow": 0, "red": 1}
    assert (s.json["ratings"]["total"], s.json["ratings"]["good_rate"]) == (0, None)
    assert [t["tier"] for t in s.json["by_tier"]] == ["district", "park", "township", "village"]
    level = client.get(f"{BASE}/drill?unit_id={qs}&department_id=0", headers=headers).json
    [win] = [c for c in level["children"] if c["name"]]
    leaf = client.get(f"{BASE}/drill?unit_id={qs}&department_id=0&window_id={win['id']}", headers=headers).json
    assert leaf["node"] == "window" and [(i["kind"], i["warning"], i["applicant"]) for i in leaf["items"]] == [
        ("case", "red", "张*")]
    series = client.get(f"{BASE}/on-time?unit_id={qs}&since=2026-11-01&until=2026-12-31", headers=headers).json
    assert [(p["period"], p["completed"]) for p in series] == [("2026-11", 0), ("2026-12", 0)]
    for path, header in ((f"summary?unit_id={qs}", "tier,cases_open"),
                         (f"drill?unit_id={qs}&table=children", "kind,id,name,tier,cases_open"),
                         (f"drill?unit_id={qs}&department_id=0&window_id={win['id']}&table=items", "kind,case_id"),
                         (f"on-time?unit_id={qs}&since=2026-11-01&until=2026-12-31&period=week", "period,first_day")):
        r = client.get(f"{BASE}/{path}&format=csv", headers=headers)
        assert r.status_code == 200 and r.mimetype == "text/csv", path
        assert r.get_data(as_text=True).startswith("\ufeff" + header), path
        assert "attachment" in r.headers["Content-Disposition"]
    assert "张三" not in client.get(f"{BASE}/drill?unit_id={qs}&department_id=0&window_id={win['id']}"
                                  "&table=items&format=csv", headers=headers).get_data(as_text=True)


def test_refusals(client, demo):  # noqa: F811
    headers = auth(client, "zcz_supervisor")
    zcz, qcz = unit(demo, "ZCZ"), unit(demo, "QCZ")
    assert_problem(client.get(f"{BASE}/summary?unit_id={qcz}", headers=headers), 403, "outside_supervised_scope")
    assert_problem(client.get(f"{BASE}/drill?unit_id={qcz}", headers=headers), 403, "outside_supervised_scope")
    assert_problem(client.get(f"{BASE}/drill?unit_id={zcz}&window_id=3", headers=headers), 422,
                   "drill_path_incomplete")
    body = assert_problem(client.get(f"{BASE}/drill?unit_id={zcz}&department_id=999", headers=headers), 404,
                          "department_not_found")
    assert body["field"] == "department_id"
    assert_problem(client.get(f"{BASE}/drill?unit_id=999999", headers=headers), 404, "org_unit_not_found")
    for query in ("since=2026-12-01&until=2026-01-01", "since=2020-01-01&until=2026-01-01"):
        r = client.get(f"{BASE}/on-time?unit_id={zcz}&{query}", headers=headers)
        assert r.status_code == 422 and r.json["field"] == "until", r.json
    for query in ("since=2026-01-01&until=2026-02-01&period=year", "since=x&until=2026-02-01",
                  "until=2026-02-01", "since=2026-01-01&until=2026-02-01&format=xls"):
        r = client.get(f"{BASE}/on-time?unit_id={zcz}&{query}", headers=headers)
        assert r.status_code == 422 and r.mimetype == "application/problem+json", query
    assert client.get(f"{BASE}/drill?unit_id={zcz}&department_id=-1", headers=headers).status_code == 422
    assert client.get(f"{BASE}/drill?unit_id={zcz}&table=x", headers=headers).status_code == 422
