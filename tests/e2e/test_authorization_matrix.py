"""Authorization over real HTTP for every endpoint of the API: each role, in scope and out of
scope, gets exactly the status it should. One demo database for the module (SQLite); every row
makes the fresh case or task it needs through the services, and its own token."""
import hashlib
import io
import itertools
import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select, update

from api import create_app
from demo.loader import load_demo
from demo.materials import ZHANG_ID_NUMBER
from demo.packages import HYGIENE, RESTAURANT_PACKAGE
from engine.config import Settings
from engine.domain.actor import Actor
from engine.domain.clock import FrozenClock
from engine.bpmn.parser import SourceFile
from engine.services import (
    cases,
    catalogue,
    definitions,
    external_tasks,
    materials,
    org_admin,
    packages,
    ratings,
    tasks,
    time_limits,
)
from engine.services.accounts import auth, throttle
from engine.services.accounts.org import add_post, add_staff, invalidate
from engine.services.calendar import seed_from_package
from engine.services.context import Context
from engine.services.materials import blobs, vault
from engine.store.models import Case, CaseDocument, ExternalTask, ItemImplementation, OrgUnit, Window
from engine.store.schema import upgrade
from tests.conftest import ROOT, staff, window_id
from tests.form_samples import application, sample, task_data
from tests.integration.helpers import FIXTURES, FOOD_TO_ISSUED, add_item, complete_steps, deploy_files

FOOD = "620100-XK-SCJG-0001"
FEE = ROOT / "tests" / "fixtures" / "fee_payment_check.bpmn"
PACKAGE = RESTAURANT_PACKAGE.code
ACCOUNTS = {"admin": "admin", "designer": "designer", "clerk_in": "zcz_qs_agent", "clerk_out": "qcz_mjp_agent",
            "sup_in": "zcz_supervisor", "sup_out": "qcz_supervisor", "applicant": "applicant_zhang",
            "head": "lzxq_market_head", "reviewer_in": "zcz_reviewer"}
EVERYONE = tuple(ACCOUNTS)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    ctx = Context.create(Settings(database_url=f"sqlite:///{tmp_path_factory.mktemp('authz') / 'authz.db'}"),
                         clock=FrozenClock(datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)))
    upgrade(ctx.engine)
    seed_from_package(ctx)
    load_demo(ctx, ROOT / "workflows")
    with ctx.uow.begin() as tx:      # a colleague at the same window, to delegate to
        win = tx.conn.execute(select(Window.id).where(Window.code == "ZCZ-QS-W01")).scalar_one()
        add_post(tx, add_staff(tx, "zcz_qs_agent2", "第二代办员"), win, "agent")
    invalidate(ctx)
    app = create_app(context=ctx)
    yield ctx, app.test_client()
    ctx.dispose()


def headers(ctx, who):
    return {"Authorization": "Bearer " + auth.create_service_token(ctx, ACCOUNTS[who], "matrix")}


def new_case(ctx, accepted=False, paused=False, claimed=False, at_review=False):
    clerk = staff(ctx, "zcz_qs_agent")
    started = cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                    sample("apply_food_licence"), "proxy"),
                               clerk)
    task = started.tasks[0]
    if claimed:
        tasks.claim(ctx, task, clerk)
    if at_review:
        task = tasks.complete(ctx, task, task_data(ctx, task), clerk).next_tasks[0]
    if accepted:
        time_limits.accept(ctx, started.case_id, staff(ctx, "admin"))
    if paused:
        time_limits.pause(ctx, started.case_id, "hold", "待核实", "暂停通知", staff(ctx, "admin"))
    return started.case_id, task


def decided_case(ctx):
    """A food licence case walked to its decision (granted) and its licence issued (办结), ready to be
    delivered (no task of it is open)."""
    case_id, task = new_case(ctx)
    complete_steps(ctx, task, FOOD_TO_ISSUED)
    return case_id


def document_url(ctx):
    case_id = new_case(ctx, accepted=True)[0]
    with ctx.uow.read() as tx:
        doc_id = tx.conn.execute(select(CaseDocument.id).where(CaseDocument.case_id == case_id)).scalar_one()
    return f"/api/v1/cases/{case_id}/documents/{doc_id}"


def new_package_case(ctx):
    return packages.start_package(ctx, packages.StartPackage(
        PACKAGE, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
        sample("apply_hygiene_licence", business_scope=["热食类食品制售"]), "proxy"),
        staff(ctx, "zcz_qs_agent"))["case_id"]


def food_definition(ctx):
    with ctx.uow.read() as tx:
        return tx.definitions.latest("food_licence").id


def unit(ctx, code):
    with ctx.uow.read() as tx:
        return tx.conn.execute(select(OrgUnit.id).where(OrgUnit.code == code)).scalar_one()


def bpmn(name="elderly_allowance.bpmn", tag=""):
    text = (ROOT / "workflows" / name).read_text(encoding="utf-8").replace("窗口收件", "窗口收件" + tag)
    return {"files": [(io.BytesIO(text.encode()), name)]}


def start_schedule(ctx) -> str:
    """The URL of a process with a timer start event (deployed once; the same file again is unchanged)."""
    source = (ROOT / "tests" / "fixtures" / "schedule" / "inspection_hourly.bpmn").read_bytes()
    definitions.deploy(ctx, [SourceFile("inspection_hourly.bpmn", source)], Actor.system("test"))
    return "/api/v1/process-definitions/site_inspection/start-schedule"


def migration_plan(ctx) -> dict:
    """A plan between the first and the newest version of the elderly allowance process (a second
    version is deployed when there is none yet), for a case id no case has: skipped."""
    with ctx.uow.read() as tx:
        versions = sorted(r.id for r in tx.definitions.listing() if r.key == "elderly_allowance")
    if len(versions) < 2:
        text = (ROOT / "workflows" / "elderly_allowance.bpmn").read_bytes().replace("窗口收件".encode(),
                                                                                     "窗口收件 v2".encode())
        [process] = definitions.deploy(ctx, [SourceFile("elderly_allowance.bpmn", text)], Actor.system("test"),
                                       name="matrix").processes
        versions.append(process.definition_id)
    return {"source_definition_id": versions[0], "target_definition_id": versions[-1], "case_ids": [2147483647]}


def camunda_plan(ctx) -> dict:
    """migration_plan's versions as Camunda's plan (no instruction: equal ids map themselves)."""
    plan = migration_plan(ctx)
    return {"sourceProcessDefinitionId": str(plan["source_definition_id"]),
            "targetProcessDefinitionId": str(plan["target_definition_id"]), "instructions": []}


def latest_food(ctx) -> str:
    """Camunda's id of the food licence process's latest version (key:version:row id)."""
    with ctx.uow.read() as tx:
        row = tx.definitions.latest("food_licence")
    return f"food_licence:{row.version}:{row.id}"


def camunda_start(ctx) -> dict:
    """A start as Camunda Modeler sends it: businessKey and variables, here untyped (Camunda infers the
    type from the JSON value: the list is Json) beside typed ones (docs/camunda-modeler.md)."""
    variables = {name: {"value": value} for name, value in sample("apply_food_licence").items()}
    variables.update({"itemCode": {"value": FOOD, "type": "String"},
                      "applicantName": {"value": "李四", "type": "String"},
                      "windowId": {"value": window_id(ctx, "ZCZ-QS-W01"), "type": "Integer"}})
    return {"businessKey": "matrix", "variables": variables}


def expect(ok, allowed, denied=403):
    """Status per account: `ok` for the accounts in `allowed`, `denied` for the others."""
    return {who: (ok if who in allowed else denied) for who in EVERYONE}


# --- the organisation (docs/organisation.md): structure for the agency, people for administrators and
# supervisors in their scope, changes for administrators; every write makes its own fresh rows
_FRESH = itertools.count(1)
ORG_READERS = tuple(who for who in EVERYONE if who != "applicant")
ADMIN_ONLY = ("admin",)


def org_ids(ctx, kind, code):
    rows = org_admin.staff(ctx, Actor.system("m")) if kind == "staff" else getattr(org_admin, kind)(
        ctx, Actor.system("m"))
    return next(r["id"] for r in rows if r.get("code", r.get("username")) == code)


def letters(n: int) -> str:
    """A number spelled in letters (a role code has no digits)."""
    return "".join("abcdefghij"[int(d)] for d in str(n))


def fresh(ctx, kind):
    """A new row of `kind` that nothing needs (so it may be changed or deactivated); its id."""
    n, admin = next(_FRESH), Actor.system("m")
    if kind == "unit":
        return org_admin.create_unit(ctx, admin, {"code": f"M-U{n}", "name": "新镇", "tier": "township",
                                                  "parent_id": org_ids(ctx, "units", "LZXQ")})
    if kind == "department":
        return org_admin.create_department(ctx, admin, {"org_unit_id": org_ids(ctx, "units", "ZCZ"),
                                                        "code": f"m-d{n}", "name": "新部门"})
    if kind == "hall":
        return org_admin.create_hall(ctx, admin, {"org_unit_id": org_ids(ctx, "units", "ZCZ"), "code": f"M-H{n}",
                                                  "name": "新大厅", "kind": "convenience_center"})
    if kind == "window":
        return org_admin.create_window(ctx, admin, {"hall_id": org_ids(ctx, "halls", "ZCZ-BMFW"),
                                                    "code": f"M-W{n}", "name": "新窗口", "kind": "comprehensive"})
    if kind == "role":
        return org_admin.create_role(ctx, admin, {"code": "m_role_" + letters(n), "name_zh": "新角色",
                                                  "name_en": "New"})
    if kind == "staff":
        return org_admin.create_staff(ctx, admin, {"username": f"m_staff{n}", "name": "新人"})
    return org_admin.open_post(ctx, admin, fresh(ctx, "staff"), fresh(ctx, "window"), "receiver")


def org_rows():
    rows = [("GET /org", lambda ctx, c, h: c.get("/api/v1/org", headers=h), expect(200, ORG_READERS)),
            ("GET /org/export", lambda ctx, c, h: c.get("/api/v1/org/export?format=csv", headers=h),
             expect(200, ADMIN_ONLY)),
            ("POST /org/imports", lambda ctx, c, h: c.post("/api/v1/org/imports", headers=h, content_type=(
                "application/json"), data=(ROOT / "demo" / "organisation.json").read_bytes()), expect(201, ADMIN_ONLY))]
    bodies = {
        "unit": lambda ctx: {"code": f"M-U{next(_FRESH)}", "name": "新镇", "tier": "township",
                             "parent_id": org_ids(ctx, "units", "LZXQ")},
        "department": lambda ctx: {"org_unit_id": org_ids(ctx, "units", "ZCZ"), "code": f"m-d{next(_FRESH)}",
                                   "name": "部门"},
        "hall": lambda ctx: {"org_unit_id": org_ids(ctx, "units", "ZCZ"), "code": f"M-H{next(_FRESH)}", "name": "厅",
                             "kind": "convenience_center"},
        "window": lambda ctx: {"hall_id": org_ids(ctx, "halls", "ZCZ-BMFW"), "code": f"M-W{next(_FRESH)}",
                               "name": "窗", "kind": "proxy"},
        "role": lambda ctx: {"code": "m_new_" + letters(next(_FRESH)),
                             "name_zh": "角色", "name_en": "Role"},
        "staff": lambda ctx: {"username": f"m_new{next(_FRESH)}", "name": "新人", "password": "lianban-demo"},
    }
    plural = {"unit": "units", "department": "departments", "hall": "halls", "window": "windows", "role": "roles",
              "staff": "staff"}
    for kind, path in plural.items():
        readers = ORG_READERS if kind != "staff" else ("admin", "sup_in", "sup_out")
        one = "{%s_id}" % kind
        rows += [
            (f"GET /org/{path}", lambda ctx, c, h, p=path: c.get(f"/api/v1/org/{p}", headers=h), expect(200, readers)),
            (f"POST /org/{path}", lambda ctx, c, h, p=path, k=kind: c.post(f"/api/v1/org/{p}", headers=h,
                                                                           json=bodies[k](ctx)),
             expect(201, ADMIN_ONLY)),
            (f"PATCH /org/{path}/{one}", lambda ctx, c, h, p=path, k=kind: c.patch(
                f"/api/v1/org/{p}/{fresh(ctx, k)}", headers=h, json={"name_zh": "改名"} if k == "role" else
                {"name": "改名"}), expect(200, ADMIN_ONLY)),
            (f"DELETE /org/{path}/{one}", lambda ctx, c, h, p=path, k=kind: c.delete(
                f"/api/v1/org/{p}/{fresh(ctx, k)}", headers=h), expect(204, ADMIN_ONLY)),
        ]
    rows += [
        ("GET /org/units/{unit_id}", lambda ctx, c, h: c.get(f"/api/v1/org/units/{unit(ctx, 'ZCZ')}", headers=h),
         expect(200, ORG_READERS)),
        ("GET /org/departments/{department_id}", lambda ctx, c, h: c.get(
            f"/api/v1/org/departments/{org_ids(ctx, 'departments', 'market')}", headers=h), expect(200, ORG_READERS)),
        ("GET /org/halls/{hall_id}", lambda ctx, c, h: c.get(
            f"/api/v1/org/halls/{org_ids(ctx, 'halls', 'ZCZ-BMFW')}", headers=h), expect(200, ORG_READERS)),
        ("GET /org/windows/{window_id}", lambda ctx, c, h: c.get(
            f"/api/v1/org/windows/{window_id(ctx, 'ZCZ-QS-W01')}", headers=h), expect(200, ORG_READERS)),
        ("GET /org/roles/{role_id}", lambda ctx, c, h: c.get(
            f"/api/v1/org/roles/{org_ids(ctx, 'roles', 'agent')}", headers=h), expect(200, ORG_READERS)),
        # a supervisor reads the people of her scope only: out of it, no such account
        ("GET /org/staff/{staff_id}", lambda ctx, c, h: c.get(
            f"/api/v1/org/staff/{staff(ctx, 'zcz_qs_agent').staff_id}", headers=h),
         {**expect(200, ("admin", "sup_in")), "sup_out": 404}),
        ("GET /org/posts", lambda ctx, c, h: c.get("/api/v1/org/posts", headers=h),
         expect(200, ("admin", "sup_in", "sup_out"))),
        ("POST /org/posts", lambda ctx, c, h: c.post("/api/v1/org/posts", headers=h, json={
            "staff_id": fresh(ctx, "staff"), "window_id": window_id(ctx, "ZCZ-QS-W01"), "role": "agent"}),
         expect(201, ADMIN_ONLY)),
        ("GET /org/posts/{post_id}", lambda ctx, c, h: c.get("/api/v1/org/posts/" + str(org_admin.posts(
            ctx, Actor.system("m"), window_id=window_id(ctx, "ZCZ-W02"))[0]["id"]), headers=h),
         {**expect(200, ("admin", "sup_in")), "sup_out": 404}),
        ("DELETE /org/posts/{post_id}", lambda ctx, c, h: c.delete(f"/api/v1/org/posts/{fresh(ctx, 'post')}",
                                                                   headers=h), expect(204, ADMIN_ONLY)),
        ("POST /org/posts/{post_id}/move", lambda ctx, c, h: c.post(
            f"/api/v1/org/posts/{fresh(ctx, 'post')}/move", headers=h, json={"window_id": fresh(ctx, "window")}),
         expect(201, ADMIN_ONLY)),
    ]
    return rows


# --- materials and the vault (helpers set the item's materials themselves: the demo catalogue may change)
MATERIALS = [{"code": "M01", "name": "身份证", "licence_types": ["id_card"]}, {"code": "M03", "name": "申请书"},
             {"code": "M04", "name": "平面图", "tolerable": True}]
PDF = b"%PDF-1.7\n% matrix\n%%EOF\n"


def material_case(ctx, uploaded=False, applicant=None):
    with ctx.uow.begin() as tx:
        tx.conn.execute(ItemImplementation.__table__.update().where(ItemImplementation.local_code == FOOD)
                     .values(materials=MATERIALS, tolerant_acceptance=True))
    clerk = staff(ctx, "zcz_qs_agent")
    case_id = cases.start_case(ctx, cases.StartCase(FOOD, window_id(ctx, "ZCZ-QS-W01"), applicant or {"name": "张三"},
                                                    application(ctx, FOOD), "proxy"), clerk).case_id
    if uploaded:
        materials.upload(ctx, case_id, "M03", blobs.Upload(PDF + str(case_id).encode()), clerk)
    return case_id


def zhangs_document(ctx, with_file=False):
    zhang = staff(ctx, "applicant_zhang")
    if with_file:
        return vault.upload_mine(ctx, vault.NewDocument("lease", "租赁合同"), blobs.Upload(PDF), zhang).id
    return next(d.id for d in vault.my_documents(ctx, zhang) if d.kind == "id_card")


def pdf_form(**fields):
    return {**fields, "file": (io.BytesIO(PDF), "scan.pdf", "application/pdf")}


def case_file(ctx, c, h):
    case_id = material_case(ctx, uploaded=True)
    return c.get(f"/api/v1/cases/{case_id}/files/{hashlib.sha256(PDF + str(case_id).encode()).hexdigest()}",
                 headers=h)


ZHANG = {"name": "张三", "id_number": ZHANG_ID_NUMBER}
APPLICANT_ONLY = ("applicant",)
MATERIAL_ROWS = [
    ("GET /cases/{id}/materials", lambda ctx, c, h: c.get(f"/api/v1/cases/{material_case(ctx)}/materials", headers=h)),
    ("POST /cases/{id}/materials/{code}/upload",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{material_case(ctx)}/materials/M03/upload", headers=h,
                              data=pdf_form(), content_type="multipart/form-data")),
    ("POST /cases/{id}/materials/{code}/vault",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{material_case(ctx, applicant=ZHANG)}/materials/M01/vault", headers=h,
                              json={"document_id": zhangs_document(ctx)})),
    ("POST /cases/{id}/materials/{code}/declaration",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{material_case(ctx)}/materials/M03/declaration", headers=h,
                              json={"text": "本人承诺"})),
    ("POST /cases/{id}/materials/{code}/tolerate",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{material_case(ctx)}/materials/M04/tolerate", headers=h,
                              json={"deadline": "2026-12-01", "commitment": "承诺按期补齐"})),
    ("POST /cases/{id}/materials/{code}/verify",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{material_case(ctx, uploaded=True)}/materials/M03/verify", headers=h)),
    ("GET /cases/{id}/files/{sha256}", case_file),
    ("GET /cases/{id}/vault",
     lambda ctx, c, h: c.get(f"/api/v1/cases/{material_case(ctx, applicant=ZHANG)}/vault", headers=h)),
    ("POST /cases/{id}/mandate",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{material_case(ctx)}/mandate", headers=h,
                              data=pdf_form(scope="full_proxy", signed_on="2026-11-27"),
                              content_type="multipart/form-data")),
]
VAULT_ROWS = [
    ("GET /vault/documents", lambda ctx, c, h: c.get("/api/v1/vault/documents", headers=h),
     expect(200, APPLICANT_ONLY)),
    ("POST /vault/documents",
     lambda ctx, c, h: c.post("/api/v1/vault/documents", headers=h, data=pdf_form(kind="lease", title="租赁合同"),
                              content_type="multipart/form-data"), expect(201, APPLICANT_ONLY)),
    ("GET /vault/documents/{document_id}",
     lambda ctx, c, h: c.get(f"/api/v1/vault/documents/{zhangs_document(ctx)}", headers=h),
     expect(200, APPLICANT_ONLY)),
    ("GET /vault/documents/{document_id}/file",
     lambda ctx, c, h: c.get(f"/api/v1/vault/documents/{zhangs_document(ctx, with_file=True)}/file", headers=h),
     expect(200, APPLICANT_ONLY)),
]

# --- 好差评 (docs/ratings.md): every row makes its own rated case, visit or 差评
ELDERLY = "620100-GG-MZ-0002"
ELDERLY_STEPS = (("zcz_receiver", {}), ("zcz_reviewer", {}), ("zcz_social_approver", {"decision": "refused"}),
                 ("zcz_issuer", {}))
BAD_ONLINE = {"level": 1, "indicators": {"efficiency": 1, "guide_accuracy": 1, "convenience": 1, "usability": 1}}
BAD_ON_SITE = {"level": 2, "indicators": {"efficiency": 2, "competence": 2, "attitude": 2}}


def zhangs_finished_case(ctx) -> int:
    """高龄津贴 applied for online by applicant_zhang at the village window, taken to 办结."""
    started = cases.start_case(ctx, cases.StartCase(ELDERLY, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                    sample("apply_elderly_allowance"), "online"),
                               staff(ctx, "applicant_zhang"))
    complete_steps(ctx, started.tasks[0], ELDERLY_STEPS)
    return started.case_id


def zhangs_answered_bad_rating(ctx) -> int:
    """Her 差评 of a finished case, its rectification answered (so she may rate the fix)."""
    rating = ratings.rate_case(ctx, zhangs_finished_case(ctx), BAD_ONLINE, staff(ctx, "applicant_zhang"))
    with ctx.uow.begin() as tx:
        tx.ratings.update_rectification(rating["rectification"]["id"], reply="已整改", replied_at=ctx.clock.now())
    return rating["id"]


def visit_token(ctx) -> str:
    return ratings.open_visit(ctx, "ZCZ-QS-W01", None, staff(ctx, "zcz_qs_agent"))["token"]


def village_rectification(ctx) -> int:
    """A 差评 of a visit at the village window: its ledger row is the village's."""
    ratings.rate_visit(ctx, visit_token(ctx), BAD_ON_SITE)
    with ctx.uow.read() as tx:
        return tx.ratings.ledger(None, None, 0, 1)[0][0].id


ZCZ = "ZCZ"
RATING_ROWS = [
    ("GET /ratings/scheme", lambda ctx, c, h: c.get("/api/v1/ratings/scheme", headers=h), expect(200, EVERYONE)),
    ("GET /windows/{window_code}/rating", lambda ctx, c, h: c.get("/api/v1/windows/ZCZ-QS-W01/rating", headers=h),
     expect(200, EVERYONE)),
    ("POST /windows/{window_code}/visits",
     lambda ctx, c, h: c.post("/api/v1/windows/ZCZ-QS-W01/visits", headers=h, json={}), expect(201, ("clerk_in",))),
    ("POST /visits/{token}/rating",
     lambda ctx, c, h: c.post(f"/api/v1/visits/{visit_token(ctx)}/rating", headers=h,
                              json={**BAD_ON_SITE, "level": 5, "indicators": {"efficiency": 5, "competence": 5,
                                                                             "attitude": 5}}),
     expect(201, EVERYONE)),
    ("GET /ratings/invitations", lambda ctx, c, h: c.get("/api/v1/ratings/invitations", headers=h),
     expect(200, EVERYONE)),
    ("POST /cases/{id}/ratings",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{zhangs_finished_case(ctx)}/ratings", headers=h, json=BAD_ONLINE),
     expect(201, APPLICANT_ONLY)),
    ("GET /cases/{id}/ratings",
     lambda ctx, c, h: c.get(f"/api/v1/cases/{zhangs_finished_case(ctx)}/ratings", headers=h),
     expect(200, ("admin", "clerk_in", "sup_in", "reviewer_in", "applicant"))),
    ("POST /ratings/{rating_id}/rerate",
     lambda ctx, c, h: c.post(f"/api/v1/ratings/{zhangs_answered_bad_rating(ctx)}/rerate", headers=h,
                              json={"level": 4}), expect(201, APPLICANT_ONLY, denied=404)),
    ("GET /ratings/rectifications", lambda ctx, c, h: c.get("/api/v1/ratings/rectifications", headers=h),
     expect(200, tuple(w for w in EVERYONE if w != "applicant"))),
    ("POST /ratings/rectifications/{rect_id}/revisit",
     lambda ctx, c, h: c.post(f"/api/v1/ratings/rectifications/{village_rectification(ctx)}/revisit", headers=h,
                              json={"note": "已回访"}),
     {**expect(200, ("admin", "clerk_in", "sup_in"), denied=404), "applicant": 403}),
    ("GET /ratings/figures",
     lambda ctx, c, h: c.get(f"/api/v1/ratings/figures?group_by=unit&unit_id={unit(ctx, ZCZ)}", headers=h),
     expect(200, ("admin", "sup_in"))),
    ("GET /ratings/summary", lambda ctx, c, h: c.get(f"/api/v1/ratings/summary?unit_id={unit(ctx, ZCZ)}", headers=h),
     expect(200, ("admin", "sup_in"))),
    ("GET /ratings/public", lambda ctx, c, h: c.get("/api/v1/ratings/public?month=2026-11", headers=h),
     expect(200, EVERYONE)),
]

# --- external tasks and incidents (docs/integration.md): workers are the integration role (tested in
# tests/e2e/test_external_tasks_api.py) or an administrator; incidents are for administrators,
# designers and supervisors in scope (another subtree's reads as absent)
_workers = itertools.count(1)
INCIDENT_READERS = ("admin", "designer", "sup_in", "sup_out")


def fee_case(ctx) -> int:
    """A case waiting at its fee-payment-check service task; returns its external task's id."""
    with ctx.uow.read() as tx:
        deployed = tx.definitions.latest("fee_payment_check") is not None
    if not deployed:
        definitions.deploy(ctx, [SourceFile(FEE.name, FEE.read_bytes())], Actor.system("matrix"), name="fee")
        with ctx.uow.begin() as tx:
            tx.conn.execute(insert(ItemImplementation).values(code="TEST-FEE", name="缴费核验", category="test",
                                                              process_key="fee_payment_check",
                                                              deciding_tier="township", attrs={}))
    started = cases.start_case(ctx, cases.StartCase("TEST-FEE", window_id(ctx, "ZCZ-W01"), {"name": "甲"}),
                               staff(ctx, "zcz_receiver"))
    with ctx.uow.read() as tx:
        rows, _ = tx.external_tasks.listing(case_id=started.case_id)
    return rows[0].id


def locked_task(ctx) -> tuple[int, str]:
    """(external task id, the worker holding it)."""
    task_id, worker = fee_case(ctx), f"matrix-{next(_workers)}"
    with ctx.uow.begin() as tx:
        tx.external_tasks.extend_lock(task_id, ctx.clock.now() + timedelta(hours=1))
        tx.conn.execute(update(ExternalTask).where(ExternalTask.id == task_id).values(lock_owner=worker))
    return task_id, worker


def fresh_incident(ctx) -> int:
    task_id, worker = locked_task(ctx)
    external_tasks.failure(ctx, staff(ctx, "admin"), task_id, worker, "付费平台不可用", None, 0, 0)
    with ctx.uow.read() as tx:
        return tx.incidents.open_for(external_task_id=task_id)[0]


def _worker_call(action: str, body: dict):
    def call(ctx, c, h):
        task_id, worker = locked_task(ctx)
        return c.post(f"/engine-rest/external-task/{task_id}/{action}", headers=h, json={"workerId": worker, **body})
    return call


def _own_call(action: str, body: dict):
    def call(ctx, c, h):
        task_id, worker = locked_task(ctx)
        return c.post(f"/api/v1/external-tasks/{task_id}/{action}", headers=h, json={"worker_id": worker, **body})
    return call


INTEGRATION_ROWS = [
    ("POST /engine-rest/external-task/fetchAndLock",
     lambda ctx, c, h: c.post("/engine-rest/external-task/fetchAndLock", headers=h, json={
         "workerId": "matrix", "maxTasks": 1, "topics": [{"topicName": "no-such-topic", "lockDuration": 1000}]}),
     expect(200, ADMIN_ONLY)),
    ("GET /engine-rest/external-task", lambda ctx, c, h: c.get("/engine-rest/external-task", headers=h),
     expect(200, ADMIN_ONLY)),
    ("GET /engine-rest/external-task/count", lambda ctx, c, h: c.get("/engine-rest/external-task/count", headers=h),
     expect(200, ADMIN_ONLY)),
    ("POST /engine-rest/external-task/{id}/complete", _worker_call("complete", {"variables": {
        "amount": {"value": 100, "type": "Integer"}}}), expect(204, ADMIN_ONLY)),
    ("POST /engine-rest/external-task/{id}/failure", _worker_call("failure", {"errorMessage": "down", "retries": 2,
                                                                              "retryTimeout": 1000}),
     expect(204, ADMIN_ONLY)),
    ("POST /engine-rest/external-task/{id}/bpmnError", _worker_call("bpmnError", {"errorCode": "FEE_UNPAID"}),
     expect(204, ADMIN_ONLY)),
    ("POST /engine-rest/external-task/{id}/extendLock", _worker_call("extendLock", {"newDuration": 60000}),
     expect(204, ADMIN_ONLY)),
    ("POST /engine-rest/external-task/{id}/unlock",
     lambda ctx, c, h: c.post(f"/engine-rest/external-task/{locked_task(ctx)[0]}/unlock", headers=h),
     expect(204, ADMIN_ONLY)),
    # Lianban's own external-task API: the same worker operations; reads for incident readers too
    ("POST /external-tasks/fetch-and-lock", lambda ctx, c, h: c.post("/api/v1/external-tasks/fetch-and-lock",
                                                                     headers=h, json={
        "worker_id": "matrix", "max_tasks": 1, "topics": [{"topic": "no-such-topic", "lock_duration_ms": 1000}]}),
     expect(200, ADMIN_ONLY)),
    ("POST /external-tasks/{id}/complete", _own_call("complete", {"variables": {"amount": 100}}),
     expect(200, ADMIN_ONLY)),
    ("POST /external-tasks/{id}/failure", _own_call("failure", {"error_message": "down", "retries": 2,
                                                                     "retry_timeout_ms": 1000}),
     expect(204, ADMIN_ONLY)),
    ("POST /external-tasks/{id}/bpmn-error", _own_call("bpmn-error", {"error_code": "FEE_UNPAID"}),
     expect(200, ADMIN_ONLY)),
    ("POST /external-tasks/{id}/extend-lock", _own_call("extend-lock", {"new_duration_ms": 60000}),
     expect(204, ADMIN_ONLY)),
    ("POST /external-tasks/{id}/unlock",
     lambda ctx, c, h: c.post(f"/api/v1/external-tasks/{locked_task(ctx)[0]}/unlock", headers=h),
     expect(204, ADMIN_ONLY)),
    ("GET /external-tasks", lambda ctx, c, h: c.get("/api/v1/external-tasks?state=open", headers=h),
     expect(200, INCIDENT_READERS)),
    ("GET /external-tasks/topics", lambda ctx, c, h: c.get("/api/v1/external-tasks/topics", headers=h),
     expect(200, INCIDENT_READERS)),
    ("GET /external-tasks/{id}", lambda ctx, c, h: c.get(f"/api/v1/external-tasks/{fee_case(ctx)}", headers=h),
     {**expect(200, ("admin", "designer", "sup_in")), "sup_out": 404}),
    ("GET /engine-rest/incident", lambda ctx, c, h: c.get("/engine-rest/incident", headers=h),
     expect(200, INCIDENT_READERS)),
    ("GET /incidents", lambda ctx, c, h: c.get("/api/v1/incidents?state=open", headers=h),
     expect(200, INCIDENT_READERS)),
    ("GET /incidents/{incident_id}", lambda ctx, c, h: c.get(f"/api/v1/incidents/{fresh_incident(ctx)}", headers=h),
     {**expect(200, ("admin", "designer", "sup_in")), "sup_out": 404}),
    ("POST /incidents/{incident_id}/retry",
     lambda ctx, c, h: c.post(f"/api/v1/incidents/{fresh_incident(ctx)}/retry", headers=h),
     {**expect(200, ("admin", "designer", "sup_in")), "sup_out": 404}),
    ("POST /incidents/{incident_id}/resolve",
     lambda ctx, c, h: c.post(f"/api/v1/incidents/{fresh_incident(ctx)}/resolve", headers=h, json={"note": "已处理"}),
     {**expect(200, ("admin", "designer", "sup_in")), "sup_out": 404}),
]

SUPERVISORS = ("admin", "sup_in")
CATALOGUE = ROOT / "catalogue" / "demo-catalogue.json"
CLINIC = "11620100MB0000012X2001XK0050100"       # 医疗机构执业登记: no matrix row starts cases for it
_drafts = itertools.count(1)


def new_draft(ctx):
    """A fresh draft version of CLINIC (its guide's hours text differs each time)."""
    items = json.loads(CATALOGUE.read_text(encoding="utf-8"))["items"]
    clinic = next(i for i in items if i["code"] == CLINIC)
    clinic["guide"]["hours"] = f"第{next(_drafts)}版"
    result = catalogue.import_catalogue(ctx, json.dumps([clinic], ensure_ascii=False).encode(), "json",
                                      Actor.system("matrix"))
    return result.created[0][1]
CASE_READERS = ("admin", "clerk_in", "sup_in")

# --- messages and signals (docs/integration.md): integration accounts and administrators send them
_WAITING_ITEM = []


def _number(ctx, case_id: int) -> str:
    with ctx.uow.read() as tx:
        return tx.cases.view(case_id).number


def waiting_case(ctx) -> int:
    """A fresh case waiting for the message payment_received (the fixture is deployed once)."""
    if "TEST-PAY" not in _WAITING_ITEM:
        deploy_files(ctx, FIXTURES / "message_catch.bpmn")
        add_item(ctx, "TEST-PAY", "wait_for_payment")
        _WAITING_ITEM.append("TEST-PAY")
    return cases.start_case(ctx, cases.StartCase("TEST-PAY", window_id(ctx, "XCZ-W01"), {"name": "王五"}, {}),
                            staff(ctx, "xcz_receiver")).case_id


def message_start_item(ctx) -> None:
    """message_start.bpmn's licence_by_message as a published item (deployed once)."""
    if "TEST-MSTART" not in _WAITING_ITEM:
        deploy_files(ctx, FIXTURES / "message_start.bpmn")
        add_item(ctx, "TEST-MSTART", "licence_by_message")
        _WAITING_ITEM.append("TEST-MSTART")


def _message_start(ctx, c, h):
    message_start_item(ctx)
    return c.post("/api/v1/messages", headers=h, json={
        "name": "licence_application_received", "message_id": f"ms-{next(_FRESH)}",
        "window_id": window_id(ctx, "XCZ-W01"), "applicant": {"name": "赵六"}})


MESSAGE_ROWS = [
    # a message start event: an administrator may start at any window (others: role_required first)
    ("POST /messages (message start)", _message_start, expect(200, ("admin",))),
    ("POST /messages (correlation, all)",
     lambda ctx, c, h: c.post("/api/v1/messages", headers=h, json={
         "name": "payment_received", "message_id": f"ma-{next(_FRESH)}", "all": True,
         "correlation": {"case.number": _number(ctx, waiting_case(ctx))}}),
     expect(200, ("admin",))),
    ("POST /messages",
     lambda ctx, c, h: c.post("/api/v1/messages", headers=h, json={
         "name": "payment_received", "message_id": f"m-{next(_FRESH)}", "case_id": waiting_case(ctx)}),
     expect(200, ("admin",))),
    ("POST /signals",
     lambda ctx, c, h: c.post("/api/v1/signals", headers=h, json={"name": "policy_published",
                                                                   "signal_id": f"s-{next(_FRESH)}"}),
     expect(200, ("admin",))),
    ("POST /engine-rest/message",
     lambda ctx, c, h: c.post("/engine-rest/message", headers=h, json={
         "messageName": "payment_received", "processInstanceId": str(waiting_case(ctx))}),
     expect(204, ("admin",))),
    ("POST /engine-rest/signal",
     lambda ctx, c, h: c.post("/engine-rest/signal", headers=h, json={"name": "policy_published"}),
     expect(204, ("admin",))),
]



def locked_name(ctx) -> str:
    """A fresh account name locked by failed logins (a name is counted whether or not it exists)."""
    name = f"m_locked{next(_FRESH)}"
    for _ in range(ctx.settings.login_account_failures):
        throttle.failed(ctx, name, None)
    return name


# login lockouts (docs/security.md): administrators only
ACCOUNT_ROWS = [
    ("GET /accounts/lockouts", lambda ctx, c, h: c.get("/api/v1/accounts/lockouts", headers=h),
     expect(200, ADMIN_ONLY)),
    ("POST /accounts/{username}/unlock",
     lambda ctx, c, h: c.post(f"/api/v1/accounts/{locked_name(ctx)}/unlock", headers=h), expect(204, ADMIN_ONLY)),
]

ROWS = [
    ("GET /health", lambda ctx, c, h: c.get("/api/v1/health"), expect(200, EVERYONE)),
    ("GET /health/live", lambda ctx, c, h: c.get("/api/v1/health/live"), expect(200, EVERYONE)),
    ("GET /health/ready", lambda ctx, c, h: c.get("/api/v1/health/ready"), expect(200, EVERYONE)),
    ("GET /metrics", lambda ctx, c, h: c.get("/metrics", headers=h), expect(200, ("admin",))),
    ("GET /auth/me", lambda ctx, c, h: c.get("/api/v1/auth/me", headers=h), expect(200, EVERYONE)),
    ("POST /auth/logout", lambda ctx, c, h: c.post("/api/v1/auth/logout", headers=h), expect(204, EVERYONE)),
    ("GET /auth/session", lambda ctx, c, h: c.get("/api/v1/auth/session", headers=h), expect(200, EVERYONE)),
    ("DELETE /auth/session", lambda ctx, c, h: c.delete("/api/v1/auth/session", headers=h), expect(204, EVERYONE)),
    ("GET /catalogue/network", lambda ctx, c, h: c.get("/api/v1/catalogue/network", headers=h), expect(200, EVERYONE)),
    ("GET /service-items", lambda ctx, c, h: c.get("/api/v1/service-items", headers=h), expect(200, EVERYONE)),
    ("GET /service-items/{code}", lambda ctx, c, h: c.get(f"/api/v1/service-items/{FOOD}", headers=h),
     expect(200, EVERYONE)),
    ("GET /catalogue/items", lambda ctx, c, h: c.get("/api/v1/catalogue/items?accepting_tier=village", headers=h),
     expect(200, EVERYONE)),
    ("GET /catalogue/items/{code}", lambda ctx, c, h: c.get(f"/api/v1/catalogue/items/{FOOD}", headers=h),
     expect(200, EVERYONE)),
    ("GET /catalogue/items/{code}/application",
     lambda ctx, c, h: c.get(f"/api/v1/catalogue/items/{FOOD}/application", headers=h), expect(200, EVERYONE)),
    ("GET /catalogue/items/{code}/versions",
     lambda ctx, c, h: c.get(f"/api/v1/catalogue/items/{FOOD}/versions", headers=h), expect(200, ("admin",))),
    ("POST /catalogue/items/{code}/versions/{version}/publish",
     lambda ctx, c, h: c.post(f"/api/v1/catalogue/items/{CLINIC}/versions/{new_draft(ctx)}/publish", headers=h),
     expect(204, ("admin",))),
    ("POST /catalogue/items/{code}/versions/{version}/retire",
     lambda ctx, c, h: c.post(f"/api/v1/catalogue/items/{CLINIC}/versions/{new_draft(ctx)}/retire", headers=h),
     expect(204, ("admin",))),
    ("POST /catalogue/imports",
     lambda ctx, c, h: c.post("/api/v1/catalogue/imports", headers=h, data=CATALOGUE.read_bytes(),
                              content_type="application/json"), expect(201, ("admin",))),
    ("GET /catalogue/export", lambda ctx, c, h: c.get("/api/v1/catalogue/export?format=csv", headers=h),
     expect(200, ("admin",))),
    ("GET /catalogue/channel-stats",
     lambda ctx, c, h: c.get(f"/api/v1/catalogue/channel-stats?unit_id={unit(ctx, 'ZCZ')}", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /process-definitions", lambda ctx, c, h: c.get("/api/v1/process-definitions", headers=h),
     expect(200, EVERYONE)),
    ("POST /process-definitions/deployments",
     lambda ctx, c, h: c.post("/api/v1/process-definitions/deployments", headers=h, data=bpmn(tag=str(id(h))),
                              content_type="multipart/form-data"), expect(201, ("admin", "designer"))),
    ("POST /process-definitions/validate",
     lambda ctx, c, h: c.post("/api/v1/process-definitions/validate", headers=h, data=bpmn(),
                              content_type="multipart/form-data"), expect(200, ("admin", "designer"))),
    ("GET /migrations/plan",
     lambda ctx, c, h: c.get("/api/v1/migrations/plan", headers=h, query_string={
         k: v for k, v in migration_plan(ctx).items() if k.endswith("definition_id")}),
     expect(200, ("admin", "designer"))),
    ("POST /migrations/validate",
     lambda ctx, c, h: c.post("/api/v1/migrations/validate", headers=h, json=migration_plan(ctx)),
     expect(200, ("admin", "designer"))),
    ("POST /migrations/execute",
     lambda ctx, c, h: c.post("/api/v1/migrations/execute", headers=h, json=migration_plan(ctx)),
     expect(200, ("admin", "designer"))),
    ("POST /engine-rest/migration/generate",
     lambda ctx, c, h: c.post("/engine-rest/migration/generate", headers=h, json=camunda_plan(ctx)),
     expect(200, ("admin", "designer"))),
    ("POST /engine-rest/migration/validate",
     lambda ctx, c, h: c.post("/engine-rest/migration/validate", headers=h, json=camunda_plan(ctx)),
     expect(200, ("admin", "designer"))),
    ("POST /engine-rest/migration/execute",
     lambda ctx, c, h: c.post("/engine-rest/migration/execute", headers=h, json={
         "migrationPlan": camunda_plan(ctx), "processInstanceIds": ["2147483647"]}),
     expect(400, ("admin", "designer"))),
    ("GET /process-definitions/items", lambda ctx, c, h: c.get("/api/v1/process-definitions/items", headers=h),
     expect(200, ("admin", "designer"))),
    ("GET /process-definitions/routing-options",
     lambda ctx, c, h: c.get("/api/v1/process-definitions/routing-options", headers=h),
     expect(200, ("admin", "designer"))),
    ("GET /process-definitions/{id}/source",
     lambda ctx, c, h: c.get("/api/v1/process-definitions/1/source", headers=h), expect(200, EVERYONE)),
    ("GET /process-definitions/{key}/start-schedule",
     lambda ctx, c, h: c.get(start_schedule(ctx), headers=h), expect(200, ("admin", "designer"))),
    ("PUT /process-definitions/{key}/start-schedule",
     lambda ctx, c, h: c.put(start_schedule(ctx), headers=h, json={"active": False}),
     expect(200, ("admin", "designer"))),
    ("GET /cases", lambda ctx, c, h: c.get("/api/v1/cases", headers=h), expect(200, EVERYONE)),
    ("POST /cases",
     lambda ctx, c, h: c.post("/api/v1/cases", headers=h, json={"item_code": FOOD, "channel": "window",
                                                               "window_id": window_id(ctx, "ZCZ-QS-W01"),
                                                               "applicant": {"name": "李四"},
                                                               "form": sample("apply_food_licence")}),
     {**expect(201, ("admin", "clerk_in")), "applicant": 422}),
    ("GET /cases/{id}", lambda ctx, c, h: c.get(f"/api/v1/cases/{new_case(ctx)[0]}", headers=h),
     expect(200, CASE_READERS)),
    ("GET /cases/{id}/events", lambda ctx, c, h: c.get(f"/api/v1/cases/{new_case(ctx)[0]}/events", headers=h),
     expect(200, CASE_READERS)),
    ("POST /cases/{id}/clock/accept",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_case(ctx)[0]}/clock/accept", headers=h), expect(204, CASE_READERS)),
    ("POST /cases/{id}/clock/correction-notice",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_case(ctx)[0]}/clock/correction-notice", headers=h,
                              json={"notice": "请补充材料"}), expect(204, CASE_READERS)),
    ("POST /cases/{id}/clock/pause",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_case(ctx, accepted=True)[0]}/clock/pause", headers=h,
                              json={"kind": "supplement", "reason": "缺件", "notice": "补正通知"}),
     expect(204, CASE_READERS)),
    ("POST /cases/{id}/clock/resume",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_case(ctx, accepted=True, paused=True)[0]}/clock/resume",
                              headers=h, json={}), expect(204, CASE_READERS)),
    ("POST /cases/{id}/clock/extend",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_case(ctx, accepted=True)[0]}/clock/extend", headers=h,
                              json={"reason": "情况复杂"}), expect(204, ("head",))),
    ("POST /cases/{id}/withdraw",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_case(ctx)[0]}/withdraw", headers=h, json={"reason": "撤回"}),
     expect(204, CASE_READERS)),
    ("POST /cases/{id}/return",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_case(ctx)[0]}/return", headers=h, json={"reason": "退件"}),
     expect(201, CASE_READERS)),
    ("POST /cases/{id}/not-accept",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_case(ctx)[0]}/not-accept", headers=h,
                              json={"reason": "不属于本机关职权", "competent_agency": "兰州市市场监督管理局"}),
     expect(201, CASE_READERS)),
    ("POST /cases/{id}/deliver",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{decided_case(ctx)}/deliver", headers=h,
                              json={"method": "pickup", "recipient": "张三"}),
     expect(201, ("admin", "clerk_in", "reviewer_in", "head"))),
    ("GET /cases/{id}/documents",
     lambda ctx, c, h: c.get(f"/api/v1/cases/{new_case(ctx)[0]}/documents", headers=h), expect(200, CASE_READERS)),
    ("GET /cases/{id}/documents/{document_id}",
     lambda ctx, c, h: c.get(document_url(ctx), headers=h), expect(200, CASE_READERS)),
    ("GET /tasks", lambda ctx, c, h: c.get("/api/v1/tasks", headers=h), expect(200, EVERYONE)),
    ("GET /tasks/workbench", lambda ctx, c, h: c.get("/api/v1/tasks/workbench?scope=window", headers=h),
     {**expect(200, EVERYONE), "applicant": 403}),
    ("GET /tasks/{id}", lambda ctx, c, h: c.get(f"/api/v1/tasks/{new_case(ctx)[1]}", headers=h),
     expect(200, CASE_READERS)),
    ("GET /tasks/{id}/colleagues",
     lambda ctx, c, h: c.get(f"/api/v1/tasks/{new_case(ctx)[1]}/colleagues", headers=h), expect(200, ("clerk_in",))),
    ("POST /tasks/{id}/claim", lambda ctx, c, h: c.post(f"/api/v1/tasks/{new_case(ctx)[1]}/claim", headers=h),
     expect(200, ("clerk_in",))),
    ("POST /tasks/{id}/unclaim",
     lambda ctx, c, h: c.post(f"/api/v1/tasks/{new_case(ctx, claimed=True)[1]}/unclaim", headers=h),
     expect(200, ("clerk_in",))),
    ("POST /tasks/{id}/complete",
     lambda ctx, c, h: c.post(f"/api/v1/tasks/{new_case(ctx)[1]}/complete", headers=h,
                                       json={"data": sample("proxy_intake")}),
     expect(200, ("clerk_in",))),
    ("POST /tasks/{id}/delegate",
     lambda ctx, c, h: c.post(f"/api/v1/tasks/{new_case(ctx)[1]}/delegate", headers=h, json={"to": "zcz_qs_agent2"}),
     expect(200, ("clerk_in",))),
    ("POST /tasks/{id}/return",
     lambda ctx, c, h: c.post(f"/api/v1/tasks/{new_case(ctx, at_review=True)[1]}/return", headers=h,
                              json={"reason": "退回补正"}), expect(200, ("reviewer_in",))),
    ("GET /supervision/cases",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/cases?unit_id={unit(ctx, 'ZCZ')}", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /supervision/steps",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/steps?unit_id={unit(ctx, 'ZCZ')}", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /supervision/counts",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/counts?unit_id={unit(ctx, 'ZCZ')}", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /supervision/on-time",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/on-time?unit_id={unit(ctx, 'ZCZ')}"
                             "&since=2026-01-01T00:00:00%2B08:00&until=2027-01-01T00:00:00%2B08:00", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /supervision/case-channels",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/case-channels?unit_id={unit(ctx, 'ZCZ')}"
                             "&since=2026-01-01&until=2026-12-31", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /supervision/deliveries",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/deliveries?unit_id={unit(ctx, 'ZCZ')}", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /supervision/dashboard/summary",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/dashboard/summary?unit_id={unit(ctx, 'ZCZ')}", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /supervision/dashboard/drill",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/dashboard/drill?unit_id={unit(ctx, 'ZCZ')}&department_id=0",
                             headers=h), expect(200, SUPERVISORS)),
    ("GET /supervision/dashboard/on-time",
     lambda ctx, c, h: c.get(f"/api/v1/supervision/dashboard/on-time?unit_id={unit(ctx, 'ZCZ')}"
                             "&since=2026-01-01&until=2026-12-31&period=week", headers=h),
     expect(200, SUPERVISORS)),
    ("GET /calendar/deadline",
     lambda ctx, c, h: c.get("/api/v1/calendar/deadline?from=2026-09-30&workdays=5", headers=h), expect(200, EVERYONE)),
    ("POST /calendar/notices",
     lambda ctx, c, h: c.post("/api/v1/calendar/notices", headers=h, content_type="application/json",
                              data=(ROOT / "docs" / "examples" / "calendar-2027-hypothetical.json").read_bytes()),
     expect(201, ("admin",))),
    ("GET /tasks/{id}/form", lambda ctx, c, h: c.get(f"/api/v1/tasks/{new_case(ctx)[1]}/form", headers=h),
     expect(200, CASE_READERS)),
    ("GET /forms/{key}", lambda ctx, c, h: c.get("/api/v1/forms/decide", headers=h), expect(200, EVERYONE)),
    ("POST /packages",
     lambda ctx, c, h: c.post("/api/v1/packages", headers=h, json={
         "code": f"YJS-{id(h)}", "name": "测试一件事", "lead_department": "market",
         "members": [FOOD, HYGIENE["local_code"]]}), expect(201, ("admin",))),
    ("GET /packages/{code}", lambda ctx, c, h: c.get(f"/api/v1/packages/{PACKAGE}", headers=h), expect(200, EVERYONE)),
    ("POST /packages/{code}/cases",
     lambda ctx, c, h: c.post(f"/api/v1/packages/{PACKAGE}/cases", headers=h, json={
         "window_id": window_id(ctx, "ZCZ-QS-W01"), "applicant": {"name": "张三"}, "channel": "proxy",
         "form": sample("apply_hygiene_licence", business_scope=["热食类食品制售"])}),
     {**expect(201, ("admin", "clerk_in")), "applicant": 422}),
    ("GET /cases/{id}/package",
     lambda ctx, c, h: c.get(f"/api/v1/cases/{new_package_case(ctx)}/package", headers=h), expect(200, CASE_READERS)),
    ("POST /cases/{id}/package/withdraw",
     lambda ctx, c, h: c.post(f"/api/v1/cases/{new_package_case(ctx)}/package/withdraw", headers=h,
                              json={"reason": "申请人撤回"}), expect(204, CASE_READERS)),
    ("GET /cases/{id}/diagram", lambda ctx, c, h: c.get(f"/api/v1/cases/{new_case(ctx)[0]}/diagram", headers=h),
     expect(200, CASE_READERS)),
    ("GET /process-definitions/{id}/heatmap",
     lambda ctx, c, h: c.get(f"/api/v1/process-definitions/{food_definition(ctx)}/heatmap", headers=h),
     expect(200, ("admin", "designer", "sup_in", "sup_out"))),
    ("POST /engine-rest/deployment/create",
     lambda ctx, c, h: c.post("/engine-rest/deployment/create", headers=h, data=bpmn(tag="r" + str(id(h))),
                              content_type="multipart/form-data"), expect(200, ("admin", "designer"))),
    ("GET /engine-rest/version", lambda ctx, c, h: c.get("/engine-rest/version", headers=h), expect(200, EVERYONE)),
    ("GET /engine-rest/deployment",
     lambda ctx, c, h: c.get("/engine-rest/deployment?maxResults=0", headers=h), expect(200, EVERYONE)),
    ("GET /engine-rest/deployment/count",
     lambda ctx, c, h: c.get("/engine-rest/deployment/count", headers=h), expect(200, EVERYONE)),
    ("GET /engine-rest/deployment/{id}",
     lambda ctx, c, h: c.get("/engine-rest/deployment/1", headers=h), expect(200, EVERYONE)),
    ("GET /engine-rest/process-instance/{id}",
     lambda ctx, c, h: c.get(f"/engine-rest/process-instance/{new_case(ctx)[0]}", headers=h),
     expect(200, CASE_READERS)),
    # starting a process instance is starting a case: a post at the window (or admin); an applicant
    # applies online, not through a window's channel (400 in Camunda's shape)
    ("POST /engine-rest/process-definition/{id}/start",
     lambda ctx, c, h: c.post(f"/engine-rest/process-definition/{latest_food(ctx)}/start", headers=h,
                              json=camunda_start(ctx)), {**expect(200, ("admin", "clerk_in")), "applicant": 400}),
    ("POST /engine-rest/process-definition/key/{key}/start",
     lambda ctx, c, h: c.post("/engine-rest/process-definition/key/food_licence/start", headers=h,
                              json=camunda_start(ctx)), {**expect(200, ("admin", "clerk_in")), "applicant": 400}),
] + [(name, call, expect(200 if name.startswith("GET") else 204, CASE_READERS)) for name, call in MATERIAL_ROWS] \
  + VAULT_ROWS + RATING_ROWS + org_rows() + MESSAGE_ROWS + INTEGRATION_ROWS + ACCOUNT_ROWS


@pytest.mark.parametrize("who", EVERYONE)
@pytest.mark.parametrize("name, call, expected", ROWS, ids=[r[0] for r in ROWS])
def test_every_endpoint_for_every_role(world, name, call, expected, who):
    ctx, client = world
    response = call(ctx, client, headers(ctx, who))
    assert response.status_code == expected[who], (name, who, response.get_data(as_text=True)[:300])
    if response.status_code >= 400 and name.split()[1].startswith("/engine-rest/"):
        assert response.mimetype == "application/json" and response.json["type"]        # Camunda's shape
    elif response.status_code >= 400:
        assert response.mimetype == "application/problem+json"


def test_every_operation_of_the_spec_is_in_the_matrix(world):
    _, client = world
    spec = client.get("/api/v1/openapi.json").json
    # the matrix names a path without the prefix and with every id placeholder as {id}
    paths = {path: path.replace('/api/v1', '').replace('{task_id}', '{id}').replace('{case_id}', '{id}')
             .replace('{definition_id}', '{id}') for path in spec["paths"]}
    operations = {f"{method.upper()} {paths[path]}"
                  for path, ops in spec["paths"].items() for method in ops if method != "parameters"}
    # logging in: tests/e2e/test_api.py and tests/e2e/test_console_session.py
    covered = {r[0] for r in ROWS} | {"POST /auth/login", "POST /auth/session"}
    assert operations <= covered, sorted(operations - covered)


def test_lists_are_scoped(world):
    ctx, client = world
    case_id, _ = new_case(ctx)
    page = f"/api/v1/cases?limit=200&after_id={case_id - 1}"         # the other rows made many cases before it
    inside = {c["id"] for c in client.get(page, headers=headers(ctx, "clerk_in")).json}
    outside = {c["id"] for c in client.get(page, headers=headers(ctx, "clerk_out")).json}
    assert case_id in inside and case_id not in outside
    # the applicant: only the cases she applied for (the 好差评 rows made some), never a clerk's
    with ctx.uow.read() as tx:
        hers = set(tx.conn.execute(select(Case.id).where(Case.applicant_account_id == staff(ctx, "applicant_zhang")
                                                          .staff_id)).scalars())
    listed = {c["id"] for c in client.get("/api/v1/cases?limit=200", headers=headers(ctx, "applicant")).json}
    assert listed == hers and case_id not in listed
