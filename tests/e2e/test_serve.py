"""`lianban serve`: gunicorn with threaded workers that keep connections alive, an access log, a
clean stop on SIGTERM; wrong settings and an unreachable database refused in one line."""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from engine.store.db import reachable
from tests import cli_process, run_database
from tests.conftest import PG_SERVER_URL, ROOT

LIANBAN = [sys.executable, "-m", "api.cli"]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def env(request, tmp_path):
    e = dict(os.environ)
    own = None
    if request.param == "sqlite":
        e["LIANBAN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'serve.db'}"
    else:
        if not reachable(PG_SERVER_URL):
            if os.environ.get("LIANBAN_REQUIRE_POSTGRES") == "1":
                pytest.fail("PostgreSQL is not reachable")
            pytest.skip("PostgreSQL is not reachable")
        own = run_database.create(PG_SERVER_URL)
        e["LIANBAN_DATABASE_URL"] = own
    yield e
    if own is not None:
        run_database.drop(PG_SERVER_URL, own)


def lianban(env, *args, timeout=120):
    """A command that returns (tests/cli_process.py); `serve` itself runs the real executable below."""
    return cli_process.lianban(env, *args, timeout=timeout)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connect(port: int, deadline: float) -> http.client.HTTPConnection:
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        try:
            conn.request("GET", "/api/v1/health")
            response = conn.getresponse()
            response.read()
            return conn
        except OSError:
            conn.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)   # waiting for gunicorn to come up, not for a timer


def test_serve_keeps_connections_alive_logs_requests_and_stops_on_sigterm(env, tmp_path):
    assert lianban(env, "init-db").returncode == 0
    port, access_log = _free_port(), tmp_path / "access.log"
    proc = subprocess.Popen([*LIANBAN, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2", "--threads", "3",
                             "--access-log", str(access_log)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        conn = _connect(port, time.monotonic() + 60)
        # the same connection answers again: HTTP/1.1 keep-alive, not sync workers' Connection: close
        for path in ("/api/v1/health", "/api/v1/auth/me", "/"):
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            assert response.version == 11 and (response.getheader("Connection") or "").lower() != "close"
            assert response.status == {"/api/v1/health": 200, "/api/v1/auth/me": 401, "/": 200}[path], body
        assert conn.sock is not None                       # never closed by the server
        conn.close()
        deadline = time.monotonic() + 10
        while "/api/v1/auth/me" not in (access_log.read_text() if access_log.exists() else ""):
            assert time.monotonic() < deadline, "no access log line"
            time.sleep(0.1)    # gunicorn writes the access log line after the response
        line = next(x for x in access_log.read_text().splitlines() if "/api/v1/auth/me" in x)
        assert '"GET /api/v1/auth/me HTTP/1.1" 401' in line and "ms pid=" in line and " rid=" in line
    finally:
        proc.send_signal(signal.SIGTERM)
        out = proc.communicate(timeout=60)[0]
    assert proc.returncode == 0, out
    assert "2 worker(s) x 3 thread(s)" in out and "gthread" in out, out


@pytest.fixture
def sqlite_env(tmp_path):
    return {**os.environ, "LIANBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}"}


def test_serve_refuses_bad_settings_in_one_line(sqlite_env):
    env = sqlite_env
    bad = lianban({**env, "LIANBAN_SERVE_THREADS": "many"}, "serve")
    assert bad.returncode == 1 and "error [setting_invalid]" in bad.stderr and "LIANBAN_SERVE_THREADS" in bad.stderr
    zero = lianban({**env, "LIANBAN_SERVE_WORKERS": "0"}, "serve")
    assert zero.returncode == 1 and "LIANBAN_SERVE_WORKERS" in zero.stderr
    usage = lianban(env, "serve", "--threads", "0")
    assert usage.returncode == 2 and "--threads" in usage.stderr


def test_serve_refuses_a_database_that_does_not_answer(sqlite_env):
    down = lianban({**sqlite_env, "LIANBAN_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{_free_port()}/x"},
                   "serve", "--bind", f"127.0.0.1:{_free_port()}", timeout=60)
    assert down.returncode == 1 and down.stderr.startswith("error ["), down.stderr
    assert "Traceback" not in down.stderr
