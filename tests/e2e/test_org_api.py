"""The organisation over HTTP and on the command line (docs/organisation.md): an administrator adds
a role, a window, a staff account and her post; what open work needs is refused with a code; an
import is all or nothing with each problem's kind, row and field; an export imports to no change.
SQLite only: tests/integration/test_org_admin.py runs the same services on both databases."""
import io
import json

import pytest
from click.testing import CliRunner

from api.cli import main
from demo.org import DEMO_PASSWORD
from tests.conftest import ROOT, app_for, row_counts


@pytest.fixture
def client(request, db_url):
    if not db_url.startswith("sqlite"):
        pytest.skip("HTTP over the same services: once is enough")
    demo = request.getfixturevalue("demo")
    return app_for(demo).test_client()


def auth(client, username, password=DEMO_PASSWORD):
    r = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.json
    return {"Authorization": f"Bearer {r.json['token']}"}


def test_an_administrator_adds_a_role_a_window_a_person_and_her_post(client, demo):
    admin, designer = auth(client, "admin"), auth(client, "designer")
    role = client.post("/api/v1/org/roles", headers=admin, json={"code": "clerk", "name_zh": "办事员",
                                                                  "name_en": "Clerk"})
    assert role.status_code == 201 and role.json["active"] is True
    assert "clerk" in [r["code"] for r in client.get("/api/v1/org/roles", headers=designer).json]
    assert {d["code"] for d in client.get("/api/v1/org/departments", headers=designer).json} >= {"market", "social"}
    halls = client.get("/api/v1/org/halls", headers=admin).json
    hall = next(h for h in halls if h["code"] == "ZCZ-QS-BMFW")
    window = client.post("/api/v1/org/windows", headers=admin, json={"hall_id": hall["id"], "code": "ZCZ-QS-W02",
                                                                      "name": "便民窗口", "kind": "comprehensive"})
    assert window.status_code == 201 and window.json["org_unit_id"] == hall["org_unit_id"]
    person = client.post("/api/v1/org/staff", headers=admin, json={"username": "zcz_qs_clerk", "name": "新办事员",
                                                                   "password": "first-password"})
    assert person.status_code == 201 and "password" not in person.json
    post = client.post("/api/v1/org/posts", headers=admin, json={"staff_id": person.json["id"],
                                                                 "window_id": window.json["id"], "role": "clerk"})
    assert post.status_code == 201 and post.json["valid_to"] is None
    again = client.post("/api/v1/org/posts", headers=admin, json={"staff_id": person.json["id"],
                                                                  "window_id": window.json["id"], "role": "clerk"})
    assert again.status_code == 409 and again.json["code"] == "post_exists"
    me = client.get("/api/v1/auth/me", headers=auth(client, "zcz_qs_clerk", "first-password")).json
    assert [p["window_name"] for p in me["posts"]] == ["便民窗口"]
    busy = client.delete(f"/api/v1/org/windows/{window.json['id']}", headers=admin)
    assert busy.status_code == 409 and busy.json["code"] == "window_has_posts"
    assert client.delete(f"/api/v1/org/posts/{post.json['id']}", headers=admin).status_code == 204
    assert client.delete(f"/api/v1/org/windows/{window.json['id']}", headers=admin).status_code == 204
    history = client.get(f"/api/v1/org/posts?staff_id={person.json['id']}&include_ended=true", headers=admin).json
    assert [p["valid_to"] is not None for p in history] == [True]
    bad = client.post("/api/v1/org/units", headers=admin, json={"code": "X", "name": "X", "tier": "county"})
    assert bad.status_code == 422 and bad.json["field"] == "tier"
    wrong = client.post("/api/v1/org/units", headers=admin, json={
        "code": "X", "name": "X", "tier": "village", "parent_id": hall["org_unit_id"]})
    assert wrong.status_code == 422 and wrong.json["code"] == "org_tier_order"


def test_an_import_is_all_or_nothing_and_an_export_imports_to_no_change(client, demo):
    admin = auth(client, "admin")
    csv = client.get("/api/v1/org/export?format=csv", headers=admin)
    assert csv.mimetype == "text/csv" and csv.data.startswith("\ufeffrecord,".encode())
    broken = csv.data.decode("utf-8-sig").replace("window,ZCZ-QS-W01,帮办代办窗口", "window,ZCZ-QS-W01,") + (
        "unit,ZCZ-NEW,新村,,,,village,ZCYQ,,,,,,,,,,\r\n")
    before = row_counts(demo)
    r = client.post("/api/v1/org/imports", headers=admin, content_type="multipart/form-data",
                    data={"file": (io.BytesIO(broken.encode()), "org.csv")})
    assert r.status_code == 422 and r.json["code"] == "org_file_invalid"
    lines = broken.split("\r\n")
    qs_row = next(i for i, line in enumerate(lines, start=1) if line.startswith("window,ZCZ-QS-W01,"))
    assert [(p["kind"], p["row"], p["field"], p["code"]) for p in r.json["problems"]] == [
        ("window", qs_row, "name", "org_field_required")]
    assert row_counts(demo) == before
    fixed = broken.replace("window,ZCZ-QS-W01,,", "window,ZCZ-QS-W01,帮办代办窗口,")
    dry = client.post("/api/v1/org/imports?dry_run=true&format=csv", headers=admin, data=fixed.encode(),
                      content_type="text/csv")
    assert dry.status_code == 200 and [(p["row"], p["field"], p["code"]) for p in dry.json["problems"]] == [
        (len(lines) - 1, "tier", "org_tier_order")]      # a village under a park (the last row)
    assert row_counts(demo) == before
    exported = client.get("/api/v1/org/export", headers=admin)
    again = client.post("/api/v1/org/imports", headers=admin, data=exported.data, content_type="application/json")
    assert again.status_code == 201
    assert all(c["created"] == c["updated"] == 0 for c in again.json["counts"].values())
    assert row_counts(demo) == before


def test_the_command_line_imports_validates_and_exports(tmp_path, monkeypatch):
    # in this process (tests/e2e/test_cli.py runs the real executable): each subprocess costs seconds
    monkeypatch.setenv("LIANBAN_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.chdir(ROOT)
    runner = CliRunner()

    def lianban(*args):
        return runner.invoke(main, list(args), catch_exceptions=False)
    assert lianban("init-db").exit_code == 0
    first = lianban("org", "import", "demo/organisation.json")
    assert first.exit_code == 0 and "unit 12 created" in first.stdout, first.stderr
    out = tmp_path / "org.json"
    assert lianban("org", "export", "-o", str(out)).exit_code == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert len(data["units"]) == 12 and "password" not in out.read_text(encoding="utf-8")
    data["windows"][0]["hall"] = "NOPE"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    refused = lianban("org", "validate", str(bad))
    assert refused.exit_code == 1
    assert "bad.json: window row 1, hall: no hall has the code 'NOPE' [hall_not_found]" in refused.stderr
    assert "error [org_file_invalid]" in refused.stderr
    assert lianban("org", "import", str(bad)).exit_code == 1
    same = lianban("org", "import", str(out))
    assert same.exit_code == 0 and "unit 0 created, 0 updated, 12 unchanged" in same.stdout


WINTER = {"name": "冬季", "from": "10-01", "to": "04-30", "days": [
    {"weekdays": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "17:30", "lunch": {"from": "12:00", "to": "13:30"}}]}
SUMMER = {"name": "夏季", "from": "05-01", "to": "09-30", "days": [
    {"weekdays": [1, 2, 3, 4, 5], "opens": "08:30", "closes": "18:00", "lunch": {"from": "12:00", "to": "14:00"}},
    {"weekdays": [6], "opens": "09:00", "closes": "12:00"}]}


def test_a_halls_schedule_over_http_and_each_bad_one_refused_with_its_path(client, demo):
    """PATCH a hall's hours; a bad schedule is 422 with the code and the field path, nothing written;
    the simple form (closes_at) replaces the schedule and a schedule the closing time."""
    admin = auth(client, "admin")
    hall = next(h for h in client.get("/api/v1/org/halls", headers=admin).json if h["code"] == "ZCZ-QS-BMFW")
    assert hall["closes_at"] is None and [s["name"] for s in hall["hours"]] == ["夏季", "冬季"]      # the demo's
    url = f"/api/v1/org/halls/{hall['id']}"
    for hours, code, field in (
            ([WINTER], "hours_seasons_gap", "hours"),
            ([SUMMER, {**WINTER, "from": "09-01"}], "hours_seasons_overlap", "hours[1].from"),
            ([SUMMER, {**WINTER, "days": [{**WINTER["days"][0], "closes": "08:00"}]}],
             "hours_closes_before_opens", "hours[1].days[0].closes"),
            ([SUMMER, {**WINTER, "days": [{**WINTER["days"][0], "lunch": {"from": "07:00", "to": "08:00"}}]}],
             "hours_lunch_outside", "hours[1].days[0].lunch.from"),
            ([SUMMER, {**WINTER, "days": [{**WINTER["days"][0], "opens": "\uff10\uff18:30"}]}],
             "hours_time_invalid", "hours[1].days[0].opens"),
            ([SUMMER, {**WINTER, "from": "13-01"}], "hours_day_invalid", "hours[1].from"),
            ([SUMMER, {**WINTER, "days": [{**WINTER["days"][0], "weekdays": [1, 1]}]}],
             "hours_weekday_repeated", "hours[1].days[0].weekdays"),
            ({"summer": SUMMER}, "hours_invalid", "hours"),
            ([SUMMER, {**WINTER, "days": [{**WINTER["days"][0], "lunch": "12:00-13:30"}]}],
             "hours_invalid", "hours[1].days[0].lunch")):
        r = client.patch(url, headers=admin, json={"hours": hours})
        assert r.status_code == 422 and (r.json["code"], r.json["field"]) == (code, field), (r.json, hours)
    r = client.patch(url, headers=admin, json={"hours": [SUMMER, WINTER], "closes_at": "17:30"})
    assert r.status_code == 422 and (r.json["code"], r.json["field"]) == ("hours_conflict", "hours")
    assert client.get(url, headers=admin).json["hours"] == hall["hours"]                # nothing written
    assert client.patch(url, headers=admin, json={"hours": [WINTER, SUMMER]}).status_code in (200, 204)
    got = client.get(url, headers=admin).json
    assert [s["name"] for s in got["hours"]] == ["冬季", "夏季"] and got["closes_at"] is None
    assert client.patch(url, headers=admin, json={"closes_at": "17:00"}).status_code in (200, 204)
    got = client.get(url, headers=admin).json
    assert (got["closes_at"], got["hours"]) == ("17:00", None)
    assert client.patch(url, headers=auth(client, "zcz_qs_agent"), json={"hours": None}).status_code == 403
    new = client.post("/api/v1/org/halls", headers=admin, json={
        "org_unit_id": hall["org_unit_id"], "code": "ZCZ-QS-NEW", "name": "新服务站", "kind": "convenience_station",
        "hours": [SUMMER, WINTER]})
    assert new.status_code == 201 and new.json["hours"][0]["days"][1] == {"weekdays": [6], "opens": "09:00",
                                                                          "closes": "12:00"}
