"""Shapes of the nested parts of a catalogue entry: materials (`*_material`,
docs/materials.md#trust-levels-and-e-licences: e-licence kinds), fee items (`*_fee_project`) and
the guide texts (办事指南). Pure.

Each check returns (field, code, message) triples; field paths look like `materials[2].form`
(1-based, as a person counts). `normal_*` fill the defaults, so that stored JSON is canonical and
an export imported again compares equal."""
from __future__ import annotations

from typing import Any

MATERIAL_FORMS = ("paper", "electronic", "both")
MATERIAL_SOURCES = ("applicant", "government")
MATERIAL_DEFAULTS = {"required": True, "form": "paper", "source": "applicant", "licence_types": [],
                     "tolerable": False, "copies": 1, "basis": ""}
FEE_DEFAULTS = {"basis": "", "reducible": False}
GUIDE_KEYS = ("accept_condition", "handle_flow", "address", "hours", "consult_phone", "complaint_phone")


def _text(value: Any, required: bool) -> bool:
    return isinstance(value, str) and (bool(value.strip()) or not required)


def _object(where: str, obj: dict, kind: str, required: tuple, optional: dict) -> list[tuple[str, str, str]]:
    """Unknown keys, required texts, and the type of the optional flags and `basis` of one nested
    object (the enumerated keys are checked by the caller)."""
    out = [(f"{where}.{key}", f"{kind}_unknown_field", f"{where} has an unknown field {key!r}")
           for key in obj if key not in (*required, *optional)]
    out += [(f"{where}.{key}", f"{kind}_field_required", f"{where}.{key} is required text")
            for key in required if not _text(obj.get(key), True)]
    for key, default in optional.items():
        if key in obj and isinstance(default, bool) and not isinstance(obj[key], bool):
            out.append((f"{where}.{key}", f"{kind}_field_type", f"{where}.{key} must be true or false"))
        elif key == "basis" and key in obj and not _text(obj[key], False):
            out.append((f"{where}.{key}", f"{kind}_field_type", f"{where}.{key} must be text"))
    return out


def check_materials(materials: list, tolerant_acceptance: bool) -> list[tuple[str, str, str]]:
    out = []
    seen: dict[str, int] = {}
    for i, m in enumerate(materials, start=1):
        where = f"materials[{i}]"
        if not isinstance(m, dict):
            out.append((where, "material_invalid", f"{where} must be an object"))
            continue
        out += _object(where, m, "material", ("code", "name"), MATERIAL_DEFAULTS)
        for key, allowed in (("form", MATERIAL_FORMS), ("source", MATERIAL_SOURCES)):
            if key in m and m[key] not in allowed:
                out.append((f"{where}.{key}", f"material_{key}_unknown",
                            f"{where}.{key} {m[key]!r} is not one of {', '.join(allowed)}"))
        kinds = m.get("licence_types", [])
        if not isinstance(kinds, list) or not all(isinstance(k, str) and k.strip() for k in kinds):
            out.append((f"{where}.licence_types", "material_field_type",
                        f"{where}.licence_types must be a list of e-licence kinds"))
        copies = m.get("copies", 1)
        if isinstance(copies, bool) or not isinstance(copies, int) or copies < 0:
            out.append((f"{where}.copies", "material_field_type", f"{where}.copies must be a whole number ≥ 0"))
        if m.get("tolerable") is True and not tolerant_acceptance:
            out.append((f"{where}.tolerable", "material_tolerable_without_list",
                        f"{where} may be missing under 容缺受理 only if the item is on the 容缺 list "
                        "(tolerant_acceptance)"))
        code = m.get("code")
        if isinstance(code, str) and code.strip():
            if code in seen:
                out.append((f"{where}.code", "material_code_duplicate",
                            f"material code {code} is already used by materials[{seen[code]}]"))
            seen.setdefault(code, i)
    return out


def check_fees(fees: list) -> list[tuple[str, str, str]]:
    out = []
    for i, fee in enumerate(fees, start=1):
        where = f"fees[{i}]"
        if not isinstance(fee, dict):
            out.append((where, "fee_invalid", f"{where} must be an object"))
            continue
        out += _object(where, fee, "fee", ("name", "standard"), FEE_DEFAULTS)
    return out


def check_guide(guide: dict) -> list[tuple[str, str, str]]:
    """The guide's texts; 咨询电话 and 投诉电话 are both given and differ."""
    out = []
    for key, value in guide.items():
        if key not in GUIDE_KEYS:
            out.append((f"guide.{key}", "guide_unknown_field", f"guide has an unknown field {key!r}"))
        elif not isinstance(value, str):
            out.append((f"guide.{key}", "guide_field_type", f"guide.{key} must be text"))
    consult, complaint = guide.get("consult_phone"), guide.get("complaint_phone")
    for key, value in (("consult_phone", consult), ("complaint_phone", complaint)):
        if not _text(value, True):
            out.append((f"guide.{key}", "guide_phone_required", f"guide.{key} is required (咨询电话/投诉电话)"))
    if _text(consult, True) and _text(complaint, True) and consult.strip() == complaint.strip():
        out.append(("guide.complaint_phone", "guide_phones_equal",
                    "the complaint phone (投诉电话) must differ from the consultation phone (咨询电话)"))
    return out


def normal_materials(materials: list) -> list[dict]:
    return [{"code": m["code"], "name": m["name"], **{k: m.get(k, d) for k, d in MATERIAL_DEFAULTS.items()}}
            for m in materials]


def normal_fees(fees: list) -> list[dict]:
    return [{"name": fee["name"], "standard": fee["standard"], **{k: fee.get(k, d) for k, d in FEE_DEFAULTS.items()}}
            for fee in fees]


def normal_guide(guide: dict) -> dict:
    return {k: guide[k] for k in GUIDE_KEYS if guide.get(k) not in (None, "")}
