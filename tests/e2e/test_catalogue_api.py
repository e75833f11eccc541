"""The catalogue over HTTP: the public guide without a token, import/export/versions for
administrators only, a bad file as a 422 problem listing every problem, channel statistics CSV."""
import csv
import io
import json

from sqlalchemy import select

from demo.loader import DEMO_CATALOGUE
from engine.store.models import OrgUnit
from tests.conftest import row_counts
from tests.e2e import test_api
from tests.e2e.test_api import assert_problem, auth

client = test_api.client          # the demo app's test client (a fixture)

FOOD = "11620100MB1234567E2001XK0010100"


def test_the_public_guide_needs_no_login(client):
    items = client.get("/api/v1/catalogue/items")
    assert items.status_code == 200 and len(items.json) == 27
    village = client.get("/api/v1/catalogue/items?accepting_tier=village&category=public_service").json
    assert {i["name"] for i in village} >= {"高龄津贴申领", "老年人优待证办理", "生育登记服务"}
    assert all("village" in i["accepting_tiers"] for i in village)
    assert [i["code"] for i in client.get("/api/v1/catalogue/items?keyword=食品经营&tier=district").json] == [FOOD]
    guide = client.get("/api/v1/catalogue/items/620100-XK-SCJG-0001")
    assert guide.status_code == 200
    body = guide.json
    assert (body["code"], body["legal_basis"], body["promise_limit"], body["online_depth"]) == \
        (FOOD, "《中华人民共和国食品安全法》第三十五条", 10, 3)
    assert body["guide"]["complaint_phone"] == "12345" and body["materials"][1]["licence_types"] == ["business_licence"]
    assert_problem(client.get("/api/v1/catalogue/items/NOPE"), 404, "item_not_found")
    assert_problem(client.get("/api/v1/catalogue/items?tier=county"), 422, "request_invalid")
    spec = client.get("/api/v1/openapi.json").json
    assert spec["paths"]["/api/v1/catalogue/items"]["get"]["security"] == []
    assert spec["paths"]["/api/v1/catalogue/items/{code}"]["get"]["security"] == []
    assert "security" not in spec["paths"]["/api/v1/catalogue/imports"]["post"]


def test_admin_endpoints_need_a_token_and_the_admin_role(client, demo):
    assert_problem(client.get("/api/v1/catalogue/export"), 401, "token_missing")
    clerk = auth(client, "zcz_qs_agent")
    before = row_counts(demo)
    assert_problem(client.post("/api/v1/catalogue/imports", headers=clerk, data=DEMO_CATALOGUE.read_bytes(),
                               content_type="application/json"), 403, "role_required")
    assert_problem(client.post(f"/api/v1/catalogue/items/{FOOD}/versions/1/retire", headers=clerk), 403,
                   "role_required")
    assert row_counts(demo) == before


def test_a_bad_file_is_a_422_with_every_problem_and_nothing_written(client, demo):
    admin = auth(client, "admin")
    items = json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))["items"]
    items[0]["promise_limit"] = 30
    items[4]["guide"]["complaint_phone"] = items[4]["guide"]["consult_phone"]
    before = row_counts(demo)
    upload = {"file": (io.BytesIO(json.dumps(items, ensure_ascii=False).encode()), "catalogue.json")}
    problem = assert_problem(client.post("/api/v1/catalogue/imports?publish=true", headers=admin, data=upload,
                                         content_type="multipart/form-data"), 422, "catalogue_invalid")
    assert [(p["row"], p["field"], p["code"]) for p in problem["problems"]] == [
        (1, "promise_limit", "promise_exceeds_legal"), (5, "guide.complaint_phone", "guide_phones_equal")]
    assert (problem["row"], problem["field"]) == (1, "promise_limit")
    assert row_counts(demo) == before


def test_import_publish_export_and_versions_over_http(client):
    admin = auth(client, "admin")
    exported = client.get("/api/v1/catalogue/export?format=csv", headers=admin)
    assert exported.status_code == 200 and exported.mimetype == "text/csv"
    assert exported.data.startswith(b"\xef\xbb\xbf") and "高龄津贴申领" in exported.data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(exported.data.decode("utf-8-sig"))))
    header = rows[0]
    food = next(r for r in rows if r[0] == FOOD)
    food[header.index("promise_limit")] = "9"                                 # the food licence now promises 9
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    changed = out.getvalue().encode("utf-8-sig")
    created = client.post("/api/v1/catalogue/imports", headers=admin, data=changed, content_type="text/csv")
    assert created.status_code == 201, created.json
    assert created.json["created"] == [{"code": FOOD, "version": 2}] and created.json["unchanged"] == 26
    assert [v["status"] for v in client.get(f"/api/v1/catalogue/items/{FOOD}/versions", headers=admin).json] == \
        ["published", "draft"]
    assert client.post(f"/api/v1/catalogue/items/{FOOD}/versions/2/publish", headers=admin).status_code == 204
    assert client.get(f"/api/v1/catalogue/items/{FOOD}").json["promise_limit"] == 9
    assert_problem(client.post(f"/api/v1/catalogue/items/{FOOD}/versions/2/publish", headers=admin), 409,
                   "catalogue_version_not_draft")
    assert_problem(client.post(f"/api/v1/catalogue/items/{FOOD}/versions/7/retire", headers=admin), 404,
                   "catalogue_version_not_found")
    again = client.get("/api/v1/catalogue/export?format=json", headers=admin)
    assert again.mimetype == "application/json"
    assert client.post("/api/v1/catalogue/imports?format=json", headers=admin, data=again.data,
                       content_type="application/json").json["created"] == []


def test_channel_statistics_for_supervisors(client, demo):
    with demo.uow.read() as tx:
        zcz = tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == "ZCZ")).scalar_one()
    sup = auth(client, "zcz_supervisor")
    rows = client.get(f"/api/v1/catalogue/channel-stats?unit_id={zcz}", headers=sup).json
    assert [(r["tier"], r["items"], r["mail_met"]) for r in rows] == [("township", 9, True), ("village", 10, True)]
    text = client.get(f"/api/v1/catalogue/channel-stats?unit_id={zcz}&format=csv", headers=sup)
    assert text.mimetype == "text/csv" and text.data.startswith(b"\xef\xbb\xbf")
    assert_problem(client.get(f"/api/v1/catalogue/channel-stats?unit_id={zcz}", headers=auth(client, "zcz_qs_agent")),
                   403, "outside_supervised_scope")
