"""Each test run works in a PostgreSQL database of its own (tests/run_database.py)."""
import os

import pytest
from sqlalchemy import text

from engine.store.db import make_engine, reachable
from tests import run_database
from tests.conftest import PG_SERVER_URL


@pytest.fixture
def server():
    if not reachable(PG_SERVER_URL):
        if os.environ.get("LIANBAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but not reachable at {PG_SERVER_URL}")
        pytest.skip(f"PostgreSQL not reachable at {PG_SERVER_URL}")
    return PG_SERVER_URL


def test_two_runs_get_two_databases_and_each_drops_only_its_own(server):
    first, second = run_database.create(server), run_database.create(server)
    try:
        assert first != second
        engine = make_engine(first)
        try:
            with engine.begin() as conn:
                conn.execute(text("CREATE TABLE marker (id int)"))
        finally:
            engine.dispose()
        run_database.drop(server, first)
        assert not run_database.exists(server, first)
        assert run_database.exists(server, second)
    finally:
        run_database.drop(server, second)
    assert not run_database.exists(server, second)


def test_drop_refuses_a_database_it_did_not_make(server):
    with pytest.raises(ValueError):
        run_database.drop(server, server)


def test_the_engine_turns_jit_off_and_keeps_the_urls_own_options(server):
    # engine/store/db.py adds `-c jit=off` to libpq's options; a URL's own options (the benchmarks'
    # search_path) must survive it, or their tables land in another schema
    bare = make_engine(server)
    with_path = make_engine(f"{server}?options=-csearch_path%3Dlianban_elsewhere")
    try:
        with bare.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar() == "off"
        with with_path.connect() as conn:
            assert conn.execute(text("SHOW jit")).scalar() == "off"
            assert conn.execute(text("SHOW search_path")).scalar() == "lianban_elsewhere"
    finally:
        bare.dispose()
        with_path.dispose()
