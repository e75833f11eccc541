"""Materials rules (pure): sniffing, upload checks, slots, 容缺 bounds, completeness."""
import hashlib
import io
import zipfile
from datetime import date

import pytest

from engine.domain import materials as rules
from engine.domain.calendar import WorkCalendar
from engine.domain.errors import TooLarge, UnsupportedType, ValidationError
from engine.domain.identity import id_key

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 16
TIFF_LE, TIFF_BE = b"II*\x00" + b"\x00" * 8, b"MM\x00*" + b"\x00" * 8
GIF = b"GIF89a" + b"\x00" * 16
ALLOWED = ("application/pdf", "image/jpeg", "image/png", "image/tiff", "application/ofd")


def zipped(*names):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize("content, expected", [
    (PDF, "application/pdf"), (PNG, "image/png"), (JPEG, "image/jpeg"), (TIFF_LE, "image/tiff"),
    (TIFF_BE, "image/tiff"), (zipped("OFD.xml", "Doc_0/Document.xml"), "application/ofd"),
    (zipped("word/document.xml"), None), (b"PK\x03\x04 broken zip", None), (GIF, None),
    (b"<html><script>", None), (b"", None), (b"%PD", None),
])
def test_sniff(content, expected):
    assert rules.sniff(content) == expected


def check(content, declared=None, sha=None, max_bytes=1000):
    return rules.check_file(content, declared, sha, max_bytes=max_bytes, allowed=ALLOWED)


def test_accepted_file_facts():
    facts = check(PDF, "application/pdf", hashlib.sha256(PDF).hexdigest().upper())
    assert facts == rules.FileFacts(hashlib.sha256(PDF).hexdigest(), len(PDF), "application/pdf")


@pytest.mark.parametrize("declared", [None, "", "application/octet-stream", "image/jpg", "IMAGE/JPEG; q=1"])
def test_generic_or_aliased_declarations_are_not_mismatches(declared):
    assert check(JPEG, declared).media_type == "image/jpeg"


@pytest.mark.parametrize("content, declared, sha, error, code", [
    (b"x" * 1001, "application/pdf", None, TooLarge, "material_too_large"),
    (b"", None, None, ValidationError, "material_empty"),
    (GIF, "image/gif", None, UnsupportedType, "material_type_forbidden"),
    (b"MZ\x90\x00 an exe", "application/pdf", None, UnsupportedType, "material_type_forbidden"),
    (PNG, "application/pdf", None, ValidationError, "material_type_mismatch"),
    (PDF, "image/png", None, ValidationError, "material_type_mismatch"),
    (PDF, None, "0" * 64, ValidationError, "material_hash_mismatch"),
    (PDF, None, "not-a-hash", ValidationError, "material_hash_invalid"),
])
def test_rejected_files(content, declared, sha, error, code):
    with pytest.raises(error) as e:
        check(content, declared, sha)
    assert e.value.code == code


def test_a_type_the_settings_leave_out_is_forbidden_even_if_known():
    with pytest.raises(UnsupportedType):
        rules.check_file(PNG, None, None, max_bytes=100, allowed=("application/pdf",))


MATERIALS = [{"code": "M01", "name": "身份证", "licence_types": ["id_card"]},
             {"code": "M02", "name": "平面图", "tolerable": True},
             {"code": "M03", "name": "照片", "required": False},
             {"name": "no code: ignored"}, "garbage"]


def test_slots_read_the_agreed_shape_and_skip_garbage():
    slots = rules.slots(MATERIALS)
    assert [s.code for s in slots] == ["M01", "M02", "M03"]
    assert slots[0].licence_types == ("id_card",) and slots[0].required and not slots[0].tolerable
    assert slots[1].tolerable and not slots[2].required
    with pytest.raises(ValidationError) as e:
        rules.slot(MATERIALS, "M99")
    assert e.value.code == "material_unknown"


def test_licences_are_not_declarable_unless_the_catalogue_says_so():
    with pytest.raises(ValidationError) as e:
        rules.check_declarable(rules.slot(MATERIALS, "M01"))
    assert e.value.code == "material_not_declarable"
    rules.check_declarable(rules.slot(MATERIALS, "M02"))
    rules.check_declarable(rules.slot([{"code": "X", "licence_types": ["id_card"], "declarable": True}], "X"))
    with pytest.raises(ValidationError):
        rules.check_declarable(rules.slot([{"code": "Y", "declarable": False}], "Y"))


def test_document_must_fit_the_slot():
    s = rules.slot(MATERIALS, "M01")
    rules.check_document_fits(s, "id_card", None, date(2026, 1, 1))
    rules.check_document_fits(rules.slot(MATERIALS, "M02"), "anything", None, date(2026, 1, 1))
    with pytest.raises(ValidationError, match="business_licence") as e:
        rules.check_document_fits(s, "business_licence", None, date(2026, 1, 1))
    assert e.value.code == "document_kind_mismatch"
    with pytest.raises(ValidationError) as e:
        rules.check_document_fits(s, "id_card", date(2025, 12, 31), date(2026, 1, 1))
    assert e.value.code == "document_expired"


CAL = WorkCalendar()          # weekdays only: enough for the bound arithmetic


def test_promise_bound_counts_the_promised_limit_from_today_or_takes_the_running_deadline():
    friday = date(2026, 11, 27)
    assert rules.promise_bound(CAL, friday, None, 5, "workday", "exclude_start") == date(2026, 12, 4)
    assert rules.promise_bound(CAL, friday, date(2026, 12, 1), 5, "workday", "exclude_start") == date(2026, 12, 1)
    assert rules.promise_bound(CAL, friday, None, None, "workday", "exclude_start") is None


@pytest.mark.parametrize("tolerant, code, deadline, bound, error", [
    (True, "M02", date(2026, 12, 4), date(2026, 12, 4), None),
    (True, "M02", date(2026, 12, 5), date(2026, 12, 4), "tolerance_deadline_beyond_limit"),
    (True, "M02", date(2026, 11, 26), date(2026, 12, 4), "tolerance_deadline_past"),
    (True, "M02", date(2026, 12, 1), None, "tolerance_without_limit"),
    (True, "M01", date(2026, 12, 1), date(2026, 12, 4), "material_not_tolerable"),
    (False, "M02", date(2026, 12, 1), date(2026, 12, 4), "item_not_tolerant"),
])
def test_tolerance(tolerant, code, deadline, bound, error):
    call = lambda: rules.check_tolerance(tolerant, rules.slot(MATERIALS, code), deadline, date(2026, 11, 27), bound)  # noqa: E731
    if error is None:
        call()
    else:
        with pytest.raises(ValidationError) as e:
            call()
        assert e.value.code == error


S = rules.Satisfied


@pytest.mark.parametrize("got, proxy, mandate, expected", [
    ({}, False, False, (False, False, ("M01", "M02"), (), ())),
    ({"M01": S("e_licence", "A"), "M02": S("tolerated", None)}, False, False, (True, True, (), (), ("M02",))),
    ({"M01": S("upload", "C"), "M02": S("declaration", "D")}, False, False, (True, False, (), ("M01",), ())),
    ({"M01": S("vault", "B"), "M02": S("upload", "B")}, True, False, (False, False, (), (), ())),
    ({"M01": S("vault", "B"), "M02": S("upload", "B")}, True, True, (True, True, (), (), ())),
    ({"M01": S("vault", "B"), "M02": S("upload", "B"), "M03": S("upload", "C")}, False, False,
     (True, False, (), ("M03",), ())),
])
def test_completeness(got, proxy, mandate, expected):
    result = rules.completeness(rules.slots(MATERIALS), got, proxy, mandate)
    assert (result.complete, result.ready, result.missing, result.unverified, result.tolerated) == expected
    assert result.mandate_missing == (proxy and not mandate)


def test_id_key_is_keyed_and_normalised():
    a = id_key("secret", "62010219900101123x")
    assert a == id_key("secret", " 62010219900101123X ") and len(a) == 64
    assert a != id_key("other secret", "62010219900101123X")
    assert "62010219900101123" not in a and id_key("secret", "") is None and id_key("secret", None) is None
