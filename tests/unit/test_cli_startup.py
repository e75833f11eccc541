"""The `lianban` command line starts without the Flask app (docs/architecture.md): api/__init__.py
hands out `create_app` on first use, so a command that serves nothing does not import Flask, the
blueprints and the schemas (about a second and a half per process)."""
import subprocess
import sys

import pytest

import api
from tests.conftest import ROOT

PROBE = ("import sys, api.cli\n"
         "print(sorted(m for m in sys.modules if m in ('flask', 'flask_smorest', 'api.app')"
         " or m.startswith('api.resources') or m.startswith('api.schemas')))\n"
         "from api import create_app\n"
         "print('api.app' in sys.modules, create_app.__module__)\n")


def test_the_cli_imports_no_flask_app_until_one_is_built():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True api.app"]


def test_an_unknown_name_of_the_api_package_is_an_attribute_error():
    with pytest.raises(AttributeError, match="no_such_thing"):
        api.no_such_thing  # noqa: B018
