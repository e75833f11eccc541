"""Catalogue files: JSON and CSV (UTF-8 with BOM, one row per implementation entry) in, and the
same formats out, so that an export imported again changes nothing. docs/catalogue.md describes
the format for people who fill it in with Excel."""
from __future__ import annotations

import csv
import io
import json

from engine.domain import input_limits
from engine.domain.catalogue import FIELD_NAMES, CatalogueProblem

FORMAT = "lianban-catalogue/1"
FORMATS = ("json", "csv")
# list-valued fields written `a|b` in CSV; nested ones as JSON text in the cell
PIPE_FIELDS = ("accepting_tiers", "handle_forms")
JSON_FIELDS = ("materials", "fees", "guide")
MAX_ROWS = 20000


def _problem(row: int, field: str, code: str, message: str) -> list[CatalogueProblem]:
    return [CatalogueProblem(row, field, code, message)]


def read_rows(content: bytes, fmt: str) -> tuple[list[tuple[int, dict]], list[CatalogueProblem]]:
    """(row number, raw values) for each entry, or the problems that stop the file being read."""
    if fmt not in FORMATS:
        return [], _problem(0, "format", "catalogue_format_unknown", f"format is one of {', '.join(FORMATS)}")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], _problem(0, "file", "catalogue_not_utf8", f"the file is not UTF-8 (byte {exc.start}); save it "
                            "as 'CSV UTF-8' in Excel")
    rows, problems = (_read_json(text) if fmt == "json" else _read_csv(text))
    if not problems and not rows:
        problems = _problem(0, "file", "catalogue_empty", "the file has no entries")
    if len(rows) > MAX_ROWS:
        problems = _problem(0, "file", "catalogue_too_large", f"at most {MAX_ROWS} entries per file")
    return rows, problems


def _read_json(text: str):
    try:
        data = input_limits.loads(text)
    except ValueError as exc:
        return [], _problem(0, "file", "catalogue_json_invalid", f"not valid JSON: {exc}")
    if isinstance(data, dict):
        data = data.get("items")
    if not isinstance(data, list):
        return [], _problem(0, "items", "catalogue_json_invalid", 'a JSON catalogue is a list of entries or '
                            '{"items": [...]}')
    return [(i, raw) for i, raw in enumerate(data, start=1)], []


def _read_csv(text: str):
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            return [], []
        header = [h.strip() for h in header]
        problems = [CatalogueProblem(1, name, "unknown_column", f"unknown column {name!r}")
                    for name in header if name and name not in FIELD_NAMES]
        for name in {h for h in header if header.count(h) > 1 and h}:
            problems += _problem(1, name, "duplicate_column", f"column {name!r} appears twice")
        rows = []
        for number, cells in enumerate(reader, start=2):     # the header is spreadsheet row 1
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems += _problem(number, "", "csv_extra_cells", f"{len(cells)} cells but {len(header)} columns")
            rows.append((number, {h: c for h, c in zip(header, cells) if h in FIELD_NAMES}))
    except csv.Error as exc:
        return [], _problem(reader.line_num, "file", "catalogue_csv_invalid", f"not valid CSV: {exc}")
    return rows, problems


def to_json(rows: list[dict]) -> bytes:
    return json.dumps({"format": FORMAT, "items": rows}, ensure_ascii=False, indent=2).encode("utf-8")


def _cell(name: str, value) -> str:
    if value is None:
        return ""
    if name in PIPE_FIELDS:
        return "|".join(value)
    if name in JSON_FIELDS:
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def to_csv(rows: list[dict]) -> bytes:
    """UTF-8 with BOM and CRLF line ends, so Excel opens it with the Chinese text intact."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELD_NAMES)
    for row in rows:
        writer.writerow([_cell(name, row.get(name)) for name in FIELD_NAMES])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
