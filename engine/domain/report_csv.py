"""CSV for people: the report tables that supervisors and designers download (carded cases,
dashboard tables, ratings figures and ledger, heatmaps) and open in a spreadsheet.

One writer so that every report gets the same three things:
- a UTF-8 byte-order mark, without which Excel reads Chinese text as mojibake;
- dates and times in ISO 8601, empty cells for missing values;
- no formula injection: a text cell that a spreadsheet would take for a formula (starting with
  = + - @, a tab or a carriage return) is prefixed with an apostrophe. Report cells carry text
  written by others — a rater's comment, an item's or a step's name — and a downloaded sheet
  must not run what they typed.

The catalogue's and the organisation's exports are not reports: they are read back by their
imports, so they keep their cells verbatim (engine/domain/catalogue_files.py,
engine/domain/organisation_files.py)."""
import csv
import io
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from typing import Any, Iterable, Sequence

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> Any:
    """One value as the sheet should see it."""
    if value is None:
        return ""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A header line and rows of values, in the header's order."""
    buf = io.StringIO()
    buf.write(BOM)
    writer = csv.writer(buf)
    writer.writerow([cell(name) for name in header])
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return buf.getvalue()


def records(rows: Sequence[Any]) -> str:
    """Flat dicts or dataclasses, the first one's keys as the header. No rows: the BOM alone
    (there is no header to guess)."""
    if not rows:
        return BOM
    dicts = [asdict(r) if is_dataclass(r) else r for r in rows]
    header = list(dicts[0])
    return table(header, ([d.get(name) for name in header] for d in dicts))
