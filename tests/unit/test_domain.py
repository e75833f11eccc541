"""Pure domain rules: routing targets, org-tree resolution, the audit hash chain, masking."""
from datetime import datetime, timezone

import pytest

from engine.domain import audit
from engine.domain.identity import identity_problem, mask_id_number, mask_name, valid_mobile, valid_resident_id
from engine.domain.org import BUILTIN_ROLES, Target, TargetError, UnitRef, check_role, parse_target, resolve

# district 1 → park 2 → township 3 → village 4; a second township 5 directly under the district
UNITS = {1: UnitRef(1, "district", None), 2: UnitRef(2, "park", 1), 3: UnitRef(3, "township", 2),
         4: UnitRef(4, "village", 3), 5: UnitRef(5, "township", 1)}
DEPTS = {(1, "market"): 10, (3, "social"): 30}


def route(text, origin):
    return resolve(parse_target(text), origin, UNITS.get, lambda u, c: DEPTS.get((u, c)), supervisor_unit_id=origin)


@pytest.mark.parametrize("text, expected", [
    ("township:reviewer", Target("township", "reviewer")),
    ("district:approver@market", Target("district", "approver", "market")),
    (" village:agent ", Target("village", "agent")),
])
def test_parse_target(text, expected):
    assert parse_target(text) == expected


@pytest.mark.parametrize("text, code", [("township", "routing_target_malformed"),
                                        ("town:reviewer", "routing_unknown_tier"),
                                        ("a:b:c", "routing_target_malformed")])
def test_parse_target_rejects(text, code):
    with pytest.raises(TargetError) as err:
        parse_target(text)
    assert err.value.code == code


def test_roles_are_data_so_the_role_is_checked_against_the_roles_given():
    target = parse_target("township:clerk")          # the syntax does not know which roles exist
    with pytest.raises(TargetError) as err:
        check_role(target, BUILTIN_ROLES)
    assert err.value.code == "routing_unknown_role"
    check_role(target, {*BUILTIN_ROLES, "clerk"})    # an administrator created it: known at once


def test_resolve_walks_up_to_the_tier_then_the_department():
    assert route("township:reviewer", 4).org_unit_id == 3
    assert route("village:agent", 4).org_unit_id == 4          # the receiving unit itself
    r = route("district:approver@market", 4)
    assert (r.org_unit_id, r.department_id, r.role, r.error) == (1, 10, "approver", None)
    assert route("township:approver@social", 4).department_id == 30


def test_resolve_gaps_go_to_the_supervisor_queue():
    no_park = route("park:receiver", 5)              # township 5 hangs straight under the district
    assert (no_park.org_unit_id, no_park.role) == (5, "supervisor") and "no park unit" in no_park.error
    no_dept = route("township:approver@social", 5)
    assert no_dept.role == "supervisor" and "social" in no_dept.error
    # a township window has no village above it: its own receiving role stands in for the village
    # (this was a supervisor-queue error before issue 14; tests/unit/test_routing_rule.py)
    below = route("village:agent", 3)
    assert (below.org_unit_id, below.role, below.error, below.stand_in) == (3, "receiver", None, True)


def _chain(n):
    prev, events = audit.GENESIS, []
    at = datetime(2026, 11, 27, tzinfo=timezone.utc)
    for seq in range(1, n + 1):
        payload = {"n": seq, "名字": "张三"}
        h = audit.event_hash(prev, stream="case:1", seq=seq, type="t", actor="a", at=at, payload=payload)
        events.append({"seq": seq, "type": "t", "actor": "a", "at": at, "payload": payload, "prev_hash": prev,
                       "hash": h})
        prev = h
    return events


@pytest.mark.parametrize("payload", [
    {"n": 1, "名字": "张三", "nested": {"b": [1.5, None, True, False], "a": ""}},
    {"at": datetime(2026, 11, 27, tzinfo=timezone.utc), "big": 10 ** 30, "small": 1e-7, "nan": float("nan")},
    {"quote": "\"\\\n\t\u2028\x00", "empty": {}, "list": [], "keys": {"z": 1, "a": 2, "中": 3}},
    {},
])
def test_the_canonical_text_is_the_json_module_s_with_sorted_keys(payload):
    """The hash of every event written so far was taken over this text: it may never change."""
    import json
    assert audit.canonical(payload) == json.dumps(payload, sort_keys=True, ensure_ascii=False,
                                                  separators=(",", ":"), default=str)


@pytest.mark.parametrize("actor, request_id, kind", [
    ("agent1", None, "task_created"), (None, "req-1", "case_started"), ("张三\"\n", "r\u2028", "t"),
])
def test_an_event_s_content_is_hashed_over_the_same_text_as_its_dict(actor, request_id, kind):
    import hashlib
    at = datetime(2026, 11, 27, 8, 30, 1, 123456, tzinfo=timezone.utc)
    payload = {"task": "6f1c", "candidates": [3, 1], "名": {"b": 1.5, "a": None}}
    content = {"stream": "case:12", "seq": 7, "type": kind, "actor": actor, "at": at.isoformat(), "payload": payload}
    if request_id is not None:
        content["request_id"] = request_id
    expected = hashlib.sha256(f"{audit.GENESIS}|{audit.canonical(content)}".encode()).hexdigest()
    assert audit.event_hash(audit.GENESIS, stream="case:12", seq=7, type=kind, actor=actor, at=at, payload=payload,
                            request_id=request_id) == expected


def test_audit_chain_verifies_and_detects_tampering():
    events = _chain(5)
    assert audit.verify(events, "case:1") is None
    events[2]["payload"] = {"n": 99, "名字": "张三"}
    assert audit.verify(events, "case:1") == 3
    deleted = _chain(5)
    del deleted[1]
    assert audit.verify(deleted, "case:1") == 3
    assert audit.verify(_chain(3), "case:2") == 1     # a chain cannot be moved to another case


def test_id_numbers_are_masked():
    assert mask_id_number("620102199001011234") == "620102********1234"
    assert mask_id_number("1234") == "****"
    assert mask_id_number(None) is None


def test_resident_id_check_character():
    assert valid_resident_id("11010519491231002X")
    assert not valid_resident_id("110105194912310021")
    assert not valid_resident_id("abc")
    assert valid_resident_id("11010519491231002x")                 # a lower-case x is the same character
    assert not valid_resident_id("110105194912310029")             # a wrong check digit
    assert not valid_resident_id("11010519491231002")              # 17 characters
    assert not valid_resident_id("11010519491231002X1")            # 19 characters
    assert not valid_resident_id("110105194902300020")             # 30 February (its check digit is right)
    assert not valid_resident_id("110105194913010029")             # month 13 (its check digit is right)
    assert not valid_resident_id(None) and not valid_resident_id(11010519491231002)


def test_names_are_masked_after_the_first_character():
    assert mask_name("张三") == "张*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("李") == "李"
    assert mask_name("") == "" and mask_name(None) is None


@pytest.mark.parametrize("value, ok", [("13800001234", True), ("19912345678", True), ("12800001234", False),
                                       ("1380000123", False), ("138000012345", False), ("0931-1234567", False),
                                       ("+8613800001234", False), (13800001234, False)])
def test_mainland_mobile_numbers(value, ok):
    assert valid_mobile(value) is ok


def test_identity_problem_names_the_code_and_the_field():
    assert identity_problem({"name": "张三", "id_number": "11010519491231002X", "phone": "13800001234"},
                            {"mobile": "13912345678"}) is None
    assert identity_problem({"name": "张三"}, {}) is None
    assert identity_problem({"id_number": "110105194912310029"}, {}) == ("id_number_invalid", "applicant.id_number")
    assert identity_problem({"mobile": "12345"}, {}) == ("phone_invalid", "applicant.mobile")
    assert identity_problem({}, {"phone": "0931-1234567"}) == ("phone_invalid", "form.phone")
