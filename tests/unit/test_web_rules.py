"""The console's pure JavaScript rules (web/tests/*.test.mjs: the form renderer's schema rules,
the ID-number and phone checks) run with Node's own test runner as part of the Python suite."""
import os
import shutil
import subprocess

import pytest

from tests.conftest import ROOT

NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None and os.environ.get("LIANBAN_REQUIRE_BROWSER") != "1",
                    reason="Node.js is not installed (./dev installs it; CI requires it)")
def test_the_consoles_javascript_rules_pass_their_tests():
    assert (ROOT / "web" / "node_modules" / "@cfworker").is_dir(), "web/node_modules missing: ./dev test installs it"
    tests = sorted(str(p) for p in (ROOT / "web" / "tests").glob("*.test.mjs"))
    assert tests, "no JavaScript tests found"
    run = subprocess.run([NODE or "node", "--test", *tests], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
