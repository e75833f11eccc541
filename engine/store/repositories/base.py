"""What every repository is: the statements of one capability, run on the connection of the
transaction it belongs to. Repositories own SQL (Core statements, the raw-driver FastRead/FastWrite
ones and the dialect variants); services never see a statement or a connection."""
from __future__ import annotations

from sqlalchemy.engine import Connection


class Repository:
    __slots__ = ("conn", "postgres")

    def __init__(self, conn: Connection):
        self.conn = conn
        self.postgres = conn.dialect.name == "postgresql"
