"""The catalogue service on both databases: a broken file for each rule (row and field named,
nothing written), versions (draft → published → retired; a case keeps its version), round trips
through JSON and CSV, 四级四同 against the database, the accepting-tier check at case start."""
import copy
import json

import pytest
from sqlalchemy import func, select

from demo.loader import DEMO_CATALOGUE, load_demo
from engine.domain.actor import Actor
from engine.domain.catalogue_files import to_csv
from engine.domain.codes import uscc_check_char
from engine.domain.errors import Conflict, Forbidden, NotFound, ValidationError
from engine.services import cases, catalogue
from engine.store.models import Case, ItemImplementation, ServiceItem
from tests.conftest import ROOT, row_counts, staff, window_id
from tests.form_samples import application

ADMIN = Actor.system("test")
FOOD = "11620100MB1234567E2001XK0010100"


def demo_items() -> list[dict]:
    return copy.deepcopy(json.loads(DEMO_CATALOGUE.read_text(encoding="utf-8"))["items"])


def as_json(items) -> bytes:
    return json.dumps({"items": items}, ensure_ascii=False).encode()


def versions(ctx, code=FOOD):
    return [(v["version"], v["status"]) for v in catalogue.versions(ctx, code, ADMIN)]


def other_uscc(uscc: str) -> str:
    return uscc[:17] + ("0" if uscc[17] != "0" else "1")


# (what is broken, row (1-based), change to that row, field, code): rows follow demo-catalogue.json
BROKEN = [
    ("四级四同 name", 13, {"name": "企业投资项目备案登记"}, "name", "four_same_violation"),
    ("四级四同 basis", 17, {"legal_basis": "《土地管理法》"}, "legal_basis", "four_same_violation"),
    ("四级四同 category", 27, {"category": "benefit"}, "category", "four_same_violation"),
    ("body USCC check character", 5, {"body_uscc": other_uscc("11620100MB0000012X")}, "body_uscc", "uscc_invalid"),
    ("code USCC check character", 5, {"code": other_uscc("11620100MB0000012X") + "2001XK0050100"}, "code",
     "implementation_code_uscc_invalid"),
    ("code of another body", 5, {"code": "11620100MB1234567E2001XK0050100"}, "code",
     "implementation_code_body_mismatch"),
    ("promise > legal", 1, {"promise_limit": 21}, "promise_limit", "promise_exceeds_legal"),
    ("units differ", 1, {"promise_unit": "natural_day"}, "promise_unit", "promise_unit_mismatch"),
    ("limit not positive", 1, {"legal_limit": 0}, "legal_limit", "limit_not_positive"),
    ("zero visits without mail", 14, {"online_depth": 3}, "handle_forms", "zero_visits_needs_mail"),
    ("depth IV with a visit", 6, {"onsite_visits": 1}, "onsite_visits", "full_online_needs_zero_visits"),
    ("online below depth II", 5, {"online_depth": 1}, "online_depth", "online_depth_inconsistent"),
    ("fee without basis", 7, {"fee_basis": ""}, "fee_basis", "fee_basis_required"),
    ("fee without items", 7, {"fees": []}, "fees", "fees_required"),
    ("fee without pay_online", 7, {"pay_online": None}, "pay_online", "pay_online_required"),
    ("phones equal", 2, {"guide": {"consult_phone": "12345", "complaint_phone": "12345"}}, "guide.complaint_phone",
     "guide_phones_equal"),
    ("category", 2, {"category": "service"}, "category", "category_unknown"),
    ("tier", 2, {"tier": "county"}, "tier", "tier_unknown"),
    ("delegation mode", 12, {"delegation_mode": "handed_down"}, "delegation_mode", "delegation_mode_unknown"),
    ("entrusted without department", 15, {"entrusting_department": None}, "entrusting_department",
     "entrusting_department_required"),
    ("accepting tiers", 2, {"accepting_tiers": ["village", "street"]}, "accepting_tiers", "accepting_tiers_unknown"),
    ("project type", 2, {"project_type": "fast"}, "project_type", "project_type_unknown"),
    ("online depth", 2, {"online_depth": 7}, "online_depth", "online_depth_unknown"),
    ("material form", 1, {"materials": [{"code": "M01", "name": "申请书", "form": "fax"}]}, "materials[1].form",
     "material_form_unknown"),
    ("duplicate material codes", 2,
     {"materials": [{"code": "M01", "name": "身份证"}, {"code": "M01", "name": "户口簿"}]},
     "materials[2].code", "material_code_duplicate"),
    ("unknown org unit", 22, {"org_unit": "ZCZ-XX"}, "org_unit", "org_unit_unknown"),
    ("tier of the org unit", 22, {"tier": "township"}, "tier", "tier_mismatch"),
    ("a required field", 3, {"process_key": ""}, "process_key", "field_required"),
]


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_a_broken_file_for_each_rule_is_rejected_whole(demo, fmt):
    ctx = demo
    before = row_counts(ctx)
    for name, row, change, field, code in BROKEN:
        items = demo_items()
        items[row - 1].update(change)
        if fmt == "json":
            content = as_json(items)
        else:
            content, row = to_csv(items), row + 1        # the header is spreadsheet row 1
        with pytest.raises(ValidationError) as info:
            catalogue.import_catalogue(ctx, content, fmt, ADMIN, publish=True)
        assert info.value.code == "catalogue_invalid", name
        found = {(p["row"], p["field"], p["code"]) for p in info.value.detail["problems"]}
        assert (row, field, code) in found, (name, found)
        assert row_counts(ctx) == before, name
    # the unbroken file passes and changes nothing (it is what load-demo imported)
    content = as_json(demo_items()) if fmt == "json" else to_csv(demo_items())
    assert catalogue.check_file(ctx, content, fmt) == []
    assert catalogue.import_catalogue(ctx, content, fmt, ADMIN).unchanged == 27
    assert row_counts(ctx) == before


def test_duplicate_rows_and_unreadable_files(demo):
    ctx = demo
    items = demo_items()
    problems = catalogue.check_file(ctx, as_json(items + [items[3]]), "json")
    assert [(p.row, p.field, p.code) for p in problems] == [(28, "code", "duplicate_row")]
    assert catalogue.check_file(ctx, b"\xff\xfe", "csv")[0].code == "catalogue_not_utf8"
    assert catalogue.check_file(ctx, b"{", "json")[0].code == "catalogue_json_invalid"
    assert catalogue.check_file(ctx, b"", "csv")[0].code == "catalogue_empty"
    assert catalogue.check_file(ctx, "\ufeffcode,colour\r\n".encode(), "csv")[0].field == "colour"


def test_versions_draft_publish_retire_and_cases_keep_theirs(demo):
    ctx = demo
    clerk, window, form = staff(ctx, "zcz_qs_agent"), window_id(ctx, "ZCZ-QS-W01"), application(ctx, FOOD)
    on_v1 = cases.start_case(ctx, cases.StartCase(FOOD, window, {"name": "张三"}, form, "proxy"), clerk)
    items = demo_items()
    items[0]["promise_limit"] = 8
    result = catalogue.import_catalogue(ctx, as_json(items), "json", ADMIN)
    assert (result.created, result.unchanged, result.published) == (((FOOD, 2),), 26, ())
    assert versions(ctx) == [(1, "published"), (2, "draft")]
    assert catalogue.guide(ctx, FOOD)["promise_limit"] == 10           # the public sees the published one
    again = catalogue.import_catalogue(ctx, as_json(items), "json", ADMIN)    # identical: no new version
    assert again.created == () and versions(ctx) == [(1, "published"), (2, "draft")]
    catalogue.publish(ctx, FOOD, 2, ADMIN)
    assert versions(ctx) == [(1, "retired"), (2, "published")]
    with pytest.raises(Conflict) as info:
        catalogue.publish(ctx, FOOD, 1, ADMIN)
    assert info.value.code == "catalogue_version_not_draft"
    on_v2 = cases.start_case(ctx, cases.StartCase("620100-XK-SCJG-0001", window, {"name": "李四"}, form, "proxy"),
                             clerk)
    with ctx.uow.read() as tx:
        item_of = dict(tx.conn.execute(select(Case.id, Case.item_id)).all())
        ids = dict(tx.conn.execute(select(ItemImplementation.version, ItemImplementation.id)
                                   .where(ItemImplementation.code == FOOD)).all())
        promise = tx.conn.execute(select(Case.promise_limit).where(Case.id == on_v2.case_id)).scalar_one()
    assert item_of[on_v1.case_id] == ids[1] and item_of[on_v2.case_id] == ids[2] and promise == 8
    catalogue.retire(ctx, FOOD, 2, ADMIN)
    assert versions(ctx) == [(1, "retired"), (2, "retired")]
    with pytest.raises(NotFound):
        cases.start_case(ctx, cases.StartCase(FOOD, window, {"name": "王五"}, form, "proxy"), clerk)
    with pytest.raises(Conflict):
        catalogue.retire(ctx, FOOD, 2, ADMIN)
    with pytest.raises(NotFound):
        catalogue.publish(ctx, FOOD, 9, ADMIN)
    # importing with publish puts the file's content back as version 3
    assert catalogue.import_catalogue(ctx, as_json(items), "json", ADMIN, publish=True).published == ((FOOD, 3),)


def test_round_trips_through_json_and_csv_make_no_version(demo):
    ctx = demo
    with ctx.uow.read() as tx:
        before = tx.conn.execute(select(func.count()).select_from(ItemImplementation)).scalar()
    for fmt in ("json", "csv"):
        exported = catalogue.export_catalogue(ctx, fmt, ADMIN)
        calls = []
        result = catalogue.import_catalogue(ctx, exported, fmt, ADMIN, publish=True,
                                          progress=lambda done, total: calls.append((done, total)))
        assert (result.rows, result.unchanged, result.created, result.published) == (27, 27, (), ())
        assert calls == [(n, 27) for n in range(1, 28)]
    csv = catalogue.export_catalogue(ctx, "csv", ADMIN)
    assert csv.startswith(b"\xef\xbb\xbf") and "食品经营许可" in csv.decode("utf-8-sig")
    assert "|" in csv.decode("utf-8-sig").splitlines()[1]          # accepting tiers as a|b in one cell
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(func.count()).select_from(ItemImplementation)).scalar() == before


def test_four_same_basic_items_change_only_with_every_implementation(demo):
    ctx = demo
    items = demo_items()
    both = [items[11], items[12]]                      # 企业投资项目备案 in both parks
    for row in both:
        row["name"] = "企业投资项目备案（新）"
    with pytest.raises(ValidationError) as info:       # one park alone cannot rename the shared basic item
        catalogue.import_catalogue(ctx, as_json([both[0]]), "json", ADMIN)
    assert {(p["field"], p["code"]) for p in info.value.detail["problems"]} == {("name", "four_same_violation")}
    result = catalogue.import_catalogue(ctx, as_json(both), "json", ADMIN, publish=True)
    assert (result.basic_updated, len(result.published)) == (1, 2)
    with ctx.uow.read() as tx:
        assert tx.conn.execute(select(ServiceItem.name).where(ServiceItem.code == "BA0120100000")).scalar() == \
            "企业投资项目备案（新）"
    new_body = "11620100MB0000999" + uscc_check_char("11620100MB0000999")
    fresh = dict(items[4], code=new_body + "2001XK0990100", body_uscc=new_body, basic_code="XK0990100000",
                 name="新事项")
    assert catalogue.import_catalogue(ctx, as_json([fresh]), "json", ADMIN).basic_created == 1


def test_only_administrators_import_publish_and_list_versions(demo):
    ctx = demo
    before = row_counts(ctx)
    clerk = staff(ctx, "zcz_qs_agent")
    for call in (lambda: catalogue.import_catalogue(ctx, as_json(demo_items()), "json", clerk),
                 lambda: catalogue.publish(ctx, FOOD, 1, clerk), lambda: catalogue.retire(ctx, FOOD, 1, clerk),
                 lambda: catalogue.versions(ctx, FOOD, clerk),
                 lambda: catalogue.export_catalogue(ctx, "json", clerk)):
        with pytest.raises(Forbidden):
            call()
    assert row_counts(ctx) == before


def test_case_start_needs_a_window_of_an_accepting_tier(demo):
    ctx = demo
    card = "54620100MB0000301D5001GG0200100"          # 老年人优待证 at 清水村: accepted at the village only
    with pytest.raises(ValidationError) as info:
        cases.start_case(ctx, cases.StartCase(card, window_id(ctx, "ZCZ-W01"), {"name": "张三"}),
                         staff(ctx, "zcz_receiver"))
    assert (info.value.code, info.value.field) == ("item_not_accepted_here", "window_id")
    started = cases.start_case(ctx, cases.StartCase(card, window_id(ctx, "ZCZ-QS-W01"), {"name": "张三"},
                                                    application(ctx, card), "proxy"),
                               staff(ctx, "zcz_qs_agent"))
    assert started.number.startswith(card)


def test_load_demo_again_adds_no_version_and_keeps_the_workflow_items(demo):
    ctx = demo
    # the catalogue's 27 entries and the internal 差评 review (catalogue/internal-items.json), plus
    # the 一件事 package's own entry (category `package`)
    count = select(func.count()).select_from(ItemImplementation).where(ItemImplementation.category != "package")
    with ctx.uow.read() as tx:
        before = tx.conn.execute(count).scalar()
    load_demo(ctx, ROOT / "workflows")
    with ctx.uow.read() as tx:
        assert tx.conn.execute(count).scalar() == before == 28
    guides = catalogue.list_guides(ctx)
    assert {i["tier"] for i in guides} == {"district", "park", "township", "village"}
    assert len(guides) == 27 and "rating_review" not in {i.get("process_key") for i in guides}   # not the internal one


def test_the_demo_catalogue_carries_the_workflow_items_unchanged():
    from demo.org import BASIC_ITEMS, ITEMS
    items = {i["code"]: i for i in demo_items()}
    basics = {code: (name, category, basis) for code, name, category, basis in BASIC_ITEMS}
    for code, local, basic, key, tier, legal, promise, extension, body, uscc in ITEMS:
        i = items[code]
        assert (i["local_code"], i["basic_code"], i["process_key"], i["deciding_tier"], i["legal_limit"],
                i["promise_limit"], i["extension_limit"], i["body_name"], i["body_uscc"]) == \
            (local, basic, key, tier, legal, promise, extension, body, uscc)
        assert (i["name"], i["category"], i["legal_basis"]) == basics[basic]
    assert len(items) >= 20


def test_concurrent_imports_of_one_entry_never_share_a_version(demo):
    import threading
    ctx = demo
    outcomes = []

    def run(hours):
        items = demo_items()[:1]
        items[0]["guide"]["hours"] = hours
        try:
            outcomes.append(catalogue.import_catalogue(ctx, as_json(items), "json", ADMIN).created)
        except Conflict as exc:
            outcomes.append(exc.code)
    threads = [threading.Thread(target=run, args=(f"第{n}版",)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    made = [v for o in outcomes if isinstance(o, tuple) for _c, v in o]
    assert len(outcomes) == 4 and made and len(made) == len(set(made))
    assert set(o for o in outcomes if not isinstance(o, tuple)) <= {"catalogue_changed_concurrently"}
    assert [v for v, _s in versions(ctx)] == [1, *sorted(made)]
