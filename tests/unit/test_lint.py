"""Unused imports, undefined names, syntax errors, lines over 120 characters and functions more
complex than 10 branches (McCabe) fail the suite (ruff, pinned; the rules are in pyproject.toml)."""
import shutil
import subprocess

import pytest

from tests.conftest import ROOT


def test_ruff_finds_nothing():
    ruff = shutil.which("ruff", path=str(ROOT / ".venv" / "bin")) or shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed (it comes with the test extras: ./dev test)")
    result = subprocess.run([ruff, "check", "engine", "api", "bench", "tests", "demo"], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
