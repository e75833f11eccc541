"""A year's working-day arrangement as the State Council publishes it, read from JSON or CSV and
checked (pure: no I/O)."""
import csv
import io
from dataclasses import dataclass, field
from datetime import date

from engine.domain import input_limits
from engine.domain.errors import ValidationError


@dataclass
class Notice:
    """One year's working-day arrangement as the State Council publishes it."""
    year: int
    source: str
    holidays: list[tuple[date, str]] = field(default_factory=list)
    workdays: list[tuple[date, str]] = field(default_factory=list)

    def validate(self) -> None:
        self._check_header()
        seen: dict[date, str] = {}
        for kind, entries in (("holidays", self.holidays), ("workdays", self.workdays)):
            for i, (day, name) in enumerate(entries):
                self._check_entry(kind, f"{kind}[{i}]", day, name, seen)
                seen[day] = kind
        if not self.holidays:
            raise ValidationError("a notice lists at least one holiday", code="calendar_no_holidays", field="holidays")

    def _check_header(self) -> None:
        if not (2000 <= self.year <= 2100):
            raise ValidationError(f"year {self.year} is out of range", code="calendar_year_invalid", field="year")
        if "\x00" in self.source:
            raise ValidationError("the source contains a NUL character", code="nul_character", field="source")
        if not self.source.strip():
            raise ValidationError("a notice needs its source (the document's title and number)",
                                  code="calendar_source_required", field="source")

    def _check_entry(self, kind: str, where: str, day: date, name: str, seen: dict[date, str]) -> None:
        """One holiday or make-up working day, against the year and the days listed before it."""
        if "\x00" in name:        # a CSV may carry one (Python's csv reads it since 3.11)
            raise ValidationError("the name contains a NUL character", code="nul_character",
                                  field=f"{where}.name")
        if day.year != self.year:
            raise ValidationError(f"{day.isoformat()} is not in {self.year}",
                                  code="calendar_date_outside_year", field=where)
        if day in seen:
            raise ValidationError(f"{day.isoformat()} is listed twice", code="calendar_date_duplicate",
                                  field=where)
        if kind == "workdays" and day.weekday() < 5:
            raise ValidationError(f"{day.isoformat()} is a weekday; a make-up working day (调休) is a "
                                  f"Saturday or Sunday", code="calendar_makeup_not_weekend", field=where)


def _parse_day(text, where: str) -> date:
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ValidationError(f"{text!r} is not a date (YYYY-MM-DD)", code="calendar_date_invalid",
                              field=where) from None


def parse_json(content: bytes) -> Notice:
    """{"year": 2027, "source": "...", "holidays": [{"date": "2027-01-01", "name": "元旦"}, ...],
    "workdays": [{"date": "2027-02-07", "name": "春节调休"}]}"""
    try:
        data = input_limits.loads(content.decode("utf-8-sig"))
    except ValueError as exc:             # not UTF-8, not JSON, or nested too deep
        raise ValidationError(f"not a JSON document: {exc}", code="calendar_file_invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("year"), int):
        raise ValidationError("the notice needs an integer 'year'", code="calendar_year_invalid", field="year")
    notice = Notice(data["year"], str(data.get("source") or ""))
    for kind in ("holidays", "workdays"):
        entries = data.get(kind) or []
        if not isinstance(entries, list):
            raise ValidationError(f"'{kind}' must be a list", code="calendar_file_invalid", field=kind)
        for i, entry in enumerate(entries):
            if not isinstance(entry, dict) or "date" not in entry:
                raise ValidationError("each entry needs a 'date'", code="calendar_file_invalid", field=f"{kind}[{i}]")
            getattr(notice, kind).append((_parse_day(entry["date"], f"{kind}[{i}].date"), str(entry.get("name", ""))))
    notice.validate()
    return notice


def parse_csv(content: bytes, source: str) -> Notice:
    """Columns date,kind,name with kind `holiday` or `workday` (UTF-8, a BOM is fine)."""
    try:
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        rows = list(reader)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValidationError(f"not a CSV file: {exc}", code="calendar_file_invalid") from None
    if not rows or not {"date", "kind"} <= set(reader.fieldnames or []):
        raise ValidationError("the CSV needs the columns date,kind,name", code="calendar_file_invalid")
    days = [(_parse_day(r["date"], f"row {i + 2}.date"), (r.get("kind") or "").strip(), (r.get("name") or "").strip())
            for i, r in enumerate(rows)]
    years = {d.year for d, _, _ in days}
    if len(years) != 1:
        raise ValidationError("a notice covers exactly one year", code="calendar_year_invalid", field="date")
    notice = Notice(years.pop(), source)
    for i, (day, kind, name) in enumerate(days):
        if kind not in ("holiday", "workday"):
            raise ValidationError(f"kind {kind!r} is not 'holiday' or 'workday'", code="calendar_kind_invalid",
                                  field=f"row {i + 2}.kind")
        (notice.holidays if kind == "holiday" else notice.workdays).append((day, name))
    notice.validate()
    return notice
