"""Migration 0028 on a database holding cases received under a closing time (revision 0024): the
closing time each kept becomes `receipt_hours` in the simple form with the verdict worked out from
its receipt instant, so a later deemed acceptance counts from the same day; halls keep `closes_at`
and gain `hours`. SQLite (the conversion is Python over rows, the same on both databases)."""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import command

from engine.store.schema import alembic_config


def _dummy(column: sa.Column):
    kind = column.type.python_type if hasattr(column.type, "python_type") else str
    return {int: 1, bool: False, str: "x", datetime: datetime(2026, 1, 1), date: date(2026, 1, 1),
            dict: {}, list: []}.get(kind, "x")


def _insert_case(conn, table: sa.Table, case_id: int, created_at: datetime, closes_at):
    values = {c.name: _dummy(c) for c in table.columns
              if not c.nullable and c.server_default is None and not c.primary_key}
    values.update(id=case_id, number=f"N{case_id}", created_at=created_at, receipt_closes_at=closes_at)
    conn.execute(table.insert().values(**values))


def test_a_kept_closing_time_becomes_the_simple_form_with_its_verdict(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0024")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        case = sa.Table("case", sa.MetaData(), autoload_with=conn)
        # Friday 2026-11-27: 17:45 and 09:00 Beijing time (09:45 and 01:00 UTC)
        _insert_case(conn, case, 1, datetime(2026, 11, 27, 9, 45, tzinfo=timezone.utc), "17:30")
        _insert_case(conn, case, 2, datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc), "17:30")
        _insert_case(conn, case, 3, datetime(2026, 11, 27, 9, 45, tzinfo=timezone.utc), None)
    command.upgrade(cfg, "head")
    with engine.connect() as conn:
        case = sa.Table("case", sa.MetaData(), autoload_with=conn)
        hall = sa.Table("hall", sa.MetaData(), autoload_with=conn)
        assert "receipt_closes_at" not in case.c and "hours" in hall.c and "closes_at" in hall.c
        rows = dict(conn.execute(sa.select(case.c.id, case.c.receipt_hours).order_by(case.c.id)).all())
    assert rows[1] == {"verdict": "after_closing", "weekday": 5, "next_day": True, "closes_at": "17:30"}
    assert rows[2] == {"verdict": "open", "weekday": 5, "next_day": False, "closes_at": "17:30"}
    assert rows[3] is None
    command.downgrade(cfg, "0024")
    with engine.connect() as conn:
        case = sa.Table("case", sa.MetaData(), autoload_with=conn)
        back = dict(conn.execute(sa.select(case.c.id, case.c.receipt_closes_at).order_by(case.c.id)).all())
    assert back == {1: "17:30", 2: "17:30", 3: None}
    engine.dispose()
