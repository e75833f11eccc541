"""The raw-driver statements of engine/store/fast.py: constants are written into the SQL (a bound
`state = ?` against a partial index's `state = 'open'` made SQLite re-prepare the statement on
every execution), values the caller passes stay bound, and results are right on a real SQLite."""
from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, create_engine, select, update
from sqlalchemy.dialects import postgresql, sqlite

from engine.store.fast import FastRead, FastWrite, inline_constants

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
