"""Case materials and the applicant's vault through the services, on SQLite and PostgreSQL:
upload checks (nothing stored on refusal), storage once per hash, vault reuse and 免证办, 容缺
bounds, C → B verification, mandates, who may reach which document, masked ID numbers."""
import dataclasses
import hashlib
import json
import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from demo.materials import ZHANG_ID_NUMBER
from engine.config import Settings
from engine.domain.errors import Conflict, Forbidden, NotFound, TooLarge, UnsupportedType, ValidationError
from engine.services import cases, materials
from engine.services import time_limits as clock_service
from engine.services.accounts import auth
from engine.services.context import Context
from engine.services.materials import blobs, mandates, vault
from engine.store import tables as t
from engine.store.models import Blob, Event, ItemImplementation
from tests.conftest import row_counts, snapshot, staff, window_id
from tests.form_samples import application

FOOD = "620100-XK-SCJG-0001"
ALLOWANCE = "620100-GG-MZ-0002"
WALK_IN = {"name": "李梅", "id_number": "620102198502021232"}
PDF = b"%PDF-1.7\n% a scanned ID card\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MATERIALS = [
    {"code": "M01", "name": "身份证", "required": True, "form": "both", "source": "applicant",
     "licence_types": ["id_card"], "tolerable": False, "copies": 1, "basis": ""},
    {"code": "M02", "name": "营业执照", "required": True, "licence_types": ["business_licence"]},
    {"code": "M03", "name": "申请书", "required": True},
    {"code": "M04", "name": "平面图", "required": True, "tolerable": True},
    {"code": "M05", "name": "照片", "required": False},
]


def set_materials(ctx, code, items=MATERIALS, tolerant=True, promise_limit=None):
    values = {"materials": items, "tolerant_acceptance": tolerant}
    if promise_limit is not None:
        values["promise_limit"] = promise_limit
    with ctx.uow.begin() as tx:
        tx.conn.execute(update(ItemImplementation).where(ItemImplementation.local_code == code).values(**values))


@pytest.fixture
def world(demo):
    set_materials(demo, FOOD)
    set_materials(demo, ALLOWANCE, tolerant=False)
    return demo


def walk_in(ctx, applicant=WALK_IN, item=FOOD, channel="proxy"):
    return cases.start_case(ctx, cases.StartCase(item, window_id(ctx, "ZCZ-QS-W01"), applicant,
                                                 application(ctx, item), channel),
                            staff(ctx, "zcz_qs_agent")).case_id


def online(ctx, username="applicant_zhang", item=FOOD, id_number=None):
    applicant = {"name": "张三", **({"id_number": id_number} if id_number else {})}
    return cases.start_case(ctx, cases.StartCase(item, window_id(ctx, "ZCZ-QS-W01"), applicant,
                                                 application(ctx, item), "online"),
                            staff(ctx, username)).case_id


def view(ctx, case_id, who="zcz_qs_agent"):
    out = materials.case_materials(ctx, case_id, staff(ctx, who))
    return out, {m.code: m for m in out["materials"]}


def clerk(ctx):
    return staff(ctx, "zcz_qs_agent")


def test_refused_uploads_store_nothing(world):
    ctx = world
    case_id = walk_in(ctx)
    before = snapshot(ctx)
    ctx.settings = dataclasses.replace(ctx.settings, material_max_bytes=len(PDF) - 1)
    with pytest.raises(TooLarge):
        materials.upload(ctx, case_id, "M03", blobs.Upload(PDF, "a.pdf", "application/pdf"), clerk(ctx))
    ctx.settings = dataclasses.replace(ctx.settings, material_max_bytes=10 * 1024 * 1024)
    refusals = [
        (blobs.Upload(b"GIF89a....", "a.gif", "image/gif"), UnsupportedType, "material_type_forbidden"),
        (blobs.Upload(b"<script>alert(1)</script>", "a.pdf", "application/pdf"), UnsupportedType,
         "material_type_forbidden"),
        (blobs.Upload(PNG, "a.pdf", "application/pdf"), ValidationError, "material_type_mismatch"),
        (blobs.Upload(PDF, "a.pdf", "application/pdf", "ab" * 32), ValidationError, "material_hash_mismatch"),
    ]
    for upload, error, code in refusals:
        with pytest.raises(error) as e:
            materials.upload(ctx, case_id, "M03", upload, clerk(ctx))
        assert e.value.code == code
    with pytest.raises(ValidationError) as e:                 # a material the item does not list
        materials.upload(ctx, case_id, "M99", blobs.Upload(PDF), clerk(ctx))
    assert e.value.code == "material_unknown"
    assert snapshot(ctx) == before


def test_the_same_file_is_stored_once(world):
    ctx = world
    first, second = walk_in(ctx), walk_in(ctx)
    digest = hashlib.sha256(PDF).hexdigest()
    materials.upload(ctx, first, "M03", blobs.Upload(PDF, "申请书.pdf", "application/pdf", digest), clerk(ctx))
    materials.upload(ctx, first, "M05", blobs.Upload(PDF), clerk(ctx))
    materials.upload(ctx, second, "M03", blobs.Upload(PDF, "copy.pdf"), clerk(ctx))
    assert row_counts(ctx)["blob"] == 1
    _, rows = view(ctx, first)
    assert (rows["M03"].status, rows["M03"].mode, rows["M03"].trust_level, rows["M03"].sha256) == \
           ("unverified", "upload", "C", digest)
    assert rows["M03"].filename == "申请书.pdf"
    assert materials.case_file(ctx, second, digest, clerk(ctx)).content == PDF


def test_mianzhengban_fills_slots_from_the_demo_vault(world):
    """applicant_zhang holds A-level e-licences of her ID card and business licence (demo seed):
    her online case and a window case with her ID number both start with M01/M02 filled."""
    ctx = world
    for case_id in (online(ctx), walk_in(ctx, {"name": "张三", "id_number": ZHANG_ID_NUMBER})):
        out, rows = view(ctx, case_id, who="admin")
        assert {c: (rows[c].mode, rows[c].trust_level, rows[c].auto_filled) for c in ("M01", "M02")} == \
               {"M01": ("e_licence", "A", True), "M02": ("e_licence", "A", True)}
        assert out["missing"] == ["M03", "M04"]
        events = [e for e in cases.audit_trail(ctx, case_id, staff(ctx, "admin"))[0]
                  if e["type"] == "material_auto_filled"]
        assert [e["payload"]["code"] for e in events] == ["M01", "M02"]
        assert events[0]["payload"]["number"] == "620102********1233"
    # someone else at the window: nothing of hers
    _, rows = view(ctx, walk_in(ctx))
    assert rows["M01"].status == rows["M02"].status == "missing"


def test_an_id_number_typed_online_opens_no_vault(world):
    """An applicant account's own claim of an ID number is no proof: her case draws on her account
    only. Another applicant typing zhang's number gets nothing of zhang's."""
    ctx = world
    auth.create_account(ctx, "applicant_li", "李四", "applicant")
    _, rows = view(ctx, online(ctx, "applicant_li", id_number=ZHANG_ID_NUMBER), who="admin")
    assert rows["M01"].status == "missing"


def test_vault_reuse_across_two_cases_and_verification(world):
    ctx = world
    zhang = staff(ctx, "applicant_zhang")
    scan = vault.upload_mine(ctx, vault.NewDocument("household_register", "户口簿", "HK-0001", "兰州新区公安分局"),
                             blobs.Upload(PNG, "hk.png", "image/png"), zhang)
    assert (scan.trust_level, scan.source, scan.has_file, scan.number_masked) == ("C", "upload", True, "*******")
    allowance = [{"code": "M01", "name": "户口簿", "licence_types": ["household_register"]}]
    set_materials(ctx, ALLOWANCE, allowance, tolerant=False)
    first = online(ctx, item=ALLOWANCE)
    assert view(ctx, first, "admin")[1]["M01"].status == "missing"       # C is not reused automatically
    materials.attach_document(ctx, first, "M01", scan.id, zhang)
    out, rows = view(ctx, first, "admin")
    assert (rows["M01"].mode, rows["M01"].trust_level, rows["M01"].status) == ("vault", "C", "unverified")
    assert out["complete"] and not out["ready"] and out["unverified"] == ["M01"]
    with pytest.raises(Forbidden):
        materials.verify(ctx, first, "M01", zhang)
    materials.verify(ctx, first, "M01", staff(ctx, "admin"))
    assert vault.my_document(ctx, scan.id, zhang).trust_level == "B"
    out, rows = view(ctx, first, "admin")
    assert out["ready"] and rows["M01"].verified_by == "admin"
    with pytest.raises(Conflict):
        materials.verify(ctx, first, "M01", staff(ctx, "admin"))
    second = online(ctx, item=ALLOWANCE)                                  # now B: 免证办 in her next case
    rows = view(ctx, second, "admin")[1]
    assert (rows["M01"].mode, rows["M01"].trust_level, rows["M01"].document_id) == ("vault", "B", scan.id)


def test_a_verified_window_scan_is_filed_for_the_walk_in_applicant(world):
    ctx = world
    first = walk_in(ctx)
    materials.upload(ctx, first, "M01", blobs.Upload(PDF, "id.pdf", "application/pdf"), clerk(ctx))
    materials.verify(ctx, first, "M01", clerk(ctx))
    documents = vault.documents_for_case(ctx, first, clerk(ctx))
    assert [(d.kind, d.trust_level, d.source) for d in documents] == [("id_card", "B", "window")]
    rows = view(ctx, walk_in(ctx))[1]                          # the same person's next case
    assert (rows["M01"].mode, rows["M01"].trust_level, rows["M01"].auto_filled) == ("vault", "B", True)
    rows = view(ctx, walk_in(ctx, {"name": "王五", "id_number": "620102197001011111"}))[1]
    assert rows["M01"].status == "missing"


def test_tolerance_rules(world, clock):
    ctx = world
    set_materials(ctx, FOOD, promise_limit=5)
    case_id, not_listed = walk_in(ctx), walk_in(ctx, item=ALLOWANCE)
    before = snapshot(ctx)
    for case, code, deadline, error in [
            (case_id, "M04", date(2026, 12, 7), "tolerance_deadline_beyond_limit"),
            (case_id, "M01", date(2026, 12, 1), "material_not_tolerable"),
            (case_id, "M04", date(2026, 11, 26), "tolerance_deadline_past"),
            (not_listed, "M04", date(2026, 12, 1), "item_not_tolerant")]:
        with pytest.raises(ValidationError) as e:
            materials.tolerate(ctx, case, code, deadline, "本人承诺按期补齐", clerk(ctx))
        assert e.value.code == error
    assert snapshot(ctx) == before
    # Friday 27 Nov + 5 working days = Friday 4 Dec: the last day allowed
    materials.tolerate(ctx, case_id, "M04", date(2026, 12, 4), "本人承诺按期补齐", clerk(ctx))
    out, rows = view(ctx, case_id)
    assert (rows["M04"].status, rows["M04"].deadline) == ("tolerated", date(2026, 12, 4))
    assert out["tolerated"] == ["M04"] and "M04" not in out["missing"]
    # once accepted, the bound is the case's promised deadline, not a limit counted from today
    accepted = walk_in(ctx)
    clock_service.accept(ctx, accepted, staff(ctx, "admin"))
    clock.advance(timedelta(days=3))                                  # Monday 30 Nov
    with pytest.raises(ValidationError) as e:
        materials.tolerate(ctx, accepted, "M04", date(2026, 12, 7), "承诺", clerk(ctx))
    assert e.value.code == "tolerance_deadline_beyond_limit"
    materials.tolerate(ctx, accepted, "M04", date(2026, 12, 4), "承诺", clerk(ctx))


def test_completeness_and_the_mandate_of_a_proxy_case(world):
    ctx = world
    case_id = walk_in(ctx)
    for code in ("M01", "M02", "M03"):
        materials.upload(ctx, case_id, code, blobs.Upload(PDF), clerk(ctx))
        materials.verify(ctx, case_id, code, clerk(ctx))
    materials.declare(ctx, case_id, "M04", "本人承诺经营场所符合要求", clerk(ctx))
    with ctx.uow.read() as tx:
        result = materials.check_completeness(ctx, tx, case_id)
    assert (result.complete, result.missing, result.mandate_missing) == (False, (), True)
    agent = clerk(ctx)
    refusals = [
        (staff(ctx, "applicant_zhang"), mandates.Mandate("full_proxy", date(2026, 11, 27)), blobs.Upload(PDF),
         Forbidden),
        (agent, mandates.Mandate("everything", date(2026, 11, 27)), blobs.Upload(PDF), ValidationError),
        (agent, mandates.Mandate("full_proxy", date(2026, 11, 28)), blobs.Upload(PDF), ValidationError),
        (agent, mandates.Mandate("full_proxy", date(2026, 11, 27)), None, ValidationError),
        (agent, mandates.Mandate("full_proxy", date(2026, 11, 27), document_id=999), None, NotFound),
        (agent, mandates.Mandate("full_proxy", date(2026, 11, 27), document_id=999), blobs.Upload(PNG),
         ValidationError),
    ]
    before = snapshot(ctx)
    for who, mandate, file, error in refusals:
        with pytest.raises(error):
            mandates.record(ctx, case_id, mandate, file, who)
    with pytest.raises(Conflict):
        mandates.record(ctx, walk_in(ctx, channel="window"), mandates.Mandate("full_proxy", date(2026, 11, 27)),
                        blobs.Upload(PDF), agent)
    assert [c for c in snapshot(ctx)["cases"] if c[0] == case_id] == [c for c in before["cases"] if c[0] == case_id]
    mandates.record(ctx, case_id, mandates.Mandate("full_proxy", date(2026, 11, 26)),
                    blobs.Upload(PNG, "委托书.png", "image/png"), agent)
    out, _ = view(ctx, case_id)
    assert out["complete"] and out["ready"] and out["mandate"]["agent"] == "zcz_qs_agent"
    assert out["mandate"]["principal"] == "李梅" and out["mandate"]["scope"] == "full_proxy"
    assert materials.case_file(ctx, case_id, hashlib.sha256(PNG).hexdigest(), agent).media_type == "image/png"


def test_nobody_reaches_another_applicants_documents(world):
    ctx = world
    auth.create_account(ctx, "applicant_li", "李四", "applicant")
    zhang, li = staff(ctx, "applicant_zhang"), staff(ctx, "applicant_li")
    mine = vault.upload_mine(ctx, vault.NewDocument("lease", "租赁合同"), blobs.Upload(PDF), li)
    zhangs = vault.my_documents(ctx, zhang)
    assert len(zhangs) == 2 and all(d.id != mine.id for d in zhangs)
    assert [d.id for d in vault.my_documents(ctx, li)] == [mine.id]
    for call in (lambda: vault.my_document(ctx, zhangs[0].id, li), lambda: vault.my_file(ctx, mine.id, zhang)):
        with pytest.raises(NotFound):
            call()
    lis_case, zhangs_case = online(ctx, "applicant_li"), online(ctx)
    with pytest.raises(NotFound):                                  # li attaches zhang's e-licence: not hers
        materials.attach_document(ctx, lis_case, "M01", zhangs[0].id, li)
    with pytest.raises(Forbidden):                                 # nor zhang's case, nor its files
        materials.case_materials(ctx, zhangs_case, li)
    with pytest.raises(Forbidden):
        vault.documents_for_case(ctx, zhangs_case, li)
    with pytest.raises(NotFound):                                  # a hash li's case does not refer to
        materials.case_file(ctx, lis_case, hashlib.sha256(b"x").hexdigest(), li)
    materials.upload(ctx, zhangs_case, "M03", blobs.Upload(PNG), zhang)
    with pytest.raises(NotFound):                                  # knowing the hash of zhang's file is not enough
        materials.case_file(ctx, lis_case, hashlib.sha256(PNG).hexdigest(), li)
    with pytest.raises(Forbidden):                                 # staff have no vault of their own
        vault.my_documents(ctx, clerk(ctx))
    with pytest.raises(Forbidden):                                 # a clerk of another township
        vault.documents_for_case(ctx, walk_in(ctx), staff(ctx, "qcz_mjp_agent"))


def test_id_numbers_are_masked_in_lists_and_in_the_audit_log(world):
    ctx = world
    case_id = walk_in(ctx, {"name": "张三", "id_number": ZHANG_ID_NUMBER})
    materials.upload(ctx, case_id, "M03", blobs.Upload(PDF), clerk(ctx))
    materials.verify(ctx, case_id, "M03", clerk(ctx))
    listed = vault.documents_for_case(ctx, case_id, clerk(ctx))
    assert {d.number_masked for d in listed} == {"620102********1233", "926201********234L"}
    with ctx.uow.read() as tx:
        payloads = [json.dumps(p, ensure_ascii=False) for p in tx.conn.execute(select(Event.payload)).scalars()]
        vault_events = tx.conn.execute(select(func.count()).select_from(Event)
                                    .where(Event.stream.like("vault:%"))).scalar()
    assert vault_events >= 2 and payloads
    assert not [p for p in payloads if ZHANG_ID_NUMBER in p or "92620100MA7XK1234L" in p]


def test_materials_of_a_closed_case_are_frozen(world):
    ctx = world
    case_id = walk_in(ctx)
    cases.withdraw(ctx, case_id, "申请人撤回", clerk(ctx))
    with pytest.raises(Conflict) as e:
        materials.declare(ctx, case_id, "M04", "声明", clerk(ctx))
    assert e.value.code == "case_not_running"
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(func.count()).select_from(t.case_material)).scalar() == 0
        assert tx.conn.execute(select(func.count()).select_from(Blob)).scalar() == 0


def test_parallel_uploads_neither_fail_nor_duplicate(world, db_url, clock):
    """An applicant's browser uploads several scans at once, and two clerks upload the same file at
    once: every upload succeeds, the vault's audit chain stays whole, the file is stored once."""
    ctx = world
    zhang = staff(ctx, "applicant_zhang")
    cases_ = [walk_in(ctx), walk_in(ctx)]
    workers = [Context.create(Settings(database_url=db_url), clock=clock) for _ in range(6)]
    barrier, errors = threading.Barrier(6), []

    def run(call):
        try:
            barrier.wait()
            call()
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    calls = [lambda w=w, i=i: vault.upload_mine(w, vault.NewDocument("photo", f"照片{i}"),
                                                blobs.Upload(PNG + bytes([i])), zhang)
             for i, w in enumerate(workers[:4])]
    calls += [lambda w=w, c=c: materials.upload(w, c, "M03", blobs.Upload(PDF), clerk(w))
              for w, c in zip(workers[4:], cases_)]
    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for w in workers:
        w.dispose()
    assert errors == []
    assert len(vault.my_documents(ctx, zhang)) == 2 + 4
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(func.count()).select_from(Blob)).scalar() == 1 + 4
        assert tx.events.broken_at(vault.Owner(account_id=zhang.staff_id).stream) is None
