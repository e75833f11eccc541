"""一件事 packages (docs/packages.md#domain-rules), pure rules: one merged form (一表申请) with fields de-duplicated
by name, one material set (一套材料) de-duplicated by e-licence types or name, and the combined
result of the child cases (all granted → completed; any refused → partially completed)."""
from __future__ import annotations

import json
from typing import Optional

from engine.domain.errors import ValidationError

MAX_PROMISE_WORKDAYS = 45        # Art. 26/42 ¶2: joint handling within 45 working days (+15 approved)
# keywords that only describe a field: two items may word a field differently and still mean it
_ANNOTATIONS = {"title", "description", "examples", "default", "$comment", "deprecated", "readOnly", "writeOnly"}


def _essence(schema):
    if isinstance(schema, dict):
        return {k: _essence(v) for k, v in schema.items() if k not in _ANNOTATIONS}
    if isinstance(schema, list):
        return [_essence(v) for v in schema]
    return schema


def merge_forms(title: str, members: list[tuple[str, Optional[dict]]]) -> tuple[dict, dict[str, list[str]]]:
    """(merged schema, member code -> the fields it takes). A field two items define differently
    (type, pattern, enum ... — not merely its title) is a ValidationError naming both items."""
    properties: dict[str, dict] = {}
    owners: dict[str, str] = {}
    required: list[str] = []
    fields: dict[str, list[str]] = {}
    conflicts = []
    for code, schema in members:
        props = (schema or {}).get("properties", {})
        fields[code] = sorted(props)
        for name, prop in props.items():
            if name not in properties:
                properties[name], owners[name] = prop, code
            elif json.dumps(_essence(prop), sort_keys=True) != json.dumps(_essence(properties[name]), sort_keys=True):
                conflicts.append({"field": name, "items": [owners[name], code]})
        for name in (schema or {}).get("required", []):
            if name not in required:
                required.append(name)
    if conflicts:
        first = conflicts[0]
        raise ValidationError(f"field {first['field']!r} is defined differently by {first['items'][0]} and "
                              f"{first['items'][1]}", code="package_form_conflict", field="members",
                              detail={"conflicts": conflicts})
    merged = {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": title, "type": "object",
              "properties": properties, "required": required}
    return merged, fields


def merge_materials(members: list[tuple[str, list[dict]]]) -> list[dict]:
    """One material set: a material asked by several items (same accepted e-licence types, or
    the same name when it has none) is asked once, required if any item requires it."""
    merged: dict[tuple, dict] = {}
    for code, materials in members:
        for m in materials or []:
            key = ("licence", tuple(sorted(m["licence_types"]))) if m.get("licence_types") else ("name", m.get("name"))
            if key in merged:
                seen = merged[key]
                seen["required"] = bool(seen.get("required")) or bool(m.get("required"))
                seen["copies"] = max(seen.get("copies", 1), m.get("copies", 1))
                seen["items"].append(code)
            else:
                merged[key] = {**m, "items": [code]}
    out = list(merged.values())
    for i, m in enumerate(out, 1):
        m["code"] = f"P{i:02d}"
    return out


def combined_result(outcomes: list[str]) -> tuple[str, str, Optional[str]]:
    """(case status, lifecycle, decision) of the parent from its children's outcomes
    (granted | refused | withdrawn | not_accepted | returned | completed | open). A child that
    ended without a decision other than by withdrawal counts as not granted."""
    if not outcomes or "open" in outcomes:
        return "running", "in_progress", None
    if all(o == "withdrawn" for o in outcomes):
        return "withdrawn", "withdrawn", None
    granted = sum(o in ("granted", "completed") for o in outcomes)
    if granted == len(outcomes):
        return "completed", "completed", "granted"
    if granted == 0:
        return "completed", "completed", "refused"
    return "completed", "partially_completed", "partial"
