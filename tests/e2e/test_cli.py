"""The `lianban` command line as a newcomer uses it, in real subprocesses on a fresh SQLite file."""
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from engine.store.db import reachable
from tests import cli_process, run_database
from tests.conftest import PG_SERVER_URL, ROOT

LIANBAN = [sys.executable, "-m", "api.cli"]


@pytest.fixture
def env(tmp_path):
    e = dict(os.environ)
    e["LIANBAN_DATABASE_URL"] = f"sqlite:///{tmp_path / 'cli.db'}"
    e["LIANBAN_SCHEDULER_INTERVAL_SECONDS"] = "0.2"
    return e


def lianban(env, *args, timeout=120):
    """`python -m api.cli ARGS` in a child process forked from one that has the CLI imported
    (tests/cli_process.py: ~1 s less per command); `run` and `worker` below start the real executable."""
    return cli_process.lianban(env, *args, timeout=timeout)


def test_init_db_load_demo_and_redeploy(env):
    assert lianban(env, "init-db").returncode == 0
    first = lianban(env, "load-demo")
    assert first.returncode == 0, first.stderr
    assert "food_licence v1" in first.stdout
    again = lianban(env, "load-demo")
    assert "food_licence v1 (unchanged)" in again.stdout


def test_deploy_reports_problems_with_file_and_element(env, tmp_path):
    assert lianban(env, "load-demo").returncode == 0
    bad = tmp_path / "bad.bpmn"
    bad.write_text((ROOT / "workflows" / "food_licence.bpmn").read_text(encoding="utf-8")
                   .replace('camunda:candidateGroups="township:reviewer"',
                            'camunda:candidateGroups="township:janitor"'),
                   encoding="utf-8")
    result = lianban(env, "deploy", str(bad))
    assert result.returncode == 1
    assert "routing_unknown_role" in result.stderr and "bad.bpmn:township_pre_review" in result.stderr
    good = lianban(env, "deploy", str(ROOT / "workflows" / "food_licence.bpmn"))
    assert good.returncode == 0 and "(unchanged)" in good.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, deadline: float):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.status, response.read().decode("utf-8")
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)   # waiting for a server to come up, not for a timer


def test_run_serves_the_console_and_api_and_stops_cleanly(env):
    assert lianban(env, "load-demo").returncode == 0
    port = _free_port()
    proc = subprocess.Popen([*LIANBAN, "run", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        status, body = _get(f"http://127.0.0.1:{port}/api/v1/health", time.monotonic() + 30)
        assert status == 200 and json.loads(body) == {"status": "ok", "database": "sqlite"}
        status, page = _get(f"http://127.0.0.1:{port}/", time.monotonic() + 5)
        assert status == 200 and '<div id="app"></div>' in page            # the console's page
        status, network = _get(f"http://127.0.0.1:{port}/api/v1/catalogue/network", time.monotonic() + 5)
        assert status == 200 and "兰州新区" in network                      # what the landing page shows
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=20)


def test_worker_starts_and_stops_on_sigterm(env):
    assert lianban(env, "init-db").returncode == 0
    proc = subprocess.Popen([*LIANBAN, "worker"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    watchdog = threading.Timer(60, proc.kill)     # a worker that never logs must fail the test, not hang it
    watchdog.start()
    try:
        lines = []
        while not any("Scheduler started" in line for line in lines) and len(lines) < 20:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
        assert any("Scheduler started" in line for line in lines), lines
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=20) == 0
        watchdog.cancel()


def test_benchmark_runs_and_prints_results():
    result = subprocess.run([sys.executable, "bench/bench_engine.py", "--quick", "--cases", "2", "--no-postgres"],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    names = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("RESULT ")}
    assert {"linear5.bare.ms_per_case", "linear5.sqlite.service_over_bare", "chain.step_cost_30_over_5"} <= names


def test_supervision_benchmark_runs_and_prints_results():
    # the benchmark works in a schema of its own; give it this run's own database too, so that two
    # runs on one machine (CI and a developer) never build that schema at the same moment
    env, own = dict(os.environ), None
    if reachable(PG_SERVER_URL):
        own = run_database.create(PG_SERVER_URL)
        env["LIANBAN_BENCH_POSTGRES_URL"] = f"{own}?options=-csearch_path%3Dlianban_bench"
    try:
        result = subprocess.run([sys.executable, "bench/bench_supervision.py", "--quick", "--rows", "3000"], cwd=ROOT,
                                capture_output=True, text=True, timeout=300, env=env)
    finally:
        if own is not None:
            run_database.drop(PG_SERVER_URL, own)
    assert result.returncode == 0, result.stderr
    names = {line.split()[1] for line in result.stdout.splitlines() if line.startswith("RESULT ")}
    assert "deadline.us_per_call" in names
    if "PostgreSQL not reachable" not in result.stdout:
        assert {"supervision.rows", "supervision.overdue_township.ms"} <= names


def test_calendar_deadline_command(env):
    assert lianban(env, "init-db").returncode == 0
    out = lianban(env, "calendar", "deadline", "--from", "2026-09-30", "--workdays", "5")
    assert out.returncode == 0 and out.stdout.splitlines() == ["2026-10-13"]
    out = lianban(env, "calendar", "deadline", "--from", "2026-12-25", "--workdays", "10")
    lines = out.stdout.splitlines()
    assert lines[0] == "2027-01-11" and lines[1].startswith("provisional")
    bad = lianban(env, "calendar", "deadline", "--from", "2026-02-30", "--workdays", "5")
    assert bad.returncode == 1 and bad.stderr.startswith("error [date_invalid]: ") and "not a date" in bad.stderr


def test_calendar_load_command(env):
    assert lianban(env, "init-db").returncode == 0
    ok = lianban(env, "calendar", "load", str(ROOT / "docs" / "examples" / "calendar-2027-hypothetical.json"))
    assert ok.returncode == 0 and "2027 is official" in ok.stdout
    out = lianban(env, "calendar", "deadline", "--from", "2027-02-04", "--workdays", "1")
    assert out.stdout.splitlines() == ["2027-02-14"]          # Spring Festival, then the make-up Sunday


def test_service_account_token_works_over_http_and_can_be_revoked(env):
    assert lianban(env, "init-db").returncode == 0
    assert lianban(env, "account", "create", "ci-bot", "--name", "CI", "--kind", "service", "--role", "designer"
                   ).returncode == 0
    issued = lianban(env, "account", "token", "ci-bot", "--name", "deploys")
    token = issued.stdout.strip()
    assert issued.returncode == 0 and len(token) > 30 and token.startswith("lb_")
    from api import create_app
    from engine.config import Settings
    from engine.services.context import Context
    # another process revokes: with the token cache off here, the next request sees it at once
    ctx = Context.create(Settings(database_url=env["LIANBAN_DATABASE_URL"], token_cache_seconds=0))
    try:
        client = create_app(context=ctx).test_client()
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200 and me.json["roles"] == ["designer"] and me.json["kind"] == "service"
        assert lianban(env, "account", "revoke", token).returncode == 0
        assert client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    finally:
        ctx.dispose()
    dup = lianban(env, "account", "create", "ci-bot", "--name", "again")
    assert dup.returncode == 1 and dup.stderr.startswith("error [account_exists]: ")


def test_a_token_never_starts_with_a_dash(env, monkeypatch):
    """A token that began with '-' was read as an option: `lianban account revoke -kNc…` failed."""
    import secrets

    from engine.config import Settings
    from engine.services.accounts import auth
    from engine.services.context import Context
    assert lianban(env, "init-db").returncode == 0
    assert lianban(env, "account", "create", "ci-bot", "--name", "CI", "--kind", "service").returncode == 0
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n=None: "-kNc" + "x" * 39)
    ctx = Context.create(Settings(database_url=env["LIANBAN_DATABASE_URL"]))
    try:
        token = auth.create_service_token(ctx, "ci-bot", "deploys")
    finally:
        ctx.dispose()
    assert token == "lb_-kNc" + "x" * 39
    revoked = lianban(env, "account", "revoke", token)
    assert revoked.returncode == 0 and revoked.stdout.strip() == "revoked", revoked.stderr


def test_outbox_prune_deletes_rows_delivered_before_the_retention(env):
    """`lianban outbox prune` (docs/integration.md#pruning-the-outbox): nothing to prune on a new
    database; a bad retention setting is refused like any setting."""
    assert lianban(env, "init-db").returncode == 0
    done = lianban(env, "outbox", "prune")
    assert done.returncode == 0 and "pruned 0 outbox row(s)" in done.stdout, done.stderr
    bad = lianban({**env, "LIANBAN_OUTBOX_RETENTION_DAYS": "a week"}, "outbox", "prune")
    assert bad.returncode == 1 and "LIANBAN_OUTBOX_RETENTION_DAYS" in bad.stderr
