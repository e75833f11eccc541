"""Materials rules (pure): what an upload is (sniffed, never trusted from the client), the
material slots of an implementation (docs/materials.md#material-slots), trust levels of the e-licence
guide (docs/materials.md#trust-levels-and-e-licences), 容缺受理 bounds and the completeness check the
acceptance step reads."""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Mapping, Optional

from engine.domain import deadlines as dl
from engine.domain.calendar import WorkCalendar
from engine.domain.errors import TooLarge, UnsupportedType, ValidationError

# 国办函〔2016〕108号: A e-licence from the issuing body, B verified by window staff,
# C uploaded by the user (original to be checked at the window), D the user's own declaration
TRUST_LEVELS = ("A", "B", "C", "D")
REUSABLE = ("A", "B")                   # "免证办": slots auto-filled from these
MODES = ("upload", "vault", "e_licence", "declaration", "tolerated")
MANDATE_SCOPES = ("full_proxy", "step_help", "guidance")     # 全程代办 / 环节帮办 / 现场导办
KIND = re.compile(r"^[a-z][a-z0-9_]{1,47}$")                   # id_card, business_licence, ...
SHA256 = re.compile(r"^[0-9a-f]{64}$")

_ALIASES = {"image/jpg": "image/jpeg", "image/pjpeg": "image/jpeg", "image/tif": "image/tiff",
            "application/x-pdf": "application/pdf", "application/x-ofd": "application/ofd"}
_UNDECLARED = {"", "application/octet-stream", "binary/octet-stream"}


def sniff(content: bytes) -> Optional[str]:
    """The media type the bytes really are (magic numbers), or None when not one we know."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith((b"II*\x00", b"MM\x00*")):
        return "image/tiff"
    if content.startswith(b"PK\x03\x04"):
        # OFD (GB/T 33190) is a ZIP container with OFD.xml at its root; only the central directory
        # is read, nothing is decompressed
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as z:
                return "application/ofd" if "OFD.xml" in z.namelist() else None
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
    return None


def declared_type(value: Optional[str]) -> Optional[str]:
    """The client's Content-Type, normalised; None when it declares nothing specific."""
    base = (value or "").split(";", 1)[0].strip().lower()
    if base in _UNDECLARED:
        return None
    return _ALIASES.get(base, base)


@dataclass(frozen=True)
class FileFacts:
    sha256: str
    size: int
    media_type: str


def check_file(content: bytes, declared: Optional[str], claimed_sha256: Optional[str], *, max_bytes: int,
               allowed: Iterable[str]) -> FileFacts:
    """Accept an upload or say exactly why not: size, then sniffed type, then the declared type and
    the client's hash must agree with the bytes."""
    if len(content) > max_bytes:
        raise TooLarge(f"the file has {len(content)} bytes; the limit is {max_bytes}", code="material_too_large",
                       field="file")
    if not content:
        raise ValidationError("the file is empty", code="material_empty", field="file")
    sniffed = sniff(content)
    if sniffed is None or sniffed not in set(allowed):
        raise UnsupportedType(f"files of this type are not accepted (allowed: {', '.join(sorted(allowed))})",
                              code="material_type_forbidden", field="file")
    said = declared_type(declared)
    if said is not None and said != sniffed:
        raise ValidationError(f"the file was declared {said} but its content is {sniffed}",
                              code="material_type_mismatch", field="file")
    digest = hashlib.sha256(content).hexdigest()
    if claimed_sha256:
        claimed = claimed_sha256.strip().lower()
        if not SHA256.match(claimed):
            raise ValidationError("sha256 must be 64 hex digits", code="material_hash_invalid", field="sha256")
        if claimed != digest:
            raise ValidationError("the file's SHA-256 differs from the one sent: it was damaged on the way",
                                  code="material_hash_mismatch", field="sha256")
    return FileFacts(digest, len(content), sniffed)


@dataclass(frozen=True)
class Slot:
    """One material of an implementation (the agreed JSON shape of item_implementation.materials)."""
    code: str
    name: str
    required: bool = True
    licence_types: tuple = ()
    tolerable: bool = False
    form: str = "both"
    source: str = "applicant"
    declarable: bool = True         # 告知承诺 may replace it (absent: only materials that are no licence)


def slots(materials: Optional[list]) -> list[Slot]:
    out = []
    for m in materials or []:
        if not isinstance(m, Mapping) or not m.get("code"):
            continue                 # the catalogue validators reject these; never crash a case on them
        out.append(Slot(str(m["code"]), str(m.get("name") or m["code"]), bool(m.get("required", True)),
                        tuple(str(k) for k in (m.get("licence_types") or ())), bool(m.get("tolerable", False)),
                        str(m.get("form") or "both"), str(m.get("source") or "applicant"),
                        bool(m.get("declarable", not m.get("licence_types")))))
    return out


def slot(materials: Optional[list], code: str) -> Slot:
    for s in slots(materials):
        if s.code == code:
            return s
    raise ValidationError(f"the item has no material {code!r}", code="material_unknown", field="code")


def check_document_fits(s: Slot, kind: str, valid_until: Optional[date], today: date) -> None:
    """A vault document may fill a slot that accepts its kind, while it is valid."""
    if s.licence_types and kind not in s.licence_types:
        raise ValidationError(f"material {s.code} takes {', '.join(s.licence_types)}, not {kind}",
                              code="document_kind_mismatch", field="document_id")
    if valid_until is not None and valid_until < today:
        raise ValidationError(f"the document expired on {valid_until.isoformat()}", code="document_expired",
                              field="document_id")


def check_declarable(s: Slot) -> None:
    """A self-declaration (告知承诺, trust D) stands in for a fact the applicant can vouch for; it
    cannot stand in for a licence (an ID card, a business licence) unless the catalogue says so."""
    if not s.declarable:
        raise ValidationError(f"material {s.code} cannot be replaced by a self-declaration",
                              code="material_not_declarable", field="code")


def promise_bound(cal: WorkCalendar, today: date, promise_day: Optional[date], limit: Optional[int],
                  unit: str, convention: str) -> Optional[date]:
    """The last day a 容缺 supplement may be promised for: the case's promised deadline when the
    clock runs, else the promised limit counted from today (acceptance happens at intake)."""
    if promise_day is not None:
        return promise_day
    if limit is None:
        return None
    return dl.deadline(cal, today, dl.Limit(limit, unit), (), convention)


def check_tolerance(tolerant_item: bool, s: Slot, deadline: date, today: date, bound: Optional[date]) -> None:
    """容缺受理: only items on the 容缺 list, only secondary (tolerable) materials, and the
    committed supplement deadline within the item's promised limit."""
    if not tolerant_item:
        raise ValidationError("this item is not on the 容缺受理 list", code="item_not_tolerant", field="code")
    if not s.tolerable:
        raise ValidationError(f"material {s.code} is a main material and cannot be missing under 容缺受理",
                              code="material_not_tolerable", field="code")
    if deadline < today:
        raise ValidationError("the committed deadline is in the past", code="tolerance_deadline_past",
                              field="deadline")
    if bound is None:
        raise ValidationError("the item has no promised limit to bound a 容缺 deadline",
                              code="tolerance_without_limit", field="deadline")
    if deadline > bound:
        raise ValidationError(f"the committed deadline must not exceed the promised limit ({bound.isoformat()})",
                              code="tolerance_deadline_beyond_limit", field="deadline")


@dataclass(frozen=True)
class Satisfied:
    mode: str
    trust_level: Optional[str]


def status_of(s: Slot, got: Optional[Satisfied]) -> str:
    if got is None:
        return "missing"
    if got.mode == "tolerated":
        return "tolerated"
    return "unverified" if got.trust_level == "C" else "satisfied"


@dataclass(frozen=True)
class Completeness:
    complete: bool                 # every required material is there or tolerated (and a mandate for proxy)
    ready: bool                    # complete, and no user upload still waits for window verification
    missing: tuple = ()            # required materials with nothing
    unverified: tuple = ()         # C-level materials (original not yet checked at a window)
    tolerated: tuple = ()
    mandate_missing: bool = False


def completeness(all_slots: list[Slot], got: Mapping[str, Satisfied], mandate_required: bool,
                 has_mandate: bool) -> Completeness:
    status = {s.code: status_of(s, got.get(s.code)) for s in all_slots}
    missing = tuple(s.code for s in all_slots if s.required and status[s.code] == "missing")
    unverified = tuple(c for c, st in status.items() if st == "unverified")
    tolerated = tuple(c for c, st in status.items() if st == "tolerated")
    mandate_missing = mandate_required and not has_mandate
    complete = not missing and not mandate_missing
    return Completeness(complete, complete and not unverified, missing, unverified, tolerated, mandate_missing)
