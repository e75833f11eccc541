"""The catalogue validators (engine/domain/catalogue.py): one good row, and for every rule a row that
breaks it, with the field and code the problem must name."""
import json

import pytest

from engine.domain.catalogue import FIELD_NAMES, check_catalogue, entry_values, parse_row
from engine.domain.codes import uscc_check_char

USCC = "11620100MB0000012" + uscc_check_char("11620100MB0000012")
WRONG = "0" if USCC[17] != "0" else "1"          # any other check character


def good(**changes) -> dict:
    row = {
        "code": USCC + "2001XK0040100", "basic_code": "XK0040100000", "name": "公共场所卫生许可",
        "category": "licensing", "legal_basis": "《公共场所卫生管理条例》第八条", "process_key": "food_licence",
        "org_unit": "LZXQ", "body_name": "兰州新区卫生健康委员会", "body_uscc": USCC, "tier": "district",
        "deciding_tier": "district", "accepting_tiers": ["district", "park"], "legal_limit": 20, "promise_limit": 10,
        "onsite_visits": 1, "handle_forms": ["window", "online"], "online_depth": 3, "mobile": True,
        "materials": [{"code": "M01", "name": "身份证", "licence_types": ["id_card"]}],
        "guide": {"consult_phone": "0931-8216303", "complaint_phone": "12345"},
    }
    row.update(changes)
    return {k: v for k, v in row.items() if v is not None}


def problems(*rows, existing=None):
    entries, found = [], []
    for i, raw in enumerate(rows, start=1):
        entry, p = parse_row(raw, i)
        found += p
        if entry:
            entries.append(entry)
    return found + check_catalogue(entries, existing)


def where(found):
    return {(p.row, p.field, p.code) for p in found}


def test_a_good_row_has_no_problem():
    assert problems(good()) == []


FEE = {"fee_required": True, "fee_basis": "发改价格规〔2016〕2559号", "pay_online": False,
       "fees": [{"name": "登记费", "standard": "550元/件"}]}
ENTRUSTED = {"delegation_mode": "entrusted", "entrusting_department": "兰州新区建设和交通管理局"}

# (what is wrong, the good version of the change, the bad version, field, code)
RULES = [
    ("USCC check character", {}, {"body_uscc": USCC[:17] + WRONG, "code": USCC[:17] + WRONG + "2001XK0040100"},
     "body_uscc", "uscc_invalid"),
    ("code: USCC prefix check character", {}, {"code": USCC[:17] + WRONG + "2001XK0040100"}, "code",
     "implementation_code_uscc_invalid"),
    ("code: other body's USCC", {}, {"code": "11620100MB1234567E2001XK0040100"}, "code",
     "implementation_code_body_mismatch"),
    ("code: length", {}, {"code": USCC + "2001XK004"}, "code", "implementation_code_invalid"),
    ("code: forbidden letter", {}, {"code": USCC + "2001XK004010O"}, "code", "implementation_code_invalid"),
    ("basic code: lower case", {}, {"basic_code": "xk0040100000"}, "basic_code", "basic_code_invalid"),
    ("promise > legal", {"promise_limit": 20}, {"promise_limit": 21}, "promise_limit", "promise_exceeds_legal"),
    ("units differ", {"legal_unit": "natural_day", "promise_unit": "自然日"},
     {"legal_unit": "workday", "promise_unit": "natural_day"}, "promise_unit", "promise_unit_mismatch"),
    ("unknown unit", {"legal_unit": "calendar_day", "promise_unit": "calendar_day"},
     {"legal_unit": "hour", "promise_unit": "hour"}, "legal_unit", "legal_unit_unknown"),
    ("limit not positive", {"legal_limit": 1, "promise_limit": 1}, {"promise_limit": 0}, "promise_limit",
     "limit_not_positive"),
    ("limit not a number", {"legal_limit": "20"}, {"legal_limit": "二十"}, "legal_limit", "field_type"),
    ("zero visits, not online, no mail", {"onsite_visits": 0, "handle_forms": ["window", "mail"], "online_depth": 1},
     {"onsite_visits": 0, "handle_forms": ["window"], "online_depth": 1}, "handle_forms", "zero_visits_needs_mail"),
    ("zero visits online below IV, no mail", {"onsite_visits": 0, "handle_forms": ["online"], "online_depth": 4},
     {"onsite_visits": 0, "handle_forms": ["window", "online"], "online_depth": 3}, "handle_forms",
     "zero_visits_needs_mail"),
    ("depth IV with visits", {"onsite_visits": 0, "online_depth": 4}, {"onsite_visits": 1, "online_depth": 4},
     "onsite_visits", "full_online_needs_zero_visits"),
    ("online without depth", {"handle_forms": ["window"], "online_depth": 1},
     {"handle_forms": ["window", "online"], "online_depth": 1}, "online_depth", "online_depth_inconsistent"),
    ("depth without online", {}, {"handle_forms": ["window"], "online_depth": 3}, "online_depth",
     "online_depth_inconsistent"),
    ("depth out of range", {"online_depth": 4, "onsite_visits": 0}, {"online_depth": 5}, "online_depth",
     "online_depth_unknown"),
    ("fee without basis", FEE, {**FEE, "fee_basis": None}, "fee_basis", "fee_basis_required"),
    ("fee without pay_online", FEE, {**FEE, "pay_online": None}, "pay_online", "pay_online_required"),
    ("fee without items", FEE, {**FEE, "fees": []}, "fees", "fees_required"),
    ("fee items of a free item", {}, {"fees": FEE["fees"]}, "fees", "fees_without_charge"),
    ("fee item shape", FEE, {**FEE, "fees": [{"name": "登记费"}]}, "fees[1].standard", "fee_field_required"),
    ("phones equal", {}, {"guide": {"consult_phone": "12345", "complaint_phone": "12345"}}, "guide.complaint_phone",
     "guide_phones_equal"),
    ("consult phone missing", {}, {"guide": {"complaint_phone": "12345"}}, "guide.consult_phone",
     "guide_phone_required"),
    ("complaint phone missing", {}, {"guide": {"consult_phone": "0931-8216303"}}, "guide.complaint_phone",
     "guide_phone_required"),
    ("unknown guide text", {}, {"guide": {"consult_phone": "1", "complaint_phone": "2", "fax": "3"}}, "guide.fax",
     "guide_unknown_field"),
    ("category", {"category": "行政许可"}, {"category": "licence"}, "category", "category_unknown"),
    ("category code of table A", {"category": "21"}, {"category": "11"}, "category", "category_unknown"),
    ("tier", {}, {"tier": "county"}, "tier", "tier_unknown"),
    ("deciding tier", {"deciding_tier": "township"}, {"deciding_tier": "province"}, "deciding_tier",
     "deciding_tier_unknown"),
    ("delegation mode", {"delegation_mode": "devolved"}, {"delegation_mode": "delegated"}, "delegation_mode",
     "delegation_mode_unknown"),
    ("entrusted without entrusting dept", ENTRUSTED, {**ENTRUSTED, "entrusting_department": None},
     "entrusting_department", "entrusting_department_required"),
    ("accepting tiers", {"accepting_tiers": "district|village"}, {"accepting_tiers": ["district", "county"]},
     "accepting_tiers", "accepting_tiers_unknown"),
    ("accepting tiers empty", {}, {"accepting_tiers": []}, "accepting_tiers", "accepting_tiers_required"),
    ("accepting tiers twice", {}, {"accepting_tiers": ["park", "park"]}, "accepting_tiers",
     "accepting_tiers_duplicate"),
    ("handle form", {}, {"handle_forms": ["window", "fax"]}, "handle_forms", "handle_forms_unknown"),
    ("project type", {"project_type": "instant"}, {"project_type": "urgent"}, "project_type", "project_type_unknown"),
    ("material form", {}, {"materials": [{"code": "M01", "name": "身份证", "form": "scan"}]}, "materials[1].form",
     "material_form_unknown"),
    ("material source", {"materials": [{"code": "M01", "name": "营业执照", "source": "government"}]},
     {"materials": [{"code": "M01", "name": "营业执照", "source": "bank"}]}, "materials[1].source",
     "material_source_unknown"),
    ("material name", {}, {"materials": [{"code": "M01"}]}, "materials[1].name", "material_field_required"),
    ("material licence types", {}, {"materials": [{"code": "M01", "name": "身份证", "licence_types": "id_card"}]},
     "materials[1].licence_types", "material_field_type"),
    ("material unknown key", {}, {"materials": [{"code": "M01", "name": "身份证", "colour": "red"}]},
     "materials[1].colour", "material_unknown_field"),
    ("material copies", {}, {"materials": [{"code": "M01", "name": "身份证", "copies": -1}]}, "materials[1].copies",
     "material_field_type"),
    ("duplicate material codes", {"materials": [{"code": "M01", "name": "a"}, {"code": "M02", "name": "b"}]},
     {"materials": [{"code": "M01", "name": "a"}, {"code": "M01", "name": "b"}]}, "materials[2].code",
     "material_code_duplicate"),
    ("tolerable material off the 容缺 list",
     {"tolerant_acceptance": True, "materials": [{"code": "M01", "name": "a", "tolerable": True}]},
     {"materials": [{"code": "M01", "name": "a", "tolerable": True}]}, "materials[1].tolerable",
     "material_tolerable_without_list"),
    ("materials not a list", {"materials": json.dumps([{"code": "M01", "name": "a"}])}, {"materials": "{"},
     "materials", "field_type"),
    ("required field missing", {}, {"process_key": None}, "process_key", "field_required"),
    ("unknown field", {}, {"colour": "red"}, "colour", "unknown_field"),
    ("boolean", {"mobile": "是"}, {"mobile": "maybe"}, "mobile", "field_type"),
    ("number out of range", {"legal_limit": 1000}, {"legal_limit": 10 ** 12}, "legal_limit", "field_type"),
    ("NUL in a text", {}, {"body_name": "卫健委\x00"}, "body_name", "field_type"),
    ("NUL in a nested text", {}, {"materials": [{"code": "M01", "name": "身份\x00证"}]}, "materials", "field_type"),
]


@pytest.mark.parametrize("name, fine, broken, field, code", RULES, ids=[r[0] for r in RULES])
def test_each_rule_accepts_the_good_row_and_names_the_bad_one(name, fine, broken, field, code):
    assert problems(good(**fine)) == [], name
    found = problems(good(**broken))
    assert (1, field, code) in where(found), found


def test_duplicate_rows_name_the_first_row():
    found = problems(good(), good(), good())
    assert where(found) == {(2, "code", "duplicate_row"), (3, "code", "duplicate_row")}
    assert "row 1" in found[0].message


def test_four_same_within_the_file():
    other = USCC[:17]
    park_uscc = "11620100MB0000101" + uscc_check_char("11620100MB0000101")
    park = good(code=park_uscc + "3001XK0040100", body_uscc=park_uscc, org_unit="ZCYQ", tier="park")
    assert problems(good(), park) == []
    for name, value in (("name", "公共场所卫生许可证"), ("legal_basis", "另一依据"), ("category", "filing")):
        found = problems(good(), {**park, name: value})
        assert where(found) == {(2, name, "four_same_violation")}, (name, found)
        assert "row 1" in found[0].message
    assert other


def test_four_same_against_the_catalogue():
    pinned = {"XK0040100000": ("公共场所卫生许可", "《公共场所卫生管理条例》第八条", "licensing")}
    assert problems(good(), existing=pinned) == []
    found = problems(good(name="公共场所卫生许可（新）"), existing=pinned)
    assert where(found) == {(1, "name", "four_same_violation")}
    assert "other tiers" in found[0].message


def test_csv_text_values_read_like_json_values():
    csv_like = {k: (json.dumps(v, ensure_ascii=False) if isinstance(v, (list, dict)) else str(v))
                for k, v in good().items()}
    csv_like.update(accepting_tiers="district|park", handle_forms="window|online", mobile="true")
    entry, found = parse_row(csv_like, 2)
    assert found == []
    assert entry_values(entry) == entry_values(parse_row(good(), 1)[0])


def test_entry_values_are_canonical():
    values = entry_values(parse_row(good(), 1)[0])
    assert set(values) == set(FIELD_NAMES)
    assert values["materials"] == [{"code": "M01", "name": "身份证", "required": True, "form": "paper",
                                    "source": "applicant", "licence_types": ["id_card"], "tolerable": False,
                                    "copies": 1, "basis": ""}]
    assert values["pay_online"] is False and values["legal_unit"] == "workday"


def test_a_row_that_is_not_an_object():
    assert where(problems(["not", "an", "object"])) == {(1, "", "row_not_object")}
