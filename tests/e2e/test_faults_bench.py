"""bench/load.py, briefly, and bench/faults.py --quick, end to end. faults: 2 x `lianban serve`,
2 x `lianban worker` and 16 HTTP clients on a PostgreSQL instance of the run's own (the shared
cluster is never restarted), while an API worker and a timer worker are SIGKILLed and that
instance restarts; nothing lost, nothing done twice, every timer fired once, every audit chain
intact."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from bench import private_postgres
from engine.store.db import reachable
from tests.conftest import PG_SERVER_URL, ROOT

pytestmark = pytest.mark.postgres


def _results(stdout: str) -> dict[str, float]:
    return {line.split()[1]: float(line.split()[2]) for line in stdout.splitlines() if line.startswith("RESULT ")}


def test_faults_quick_loses_nothing_and_does_nothing_twice():
    if not private_postgres.available():
        if os.environ.get("LIANBAN_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL binaries not found in {private_postgres.BIN}")
        pytest.skip(f"PostgreSQL binaries not found in {private_postgres.BIN}")
    run = subprocess.run([sys.executable, "bench/faults.py", "--quick"], cwd=ROOT, capture_output=True, text=True,
                         timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    got = _results(run.stdout)
    assert got["faults.lost"] == 0 and got["faults.duplicated"] == 0, run.stdout
    assert got["faults.broken_chains"] == 0, run.stdout
    # the faults were exercised on real work: cases ran to the end and timers fired, each once
    assert got["faults.completed"] > 0 and got["faults.timers"] > 0, run.stdout
    assert got["faults.timers_fired_once"] == got["faults.timers"], run.stdout
    assert got["faults.cases"] == got["faults.completed"] + got["faults.waiting_at_task"], run.stdout
    # every completion in the database is one a client was told of, once (retries replayed, not redone)
    assert got["faults.task_completions"] == got["faults.acknowledged_completions"] >= 5 * got["faults.completed"]


def test_load_runs_cases_over_http_and_compares_them_with_the_service_layer():
    if not reachable(PG_SERVER_URL):
        if os.environ.get("LIANBAN_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is not reachable")
        pytest.skip("PostgreSQL is not reachable")
    # the benchmark creates (and drops) a database of its own, under a name no other run uses
    run = subprocess.run([sys.executable, "bench/load.py", "--seconds", "8", "--clients", "4", "--servers", "1",
                          "--timer-workers", "1", "--bound-cases", "3"], cwd=ROOT, capture_output=True,
                         text=True, timeout=600, env={**os.environ, "LIANBAN_BENCH_POSTGRES_URL": PG_SERVER_URL})
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    got = _results(run.stdout)
    assert got["load.cases_per_s"] > 0 and got["load.service_bound_cases_per_s"] > 0, run.stdout
    assert got["load.over_service_bound"] == pytest.approx(
        got["load.cases_per_s"] / got["load.service_bound_cases_per_s"], rel=0.01)
