"""What the applicant portal reads before applying online: GET /catalogue/items/{code}/application
gives the item's application form as case start validates it, and the windows that receive it;
every listed window accepts a case started there (the portal's choice is never refused for its tier)."""
from engine.services import catalogue
from tests.e2e import test_api
from tests.e2e.test_api import assert_problem, auth
from tests.form_samples import sample

client = test_api.client          # the demo app's test client (a fixture)

FOOD = "620100-XK-SCJG-0001"


def test_an_item_s_application_form_and_receiving_windows(client):
    zhang = auth(client, "applicant_zhang")
    r = client.get(f"/api/v1/catalogue/items/{FOOD}/application", headers=zhang)
    assert r.status_code == 200, r.json
    body = r.json
    assert (body["local_code"], body["form_key"], body["schema"]["title"]) == \
        (FOOD, "apply_food_licence", "食品经营许可申请表")
    codes = {w["code"] for w in body["windows"]}
    # every tier accepts the food licence: receiving windows of all four, never a pickup or supervision window
    assert {"LZXQ-W01", "ZCZ-W01", "ZCZ-QS-W01", "ZCYQ-W01"} <= codes
    assert not codes & {"LZXQ-W05", "ZCZ-W04", "ZCZ-W05", "LZXQ-W06"}
    assert {w["tier"] for w in body["windows"]} == {"district", "park", "township", "village"}


def test_an_item_without_its_own_form_gets_its_process_start_form_and_only_its_units(client):
    zhang = auth(client, "applicant_zhang")
    items = {i["name"]: i for i in client.get("/api/v1/catalogue/items").json}
    minimum = items["最低生活保障审核确认"]                 # 西岔镇 (XCZ), township and village windows
    body = client.get(f"/api/v1/catalogue/items/{minimum['code']}/application", headers=zhang).json
    assert body["form_key"] == "apply_elderly_allowance" and body["schema"]["required"]
    assert body["windows"] and all(w["code"].startswith("XCZ") for w in body["windows"])
    assert {w["tier"] for w in body["windows"]} == {"township", "village"}


def test_every_listed_window_accepts_the_case(client):
    zhang = auth(client, "applicant_zhang")
    windows = client.get("/api/v1/catalogue/items/620100-GG-MZ-0002/application", headers=zhang).json["windows"]
    for w in windows[:3] + windows[-2:]:
        r = client.post("/api/v1/cases", headers=zhang, json={
            "item_code": "620100-GG-MZ-0002", "window_id": w["id"], "channel": "online",
            "applicant": {"name": "张三"}, "form": sample("apply_elderly_allowance")})
        assert r.status_code == 201, (w, r.json)


def test_refusals(client, demo):
    zhang = auth(client, "applicant_zhang")
    assert_problem(client.get(f"/api/v1/catalogue/items/{FOOD}/application"), 401, "token_missing")
    assert assert_problem(client.get("/api/v1/catalogue/items/NOPE/application", headers=zhang), 404,
                          "item_not_found")["field"] == "code"
    window_only = [r["code"] for r in catalogue.list_guides(demo) if r["handle_forms"] == ["window"]]
    assert window_only                                      # 农村危房改造申请 is handled at the window only
    assert assert_problem(client.get(f"/api/v1/catalogue/items/{window_only[0]}/application", headers=zhang), 422,
                          "online_not_offered")["field"] == "code"


def test_the_applicant_reads_each_windows_hall_and_its_hours_and_the_guide_its_halls(client):
    """办公时间 where the applicant chooses a window, and in the public 办事指南 (no login)."""
    zhang = auth(client, "applicant_zhang")
    windows = client.get(f"/api/v1/catalogue/items/{FOOD}/application", headers=zhang).json["windows"]
    qs = next(w for w in windows if w["code"] == "ZCZ-QS-W01")
    assert qs["hall"]["name"] == "清水村便民服务站" and qs["hall"]["closes_at"] is None
    assert [(s["name"], s["from"], s["to"]) for s in qs["hall"]["hours"]] == [
        ("夏季", "05-01", "09-30"), ("冬季", "10-01", "04-30")]
    assert qs["hall"]["hours"][1]["days"][0]["lunch"] == {"from": "12:00", "to": "13:30"}
    guide = client.get(f"/api/v1/catalogue/items/{FOOD}")
    assert guide.status_code == 200
    [hall] = guide.json["halls"]                                # the implementing body's unit: the district
    assert hall["name"] == "兰州新区政务服务中心"
    assert hall["hours"][1]["days"][1] == {"weekdays": [6], "opens": "09:00", "closes": "12:00"}   # 周六不打烊
