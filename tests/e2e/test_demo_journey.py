"""The demo journey over real HTTP (Flask test client), on both databases: a village 帮办代办
window takes the food licence for an applicant — her ID card and business licence reused from her
vault (免证办), the mandate (委托书) recorded, the other materials scanned and verified → township
pre-review forwards it → the district
accepts (受理通知书) → decides to grant (准予行政许可决定书) → 制证 ends the procedure → the result
goes out by mail with a tracking number (送达回执). The lifecycle, the documents and the audit
trail are checked at each step; an unlawful move is refused and changes nothing."""
import hashlib
import io

import pytest

from demo.materials import ZHANG_ID_NUMBER
from demo.org import DEMO_PASSWORD
from tests.conftest import app_for, row_counts, window_id
from tests.form_samples import sample

FOOD = "620100-XK-SCJG-0001"
ID_NUMBER = ZHANG_ID_NUMBER            # 张三: her ID card and business licence are e-licences on file
MASKED = "620102********1233"


@pytest.fixture
def client(demo):
    return app_for(demo).test_client()


def login(client, username):
    r = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.json
    return {"Authorization": f"Bearer {r.json['token']}"}


def the_task(client, who):
    inbox = client.get("/api/v1/tasks", headers=who).json
    assert len(inbox) == 1, inbox
    return inbox[0]


def complete(client, who, data):
    task = the_task(client, who)
    data = sample(task["form_key"], **data) if task.get("form_key") else data    # valid for the task's form
    r = client.post(f"/api/v1/tasks/{task['id']}/complete", headers=who, json={"data": data})
    assert r.status_code == 200, r.get_data(as_text=True)
    return task


def case_of(client, who, case_id):
    r = client.get(f"/api/v1/cases/{case_id}", headers=who)
    assert r.status_code == 200, r.json
    return r.json


def kinds(client, who, case_id):
    r = client.get(f"/api/v1/cases/{case_id}/documents", headers=who)
    assert r.status_code == 200, r.json
    return [d["kind"] for d in r.json]


def document(client, who, case_id, kind):
    [info] = [d for d in client.get(f"/api/v1/cases/{case_id}/documents", headers=who).json if d["kind"] == kind]
    r = client.get(f"/api/v1/cases/{case_id}/documents/{info['id']}", headers=who)
    assert r.status_code == 200 and r.mimetype == "text/html"
    assert hashlib.sha256(r.data).hexdigest() == info["sha256"] == r.headers["X-Content-SHA256"]
    # shown in the browser, sandboxed (two policies: the document's own and the one on every answer)
    assert r.headers["Content-Disposition"].startswith("inline;")
    assert [p.split(";")[0] for p in r.headers.getlist("Content-Security-Policy")] == ["sandbox", "default-src 'self'"]
    saved = client.get(f"/api/v1/cases/{case_id}/documents/{info['id']}?download=1", headers=who)
    assert saved.headers["Content-Disposition"].startswith("attachment;") and saved.data == r.data
    return r.get_data(as_text=True)


def assert_problem(response, status, code, field=None):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json" and response.json["code"] == code
    if field:
        assert response.json["field"] == field
    return response.json


def test_village_proxy_to_mail_delivery(client, demo):
    agent, reviewer = login(client, "zcz_qs_agent"), login(client, "zcz_reviewer")
    receiver, approver = login(client, "lzxq_receiver"), login(client, "lzxq_market_approver")
    issuer = login(client, "lzxq_issuer")

    started = client.post("/api/v1/cases", headers=agent, json={
        "item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "proxy",
        "applicant": {"name": "张三", "id_number": ID_NUMBER, "phone": "13800001234"},
        "form": sample("apply_food_licence")})
    assert started.status_code == 201, started.json
    case_id, number = started.json["id"], started.json["number"]
    assert case_of(client, agent, case_id)["lifecycle"] == "received"

    # the materials: the ID card and business licence come from her vault (免证办, e-licences, trust A);
    # the agent records the mandate (委托书) and scans what is left; the case is complete once
    # every required material is there and the mandate is on file
    mats = client.get(f"/api/v1/cases/{case_id}/materials", headers=agent).json
    reused = {m["code"] for m in mats["materials"] if m["auto_filled"]}
    assert reused and all(m["trust_level"] == "A" for m in mats["materials"] if m["auto_filled"])
    assert {lt for m in mats["materials"] if m["auto_filled"] for lt in m["licence_types"]} >= {"id_card",
                                                                                              "business_licence"}
    assert (mats["complete"], mats["mandate_required"], mats["mandate"]) == (False, True, None)
    r = client.post(f"/api/v1/cases/{case_id}/mandate", headers=agent, content_type="multipart/form-data", data={
        "scope": "full_proxy", "signed_on": "2026-11-27",
        "file": (io.BytesIO(b"%PDF-1.7\n% mandate\n%%EOF\n"), "mandate.pdf", "application/pdf")})
    assert r.status_code == 204, r.json
    for m in mats["materials"]:
        if m["required"] and m["status"] == "missing":
            r = client.post(f"/api/v1/cases/{case_id}/materials/{m['code']}/upload", headers=agent,
                            content_type="multipart/form-data", data={"file": (io.BytesIO(
                                b"%PDF-1.7\n% " + m["code"].encode() + b"\n%%EOF\n"), "scan.pdf", "application/pdf")})
            assert r.status_code == 204, r.get_data(as_text=True)
            assert client.post(f"/api/v1/cases/{case_id}/materials/{m['code']}/verify",
                               headers=agent).status_code == 204      # the original was seen: trust C → B
    mats = client.get(f"/api/v1/cases/{case_id}/materials", headers=agent).json
    assert (mats["complete"], mats["ready"], mats["missing"]) == (True, True, [])
    assert mats["mandate"]["scope"] == "full_proxy" and ID_NUMBER not in str(mats)

    # 帮办代办 intake at the village; the case is still only received
    complete(client, agent, {"mandate_no": "WT202611270001"})
    assert case_of(client, agent, case_id)["lifecycle"] == "received"
    assert kinds(client, agent, case_id) == []

    # the township's pre-review forwards it up (转报)
    complete(client, reviewer, {"complete": True, "opinion": "材料齐全，转报新区"})
    assert case_of(client, agent, case_id)["lifecycle"] == "forwarded"

    # 受理 at the district: the clock starts and the 受理通知书 is issued
    complete(client, receiver, {"opinion": "予以受理", "accept": True})
    view = case_of(client, receiver, case_id)
    assert (view["lifecycle"], view["clock_status"]) == ("accepted", "running")
    assert kinds(client, receiver, case_id) == ["acceptance_notice"]
    notice = document(client, receiver, case_id, "acceptance_notice")
    assert "受理通知书" in notice and number in notice and MASKED in notice and ID_NUMBER not in notice
    assert "兰州新区市场监督管理局" in notice and "2026年11月27日" in notice

    # delivering before the decision is unlawful: 409, and nothing is written
    before = row_counts(demo)
    problem = assert_problem(client.post(f"/api/v1/cases/{case_id}/deliver", headers=issuer, json={
        "method": "mail", "tracking_number": "SF1234567890", "address": "兰州新区中川镇清水村1号"}),
        409, "lifecycle_transition_invalid")
    assert (problem["from"], problem["to"]) == ("accepted", "delivered")
    assert row_counts(demo) == before and case_of(client, receiver, case_id) == view

    # the decision: granted, with its 决定书
    complete(client, approver, {"decision": "granted", "opinion": "符合法定条件，准予许可"})
    view = case_of(client, approver, case_id)
    assert (view["lifecycle"], view["decision"]) == ("decided", "granted") and view["decided_at"]
    assert kinds(client, approver, case_id) == ["acceptance_notice", "grant_decision"]
    decision = document(client, approver, case_id, "grant_decision")
    assert "准予行政许可决定书" in decision and number in decision and MASKED in decision

    # 制证 ends the procedure (办结)
    complete(client, issuer, {"delivery_method": "mail", "licence_no": "JY16201000000001"})
    view = case_of(client, issuer, case_id)
    assert (view["status"], view["lifecycle"]) == ("completed", "completed")

    # mail delivery: the tracking number is required, then the 送达回执 is issued
    assert_problem(client.post(f"/api/v1/cases/{case_id}/deliver", headers=issuer, json={
        "method": "mail", "address": "兰州新区中川镇清水村1号"}), 422, "delivery_tracking_required", "tracking_number")
    r = client.post(f"/api/v1/cases/{case_id}/deliver", headers=issuer, json={
        "method": "mail", "tracking_number": "SF1234567890", "carrier": "顺丰速运",
        "address": "兰州新区中川镇清水村1号", "recipient": "张三", "phone": "13800001234"})
    assert r.status_code == 201, r.json
    assert r.json["kind"] == "delivery_receipt" and r.json["number"].startswith(number)
    view = case_of(client, issuer, case_id)
    assert (view["lifecycle"], view["delivery_method"]) == ("delivered", "mail") and view["delivered_at"]
    receipt = document(client, issuer, case_id, "delivery_receipt")
    assert "SF1234567890" in receipt and number in receipt and MASKED in receipt
    assert "138****1234" in receipt and "13800001234" not in receipt
    assert kinds(client, agent, case_id) == ["acceptance_notice", "grant_decision", "delivery_receipt"]

    # delivered is terminal
    assert_problem(client.post(f"/api/v1/cases/{case_id}/deliver", headers=issuer, json={
        "method": "pickup"}), 409, "lifecycle_transition_invalid")

    # the trail: every lifecycle step with from/to, every document with its hash, chain intact
    trail = client.get(f"/api/v1/cases/{case_id}/events", headers=agent).json
    assert trail["intact"]
    moves = [(e["payload"]["from"], e["payload"]["to"]) for e in trail["events"] if e["type"] == "lifecycle_changed"]
    assert moves == [("received", "forwarded"), ("forwarded", "accepted"), ("accepted", "in_progress"),
                     ("in_progress", "decided"), ("decided", "completed"), ("completed", "delivered")]
    issued = [e["payload"] for e in trail["events"] if e["type"] == "document_issued"]
    listed = client.get(f"/api/v1/cases/{case_id}/documents", headers=agent).json
    assert [(p["kind"], p["sha256"]) for p in issued] == [(d["kind"], d["sha256"]) for d in listed]
    assert ID_NUMBER not in str(trail) and "13800001234" not in str(trail)


def test_documents_follow_the_case_access_rules(client, demo):
    agent = login(client, "zcz_qs_agent")
    case_id = client.post("/api/v1/cases", headers=agent, json={
        "item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": "proxy",
        "applicant": {"name": "李四", "id_number": ID_NUMBER}, "form": sample("apply_food_licence")}).json["id"]
    r = client.post(f"/api/v1/cases/{case_id}/return", headers=agent, json={"reason": "申请人未到场签字"})
    assert r.status_code == 201 and r.json["kind"] == "return_notice"
    assert case_of(client, agent, case_id)["lifecycle"] == "returned"
    assert "申请人未到场签字" in document(client, agent, case_id, "return_notice")
    for outsider, code in (("qcz_mjp_agent", "case_out_of_scope"), ("applicant_zhang", "case_not_yours")):
        who = login(client, outsider)
        assert_problem(client.get(f"/api/v1/cases/{case_id}/documents", headers=who), 403, code)
        assert_problem(client.get(f"/api/v1/cases/{case_id}/documents/1", headers=who), 403, code)
    assert_problem(client.get(f"/api/v1/cases/{case_id}/documents/999999", headers=agent), 404, "document_not_found")
