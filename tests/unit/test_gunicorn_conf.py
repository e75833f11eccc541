"""The shipped gunicorn configuration (api/gunicorn_conf.py): threaded workers sized from the
cores, LIANBAN_SERVE_* overrides, wrong values refused naming the variable; plain
`gunicorn -c api/gunicorn_conf.py` reads the same values."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

from api import gunicorn_conf
from engine.config import SettingsError
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def clean_env(monkeypatch):
    for name in list(os.environ):
        if name.startswith("LIANBAN_SERVE_") or name in ("LIANBAN_HOST", "LIANBAN_PORT"):
            monkeypatch.delenv(name)


def test_defaults_are_threaded_keepalive_workers_one_per_core():
    s = gunicorn_conf.settings()
    assert s["worker_class"] == "gthread" and s["keepalive"] == gunicorn_conf.KEEPALIVE_SECONDS > 2
    assert s["workers"] == gunicorn_conf.cores() == len(os.sched_getaffinity(0))
    assert s["threads"] == gunicorn_conf.THREADS and s["preload_app"] is False
    assert s["bind"] == ["127.0.0.1:8400"] and s["accesslog"] == "-"


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("LIANBAN_PORT", "9000")
    monkeypatch.setenv("LIANBAN_SERVE_WORKERS", "3")
    monkeypatch.setenv("LIANBAN_SERVE_THREADS", "6")
    s = gunicorn_conf.settings()
    assert (s["bind"], s["workers"], s["threads"]) == (["127.0.0.1:9000"], 3, 6)
    monkeypatch.setenv("LIANBAN_SERVE_BIND", "0.0.0.0:8500")
    assert gunicorn_conf.settings()["bind"] == ["0.0.0.0:8500"]


@pytest.mark.parametrize("value", ["many", "0", "-2", "1.5"])
def test_wrong_values_are_refused_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("LIANBAN_SERVE_THREADS", value)
    with pytest.raises(SettingsError) as exc:
        gunicorn_conf.settings()
    assert exc.value.field == "LIANBAN_SERVE_THREADS" and exc.value.code == "setting_invalid"


def test_plain_gunicorn_reads_the_same_file(tmp_path):
    env = {**os.environ, "LIANBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'g.db'}", "LIANBAN_SERVE_THREADS": "5"}
    out = subprocess.run([sys.executable, "-m", "gunicorn", "--print-config", "-c", "api/gunicorn_conf.py",
                          "api.wsgi:app"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    config = {k.strip(): v.strip() for k, v in (line.split("=", 1) for line in out.stdout.splitlines() if "=" in line)}
    assert (config["worker_class"], config["threads"], config["keepalive"]) == ("gthread", "5",
                                                                                 str(gunicorn_conf.KEEPALIVE_SECONDS))
