"""Organisation files: JSON (one list per kind) and CSV (one file, a `record` column naming the
kind of each row, UTF-8 with BOM for Excel), in and out, so that an export imported again changes
nothing. Reading checks each record's own fields; engine/domain/organisation.py checks the
records against each other and the database."""

from __future__ import annotations

import csv
import io
import json
from typing import Optional

from engine.domain import hall_hours, input_limits
from engine.domain.deadlines import closing_time
from engine.domain.org import TIERS
from engine.domain.organisation import (
    _found,
    CODE,
    HALL_KINDS,
    MIN_PASSWORD,
    ROLE_CODE,
    SYSTEM_ROLES,
    USERNAME,
    WINDOW_KINDS,
    OrgProblem,
    code_problem,
)

FORMAT = "lianban-organisation/1"
FORMATS = ("json", "csv")
MAX_RECORDS = 20000
# kind -> the JSON list holding it, in the order an import applies them (what a record names exists first)
SECTIONS = {
    "role": "roles",
    "unit": "units",
    "department": "departments",
    "hall": "halls",
    "window": "windows",
    "staff": "staff",
    "post": "posts",
}
# kind -> {field: (required, check)}; checks: text:<max>, code, role_code, username, bool, one of a tuple,
# roles (system roles, `a|b` in CSV), password
FIELDS: dict[str, dict[str, tuple[bool, object]]] = {
    "role": {
        "code": (True, "role_code"),
        "name_zh": (True, "text:100"),
        "name_en": (True, "text:100"),
        "description": (False, "text:500"),
        "active": (False, "bool"),
    },
    "unit": {
        "code": (True, "code"),
        "name": (True, "text:200"),
        "tier": (True, TIERS),
        "parent": (False, "code"),
        "active": (False, "bool"),
    },
    "department": {
        "unit": (True, "code"),
        "code": (True, "code"),
        "name": (True, "text:200"),
        "active": (False, "bool"),
    },
    "hall": {
        "unit": (True, "code"),
        "code": (True, "code"),
        "name": (True, "text:200"),
        "kind": (True, HALL_KINDS),
        "active": (False, "bool"),
        "closes_at": (False, "closing_time"),    # "17:30": later receipts count from the next working day
        "hours": (False, "hours"),               # seasons of weekday rules (engine/domain/hall_hours.py)
    },
    "window": {
        "hall": (True, "code"),
        "code": (True, "code"),
        "name": (True, "text:200"),
        "kind": (True, WINDOW_KINDS),
        "department": (False, "code"),
        "active": (False, "bool"),
    },
    "staff": {
        "username": (True, "username"),
        "name": (True, "text:100"),
        "active": (False, "bool"),
        "password": (False, "password"),
        "system_roles": (False, "roles"),
        "staff_no": (False, "text:32"),          # 工号: what a rating shows of the clerk (docs/ratings.md)
    },
    "post": {"username": (True, "username"), "window": (True, "code"), "role": (True, "role_code")},
}
CSV_COLUMNS = [
    "record",
    "code",
    "name",
    "name_zh",
    "name_en",
    "description",
    "tier",
    "parent",
    "unit",
    "hall",
    "kind",
    "department",
    "window",
    "username",
    "role",
    "system_roles",
    "active",
    "password",
    "staff_no",
    "closes_at",
    "hours",
]
_TRUE, _FALSE = {"true", "1", "yes", "是", "y"}, {"false", "0", "no", "否", "n"}


def read_records(content: bytes, fmt: str) -> tuple[list[tuple[str, int, dict]], list[OrgProblem]]:
    """(kind, row, checked values) of every record in file order, and the problems found."""
    if fmt not in FORMATS:
        return [], [
            OrgProblem("file", 0, "format", code="org_format_unknown", message=f"format is one of {', '.join(FORMATS)}")
        ]
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [
            OrgProblem(
                "file",
                0,
                "file",
                code="org_file_not_utf8",
                message=f"the file is not UTF-8 (byte {exc.start}); save it as 'CSV UTF-8' in Excel",
            )
        ]
    raw, problems = _read_json(text) if fmt == "json" else _read_csv(text)
    if problems and not raw:
        return [], problems
    if not raw:
        return [], [OrgProblem("file", 0, "file", code="org_file_empty", message="the file has no records")]
    if len(raw) > MAX_RECORDS:
        return [], [
            OrgProblem("file", 0, "file", code="org_file_too_large", message=f"at most {MAX_RECORDS} records per file")
        ]
    records = []
    for kind, row, values in raw:
        checked, found = check_fields(kind, row, values)
        problems += found
        if not found:
            records.append((kind, row, checked))
    if fmt == "csv":  # one sheet: in the order of its rows
        problems.sort(key=lambda p: p.row)
    return records, problems


def check_fields(kind: str, row: int, values: dict) -> tuple[dict, list[OrgProblem]]:
    """A record's own fields, converted (booleans, role lists) and checked; unknown fields are problems."""
    spec = FIELDS[kind]
    problems = [
        OrgProblem(kind, row, name, code="org_field_unknown", message=f"a {kind} has no field {name!r}")
        for name in values
        if name not in spec
    ]
    out: dict = {}
    for name, (required, check) in spec.items():
        value = values.get(name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", []):
            if required:
                problems.append(OrgProblem(kind, row, name, code="org_field_required", message=f"{name} is required"))
            continue
        if check == "hours":
            converted, found = _hours(value)
            problems += [OrgProblem(kind, row, p.path, code=p.code, message=p.message) for p in found]
            if not found:
                out[name] = converted
            continue
        converted, problem = _convert(name, value, check)
        if problem:
            problems.append(OrgProblem(kind, row, name, *problem))
        else:
            out[name] = converted
    if "closes_at" in out and "hours" in out:
        problems.append(OrgProblem(kind, row, "hours", code="hours_conflict",
                                   message="a hall has a closing time (closes_at) or a schedule (hours), not both"))
    return out, problems


def _hours(value) -> tuple[Optional[list], list[hall_hours.HoursProblem]]:
    """A hall's schedule: a list in JSON, its JSON text in a CSV cell; stored in one spelling
    (weekdays sorted, no empty name), so importing an export again changes nothing."""
    if isinstance(value, str):
        try:
            value = input_limits.loads(value)
        except ValueError as exc:
            return None, [hall_hours.HoursProblem("hours", "hours_invalid", f"hours is JSON: {exc}")]
    schedule, problems = hall_hours.check(value)
    return (schedule.as_data() if schedule else None), problems


def _convert(name: str, value, check) -> tuple[object, Optional[tuple[str, str]]]:
    if isinstance(check, tuple):
        return value, None if value in check else _found(
            code="org_value_unknown", message=f"{name} is one of {', '.join(check)}"
        )
    if check == "bool":
        if isinstance(value, bool):
            return value, None
        text = str(value).lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE, None
        return None, _found(code="org_value_invalid", message=f"{name} is true or false")
    if check == "roles":
        roles = value if isinstance(value, list) else str(value).split("|")
        roles = sorted({str(r).strip() for r in roles if str(r).strip()})
        bad = [r for r in roles if r not in SYSTEM_ROLES]
        return roles, _found(
            code="org_value_unknown", message=f"system roles are {', '.join(SYSTEM_ROLES)}"
        ) if bad else None
    if not isinstance(value, str):
        return None, _found(code="org_value_invalid", message=f"{name} is text")
    if check == "closing_time":
        return _closing_time(name, value)
    if check.startswith("text:"):
        limit = int(check[5:])
        return value, _found(code="org_value_too_long", message=f"{name} has at most {limit} characters") if len(
            value
        ) > limit else None
    if check == "password":
        short = len(value) < MIN_PASSWORD
        return value, _found(
            code="password_too_short", message=f"a password has at least {MIN_PASSWORD} characters"
        ) if short else None
    pattern = {"code": CODE, "role_code": ROLE_CODE, "username": USERNAME}[check]
    found = code_problem(value, name, pattern)
    return value, _found(code="org_code_invalid", message=found[1]) if found else None


def _closing_time(name: str, value: str) -> tuple[object, Optional[tuple[str, str]]]:
    try:
        closing_time(value)
    except ValueError as exc:
        return None, _found(code="org_value_invalid", message=f"{name}: {exc}")
    return value, None


def _read_json(text: str):
    try:
        data = input_limits.loads(text)
    except ValueError as exc:
        return [], [OrgProblem("file", 0, "file", code="org_json_invalid", message=f"not valid JSON: {exc}")]
    if not isinstance(data, dict):
        return [], [
            OrgProblem(
                "file",
                0,
                "file",
                code="org_json_invalid",
                message='an organisation file is {"roles": [...], "units": [...], ...}',
            )
        ]
    records, problems = [], []
    known = set(SECTIONS.values()) | {"format"}
    problems += [
        OrgProblem("file", 0, name, code="org_field_unknown", message=f"unknown list {name!r}")
        for name in data
        if name not in known
    ]
    for kind, section in SECTIONS.items():
        items = data.get(section, [])
        if not isinstance(items, list):
            problems.append(OrgProblem(kind, 0, section, code="org_json_invalid", message=f"{section} is a list"))
            continue
        for row, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                problems.append(
                    OrgProblem(kind, row, "", code="org_json_invalid", message=f"each of {section} is an object")
                )
            else:
                records.append((kind, row, item))
    return records, problems


def _read_csv(text: str):
    reader = csv.reader(io.StringIO(text, newline=""))
    problems, records = [], []
    try:
        header = [h.strip() for h in next(reader, None) or []]
        if not header:
            return [], []
        problems += [
            OrgProblem("file", 1, name, code="org_column_unknown", message=f"unknown column {name!r}")
            for name in header
            if name and name not in CSV_COLUMNS
        ]
        if "record" not in header:
            problems.append(
                OrgProblem(
                    "file",
                    1,
                    "record",
                    code="org_column_missing",
                    message=f"the column `record` names the kind of each row: {', '.join(SECTIONS)}",
                )
            )
        if problems:
            return [], problems
        for number, cells in enumerate(reader, start=2):  # the header is spreadsheet row 1
            if not any(c.strip() for c in cells):
                continue
            row = {h: c for h, c in zip(header, cells) if h and c.strip()}
            kind = row.pop("record", "").strip()
            if kind not in SECTIONS:
                problems.append(
                    OrgProblem(
                        "file",
                        number,
                        "record",
                        code="org_record_unknown",
                        message=f"record is one of {', '.join(SECTIONS)}",
                    )
                )
                continue
            records.append((kind, number, row))
    except csv.Error as exc:
        return [], [
            OrgProblem("file", reader.line_num, "file", code="org_csv_invalid", message=f"not valid CSV: {exc}")
        ]
    return records, problems


def to_json(sections: dict[str, list[dict]]) -> bytes:
    return json.dumps(
        {"format": FORMAT, **{SECTIONS[k]: sections.get(k, []) for k in SECTIONS}}, ensure_ascii=False, indent=2
    ).encode("utf-8")


def to_csv(sections: dict[str, list[dict]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for kind in SECTIONS:
        for record in sections.get(kind, []):
            cells = {"record": kind, **{k: _cell(v) for k, v in record.items()}}
            writer.writerow([cells.get(c, "") for c in CSV_COLUMNS])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _cell(value) -> str:
    if isinstance(value, list) and value and isinstance(value[0], dict):     # a hall's hours: JSON in the cell
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "|".join(value)
    return "" if value is None else str(value)
