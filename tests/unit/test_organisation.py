"""The organisation's pure rules: which tier sits under which, a file's records checked against
each other and what the database holds, and the JSON/CSV formats (problems with kind, row and
field; an export read back is the same records)."""
import json

import pytest

from engine.domain.organisation import Known, check_records, parent_problem
from engine.domain.organisation_files import read_records, to_csv, to_json


@pytest.mark.parametrize("tier, parent, code", [
    ("district", None, None), ("park", "district", None), ("township", "park", None),
    ("township", "district", None), ("village", "township", None),
    ("district", "park", "org_tier_order"), ("park", "township", "org_tier_order"),
    ("township", "village", "org_tier_order"), ("village", "park", "org_tier_order"),
    ("village", "district", "org_tier_order"), ("park", None, "org_parent_required"),
    ("village", None, "org_parent_required"), ("county", "district", "org_unknown_tier"),
])
def test_which_tier_sits_under_which(tier, parent, code):
    found = parent_problem(tier, parent)
    assert (found[0] if found else None) == code


KNOWN = Known(units={"D": ("district", None), "P": ("park", "D"), "T": ("township", "P")},
              departments={("T", "social")}, halls={"T-H": "T"}, windows={"T-W1": "T-H"},
              roles={"receiver": True, "agent": False}, staff={"wang"})


def problems(*records):
    return [(p.kind, p.row, p.field, p.code) for p in check_records(list(records), KNOWN)]


def test_records_may_name_the_database_and_each_other():
    assert problems(("unit", 1, {"code": "V", "name": "村", "tier": "village", "parent": "T"}),
                    ("hall", 1, {"unit": "V", "code": "V-H", "name": "站", "kind": "convenience_station"}),
                    ("window", 1, {"hall": "V-H", "code": "V-W1", "name": "窗", "kind": "proxy"}),
                    ("role", 1, {"code": "clerk", "name_zh": "办事员", "name_en": "Clerk"}),
                    ("post", 1, {"username": "wang", "window": "V-W1", "role": "clerk"})) == []


def test_every_broken_reference_is_a_problem_with_its_row_and_field():
    assert problems(
        ("unit", 1, {"code": "V", "name": "村", "tier": "village", "parent": "P"}),
        ("unit", 2, {"code": "X", "name": "X", "tier": "park", "parent": "NOPE"}),
        ("unit", 3, {"code": "V", "name": "村", "tier": "village", "parent": "T"}),
        ("window", 1, {"hall": "T-H", "code": "T-W2", "name": "窗", "kind": "department", "department": "market"}),
        ("window", 2, {"hall": "NOPE", "code": "T-W3", "name": "窗", "kind": "proxy"}),
        ("post", 1, {"username": "li", "window": "T-W9", "role": "agent"}),
    ) == [("unit", 3, "code", "org_duplicate"), ("unit", 1, "tier", "org_tier_order"),
          ("unit", 2, "parent", "org_parent_unknown"),
          ("window", 1, "department", "department_unknown"), ("window", 2, "hall", "hall_not_found"),
          ("post", 1, "username", "account_not_found"), ("post", 1, "window", "window_not_found"),
          ("post", 1, "role", "org_unknown_role")]


def test_a_new_tier_must_suit_the_units_below_and_halls_stay_at_their_unit():
    assert problems(("unit", 1, {"code": "P", "name": "P", "tier": "township", "parent": "D"})) == [
        ("unit", 1, "tier", "org_tier_order")]          # T (a township) would sit under a township
    assert problems(("hall", 1, {"unit": "P", "code": "T-H", "name": "H", "kind": "service_center"})) == [
        ("hall", 1, "unit", "org_hall_unit_fixed")]


def test_csv_problems_name_the_spreadsheet_row_and_field():
    csv = ("\ufeffrecord,code,name,tier,parent,kind,active\r\n"
           "unit,D,新区,district,,,\r\n"
           "unit,P 1,园区,park,D,,maybe\r\n"
           "\r\n"
           "hall,,,,,palace,\r\n"
           "gate,X,,,,,\r\n").encode()
    records, found = read_records(csv, "csv")
    assert [(p.kind, p.row, p.field, p.code) for p in found] == [
        ("unit", 3, "code", "org_code_invalid"), ("unit", 3, "active", "org_value_invalid"),
        ("hall", 5, "unit", "org_field_required"), ("hall", 5, "code", "org_field_required"),
        ("hall", 5, "name", "org_field_required"), ("hall", 5, "kind", "org_value_unknown"),
        ("file", 6, "record", "org_record_unknown")]
    assert records == [("unit", 2, {"code": "D", "name": "新区", "tier": "district"})]


@pytest.mark.parametrize("content, fmt, code", [
    (b"[]", "json", "org_json_invalid"), (b"{", "json", "org_json_invalid"), (b"{}", "json", "org_file_empty"),
    (b'{"units": {}}', "json", "org_json_invalid"), (b'{"people": []}', "json", "org_field_unknown"),
    (b"code,name\r\n", "csv", "org_column_missing"), (b"\xff\xfe", "csv", "org_file_not_utf8"),
    (b"x", "xml", "org_format_unknown"),
])
def test_a_file_that_cannot_be_read_says_why(content, fmt, code):
    records, found = read_records(content, fmt)
    assert records == [] and found[0].code == code


SECTIONS = {"role": [{"code": "clerk", "name_zh": "办事员", "name_en": "Clerk", "active": False}],
            "unit": [{"code": "D", "name": "新区, 总部", "tier": "district", "active": True}],
            "staff": [{"username": "li", "name": "李四", "active": True, "system_roles": ["admin", "designer"]}],
            "post": [{"username": "li", "window": "W", "role": "clerk"}]}


@pytest.mark.parametrize("fmt, write", [("json", to_json), ("csv", to_csv)])
def test_an_export_reads_back_as_the_same_records(fmt, write):
    records, found = read_records(write(SECTIONS), fmt)
    assert found == []
    assert {k: [v for kind, _, v in records if kind == k] for k in SECTIONS} == SECTIONS
    if fmt == "json":
        assert json.loads(write(SECTIONS))["format"] == "lianban-organisation/1"
