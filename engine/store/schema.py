"""Schema management through Alembic (the migrations live in engine/store/migrations)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Engine

from engine.store.db import is_unavailable, unavailable

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(engine: Engine) -> None:
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it; foreign keys must be off for that, and the
            # pragma only works outside a transaction, so it goes straight to the driver
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")


@lru_cache(maxsize=1)
def head_revisions() -> frozenset[str]:
    """The migrations' head(s), read from the scripts once per process (they ship with the code)."""
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def applied_revisions(engine: Engine) -> frozenset[str]:
    """The revision(s) the database's alembic_version records (empty: never migrated). The
    database being away is `Unavailable`."""
    try:
        with engine.connect() as conn:
            return frozenset(MigrationContext.configure(conn).get_current_heads())
    except Exception as exc:
        if is_unavailable(exc):
            raise unavailable(exc) from exc
        raise
