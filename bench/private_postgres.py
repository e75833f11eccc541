"""A PostgreSQL 15 instance of one run's own (initdb into a temporary directory, a free port, its
socket in that directory): bench/faults.py restarts it mid-load without touching the shared
cluster that other runs and test suites use. Run as root, the server runs as `postgres`
(initdb and postgres refuse to run as root)."""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from bench.http_cluster import free_port

BIN = Path(os.environ.get("LIANBAN_PG_BIN", "/usr/lib/postgresql/15/bin"))


def available() -> bool:
    return (BIN / "initdb").exists() and (BIN / "pg_ctl").exists() and (os.geteuid() != 0 or shutil.which("runuser"))


class PrivatePostgres:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="lianban-pg-"))
        self.data = self.dir / "data"
        self.log = self.dir / "server.log"
        self.port = free_port()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(BIN / "initdb", "-D", self.data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8",
                  "--locale=C")
        self._pg_ctl("start")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)

    def _pg_ctl(self, action: str, *extra: str) -> None:
        # small shared memory and a socket in the run's directory: nothing collides with the shared cluster
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c max_connections=200"
        self._run(BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "-o", options, *extra, action)

    def restart(self) -> None:
        """A fast restart (what `pg_ctlcluster 15 main restart` does): sessions are cut, the
        transactions in flight roll back, the server is back once it accepts connections."""
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        try:
            self._pg_ctl("stop", "-m", "immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.dir, ignore_errors=True)
