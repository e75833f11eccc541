"""Materials, vault and mandates over HTTP (both databases): multipart uploads with their 413 /
415 / 422 answers and nothing stored, downloads authorised through the case or the vault, and an
applicant refused another applicant's documents and files."""
import dataclasses
import hashlib
import io

import pytest
from sqlalchemy import update

from engine.services.accounts import auth as auth_service
from engine.store.models import ItemImplementation
from tests.conftest import app_for, row_counts, window_id
from tests.e2e.test_api import assert_problem, auth
from tests.form_samples import application

FOOD = "620100-XK-SCJG-0001"
PDF = b"%PDF-1.7\n% scan\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MATERIALS = [{"code": "M01", "name": "身份证", "licence_types": ["id_card"]},
             {"code": "M03", "name": "申请书"}, {"code": "M04", "name": "平面图", "tolerable": True}]


@pytest.fixture
def client(demo):
    with demo.uow.begin() as tx:
        tx.conn.execute(update(ItemImplementation).where(ItemImplementation.local_code == FOOD)
                     .values(materials=MATERIALS, tolerant_acceptance=True))
    demo.settings = dataclasses.replace(demo.settings, material_max_bytes=4096)
    return app_for(demo).test_client()


def start(client, demo, headers, channel="proxy", applicant=None):
    r = client.post("/api/v1/cases", headers=headers, json={
        "item_code": FOOD, "window_id": window_id(demo, "ZCZ-QS-W01"), "channel": channel,
        "applicant": applicant or {"name": "李梅", "id_number": "620102198502021232"},
        "form": application(demo, FOOD)})
    assert r.status_code == 201, r.json
    return r.json["id"]


def upload(client, headers, case_id, code, content, name="scan.pdf", mimetype="application/pdf", **form):
    return client.post(f"/api/v1/cases/{case_id}/materials/{code}/upload", headers=headers,
                       data={"file": (io.BytesIO(content), name, mimetype), **form}, content_type="multipart/form-data")


def test_upload_list_verify_and_download(client, demo):
    clerk = auth(client, "zcz_qs_agent")
    case_id = start(client, demo, clerk)
    digest = hashlib.sha256(PDF).hexdigest()
    assert upload(client, clerk, case_id, "M03", PDF, sha256=digest).status_code == 204
    listed = client.get(f"/api/v1/cases/{case_id}/materials", headers=clerk).json
    rows = {m["code"]: m for m in listed["materials"]}
    assert rows["M03"]["status"] == "unverified" and rows["M03"]["sha256"] == digest
    assert listed["missing"] == ["M01", "M04"] and listed["mandate_required"] and listed["mandate"] is None
    assert client.post(f"/api/v1/cases/{case_id}/materials/M03/verify", headers=clerk).status_code == 204
    got = client.get(f"/api/v1/cases/{case_id}/files/{digest}", headers=clerk)
    assert got.status_code == 200 and got.data == PDF and got.mimetype == "application/pdf"
    assert got.headers["X-Content-Type-Options"] == "nosniff"
    assert_problem(client.post(f"/api/v1/cases/{case_id}/materials/M01/declaration", headers=clerk,
                               json={"text": "本人承诺身份信息真实"}), 422, "material_not_declarable")
    assert upload(client, clerk, case_id, "M01", PNG, "id.png", "image/png").status_code == 204
    assert client.post(f"/api/v1/cases/{case_id}/materials/M01/verify", headers=clerk).status_code == 204
    r = client.post(f"/api/v1/cases/{case_id}/materials/M04/tolerate", headers=clerk,
                    json={"deadline": "2027-06-01", "commitment": "承诺按期补齐"})
    assert_problem(r, 422, "tolerance_deadline_beyond_limit")
    assert client.post(f"/api/v1/cases/{case_id}/materials/M04/tolerate", headers=clerk,
                       json={"deadline": "2026-12-01", "commitment": "承诺按期补齐"}).status_code == 204
    r = client.post(f"/api/v1/cases/{case_id}/mandate", headers=clerk, content_type="multipart/form-data",
                    data={"scope": "full_proxy", "signed_on": "2026-11-27",
                          "file": (io.BytesIO(PNG), "委托书.png", "image/png")})
    assert r.status_code == 204, r.json
    listed = client.get(f"/api/v1/cases/{case_id}/materials", headers=clerk).json
    assert listed["complete"] and listed["ready"] and listed["mandate"]["scope"] == "full_proxy"


def test_refused_uploads_answer_413_415_422_and_store_nothing(client, demo):
    clerk = auth(client, "zcz_qs_agent")
    case_id = start(client, demo, clerk)
    before = row_counts(demo)
    assert_problem(upload(client, clerk, case_id, "M03", b"%PDF-" + b"x" * 5000), 413, "material_too_large")
    assert_problem(upload(client, clerk, case_id, "M03", b"%PDF-" + b" " * (11 * 1024 * 1024)), 413,
                   "payload_too_large")
    assert_problem(upload(client, clerk, case_id, "M03", b"GIF89a...", "a.gif", "image/gif"), 415,
                   "material_type_forbidden")
    assert_problem(upload(client, clerk, case_id, "M03", b"MZ\x90\x00", "a.pdf"), 415, "material_type_forbidden")
    assert_problem(upload(client, clerk, case_id, "M03", PNG, "a.pdf", "application/pdf"), 422,
                   "material_type_mismatch")
    assert_problem(upload(client, clerk, case_id, "M03", PDF, sha256="0" * 64), 422, "material_hash_mismatch")
    assert_problem(upload(client, clerk, case_id, "M99", PDF), 422, "material_unknown")
    r = client.post(f"/api/v1/cases/{case_id}/materials/M03/upload", headers=clerk, data={},
                    content_type="multipart/form-data")
    assert r.status_code == 422
    assert row_counts(demo) == before


def test_an_applicant_cannot_reach_another_applicants_documents_or_files(client, demo):
    auth_service.create_account(demo, "applicant_li", "李四", "applicant", password="li-password-1")
    zhang = auth(client, "applicant_zhang")
    li = {"Authorization": "Bearer " + client.post("/api/v1/auth/login", json={
        "username": "applicant_li", "password": "li-password-1"}).json["token"]}
    r = client.post("/api/v1/vault/documents", headers=li, content_type="multipart/form-data",
                    data={"kind": "lease", "title": "租赁合同", "number": "620102198001015678",
                          "file": (io.BytesIO(PDF), "lease.pdf", "application/pdf")})
    assert r.status_code == 201, r.json
    lis = r.json
    assert lis["trust_level"] == "C" and lis["number_masked"] == "620102********5678"
    zhangs = client.get("/api/v1/vault/documents", headers=zhang).json
    assert {d["kind"] for d in zhangs} == {"id_card", "business_licence"}
    assert all("*" in d["number_masked"] for d in zhangs)
    assert client.get(f"/api/v1/vault/documents/{lis['id']}/file", headers=li).data == PDF
    assert_problem(client.get(f"/api/v1/vault/documents/{lis['id']}", headers=zhang), 404, "document_not_found")
    assert_problem(client.get(f"/api/v1/vault/documents/{lis['id']}/file", headers=zhang), 404, "document_not_found")
    assert_problem(client.get(f"/api/v1/vault/documents/{zhangs[0]['id']}", headers=li), 404, "document_not_found")
    assert_problem(client.get("/api/v1/vault/documents", headers=auth(client, "zcz_qs_agent")), 403,
                   "vault_applicants_only")
    zhangs_case = start(client, demo, zhang, channel="online", applicant={"name": "张三"})
    lis_case = start(client, demo, li, channel="online", applicant={"name": "李四"})
    r = client.get(f"/api/v1/cases/{zhangs_case}/materials", headers=zhang).json
    assert {m["code"]: m["mode"] for m in r["materials"]}["M01"] == "e_licence"       # 免证办
    assert_problem(client.post(f"/api/v1/cases/{lis_case}/materials/M01/vault", headers=li,
                               json={"document_id": zhangs[0]["id"]}), 404, "document_not_found")
    assert_problem(client.get(f"/api/v1/cases/{zhangs_case}/vault", headers=li), 403, "case_not_yours")
    digest = hashlib.sha256(PDF).hexdigest()
    assert_problem(client.get(f"/api/v1/cases/{zhangs_case}/files/{digest}", headers=li), 403, "case_not_yours")
    assert_problem(client.get(f"/api/v1/cases/{lis_case}/files/{hashlib.sha256(PNG).hexdigest()}", headers=li),
                   404, "file_not_found")
    assert_problem(client.post(f"/api/v1/cases/{lis_case}/materials/M03/verify", headers=li), 403,
                   "verification_staff_only")
