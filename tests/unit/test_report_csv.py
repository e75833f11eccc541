"""The one writer of the report CSVs people download (engine/domain/report_csv.py)."""
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timezone

from engine.domain import report_csv


def read(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_cells_a_spreadsheet_would_run_are_prefixed_and_the_rest_kept():
    rows = read(report_csv.table(["a", "b"], [["=1+1", "+86 138"], ["-2", "@SUM(A1)"], ["\tx", "\rx"],
                                              ["正常的评价", "a=b"], [-3, 4.5]]))
    assert rows == [["a", "b"], ["'=1+1", "'+86 138"], ["'-2", "'@SUM(A1)"], ["'\tx", "'\rx"],
                    ["正常的评价", "a=b"], ["-3", "4.5"]]        # numbers are numbers, not formulas


def test_dates_in_iso_and_none_empty():
    rows = read(report_csv.table(["at", "day", "none"], [[datetime(2026, 12, 7, 8, 30, tzinfo=timezone.utc),
                                                          date(2026, 12, 7), None]]))
    assert rows[1] == ["2026-12-07T08:30:00+00:00", "2026-12-07", ""]


@dataclass
class Row:
    name: str
    count: int


def test_records_take_dicts_or_dataclasses_and_nothing_gives_the_bom_alone():
    assert read(report_csv.records([Row("=x", 1), Row("y", 2)])) == [["name", "count"], ["'=x", "1"], ["y", "2"]]
    assert read(report_csv.records([{"k": "v"}])) == [["k"], ["v"]]
    assert report_csv.records([]) == "\ufeff"
