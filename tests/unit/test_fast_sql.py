"""The raw-driver statements of engine/store/fast.py: constants are written into the SQL (a bound
`state = ?` against a partial index's `state = 'open'` made SQLite re-prepare the statement on
every execution), values the caller passes stay bound, and results are right on a real SQLite."""
from __future__ import annotations

import pytest

from sqlalchemy import (Column, Integer, MetaData, String, Table, bindparam, create_engine, literal_column, select,
                        update)
from sqlalchemy.dialects import postgresql, sqlite

from engine.store.fast import FastRead, FastWrite, _bind, inline_constants
from engine.store.pg_pipeline import _multi_row

meta = MetaData()
item = Table("item", meta, Column("id", Integer, primary_key=True), Column("state", String(20)),
             Column("owner", String(20)), Column("rank", Integer))


def _sql(stmt, dialect) -> str:
    return str(inline_constants(stmt, dialect).compile(dialect=dialect))


def test_constants_are_rendered_and_caller_values_stay_bound():
    stmt = update(item).where(item.c.id == bindparam("iid"), item.c.state == "open", item.c.rank > 3) \
        .values(owner=bindparam("who"))
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = _sql(stmt, dialect)
        assert "item.state = 'open'" in sql
        assert "item.rank > 3" in sql
        assert "'open'" not in sql.split("WHERE")[0]      # the SET clause is untouched
    assert "item.id = ?" in _sql(stmt, sqlite.dialect())
    assert "item.id = %(iid)s" in _sql(stmt, postgresql.dialect())


def test_quotes_in_constants_are_escaped_by_the_dialect():
    sql = _sql(select(item.c.id).where(item.c.owner == "o'brien"), sqlite.dialect())
    assert "item.owner = 'o''brien'" in sql


def test_fast_statements_with_constants_give_the_right_rows():
    engine = create_engine("sqlite://")
    meta.create_all(engine)
    with engine.begin() as conn:
        conn.execute(item.insert(), [{"id": 1, "state": "open", "owner": "o'brien", "rank": 5},
                                     {"id": 2, "state": "done", "owner": "o'brien", "rank": 5},
                                     {"id": 3, "state": "open", "owner": "li", "rank": 1}])
        claim = FastWrite(update(item).where(item.c.id == bindparam("iid"), item.c.state == "open")
                          .values(owner=bindparam("who")))
        assert claim.execute(conn, {"iid": 1, "who": "wang"}) == 1
        assert claim.execute(conn, {"iid": 2, "who": "wang"}) == 0      # not open: the constant applies
        mine = FastRead(select(item.c.id, item.c.owner)
                        .where(item.c.state == "open", item.c.owner == bindparam("who"), item.c.rank > 3))
        assert [tuple(r) for r in mine.all(conn, {"who": "wang"})] == [(1, "wang")]
        quoted = FastRead(select(item.c.id).where(item.c.owner == "o'brien"))
        assert [r.id for r in quoted.all(conn, {})] == [2]


def test_postgresql_plans_number_each_name_once_in_the_servers_own_form():
    """engine/store/pg_pipeline.py sends the SQL as the server reads it ($1, $2 ...): a name used
    twice is one parameter, a literal % stays one %, and the values come as a tuple in that order."""
    stmt = (select(item.c.id).where(item.c.state == bindparam("c"), item.c.owner == bindparam("n"),
                                    item.c.state != bindparam("c"), item.c.owner.like(literal_column("'a%'"))))
    plan = FastRead(stmt)._plan(postgresql.psycopg.dialect())
    sql = plan[0].decode()
    assert "item.state = $1" in sql and "item.owner = $2" in sql and "item.state != $1" in sql
    assert "'a%'" in sql and "%(" not in sql
    assert _bind(plan[1], plan[2], {"c": "X", "n": "Y"}) == ("X", "Y")


def test_an_insert_of_several_rows_becomes_one_statement_and_nothing_else_does():
    one = b"INSERT INTO event (a, b, at) VALUES ($1::VARCHAR, $2, now())"
    assert _multi_row(one, 2) == (b"INSERT INTO event (a, b, at) VALUES ($1::VARCHAR, $2, now()), "
                                  b"($3::VARCHAR, $4, now())")
    for other in (b"INSERT INTO t (a) VALUES ($1) RETURNING t.id",
                  b"INSERT INTO t (a) VALUES ($1) ON CONFLICT (a) DO UPDATE SET a = excluded.a",
                  b"UPDATE t SET a = $1 WHERE t.id = $2", b"INSERT INTO t (a) SELECT $1"):
        assert _multi_row(other, 2) is None


@pytest.mark.parametrize("value", [
    {"b": [1.5, None, True], "a": "张三", "n": 10 ** 30, "f": 1e-7, "nan": float("nan")},
    ["\"\\\n\t\u2028\x00", {}, [], {"z": {"": 0}}], "text", 3, None,
])
def test_json_columns_are_written_as_json_dumps_writes_them(value):
    import json
    from engine.store.db import json_dumps
    assert json_dumps(value) == json.dumps(value)


def test_a_value_json_cannot_write_is_refused_as_json_dumps_refuses_it():
    from datetime import date
    from engine.store.db import json_dumps
    with pytest.raises(TypeError, match="Object of type date is not JSON serializable"):
        json_dumps({"day": date(2026, 12, 8)})
