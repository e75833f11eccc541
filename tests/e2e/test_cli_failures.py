"""The `lianban` command line refusing what it cannot do, in real subprocesses: one line
`error [code]: message` on stderr and exit status 1, never a traceback (2 stays click's usage
errors)."""
from importlib.metadata import version

import pytest

from tests.e2e import test_cli
from tests.e2e.test_cli import lianban

env = test_cli.env                # a fresh SQLite file for the subprocesses (a fixture)


def assert_fails(result, code: str) -> str:
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error [{code}]: "), result.stderr
    return lines[0]


@pytest.fixture
def ready(env):
    assert lianban(env, "init-db").returncode == 0
    return env


REFUSED = [
    (["calendar", "deadline", "--from", "2026-01-05", "--workdays", "-3"], "limit_invalid"),
    (["calendar", "deadline", "--from", "2026-01-05", "--workdays", "0"], "limit_invalid"),
    (["calendar", "deadline", "--from", "1999-01-01", "--workdays", "3"], "date_out_of_range"),
    (["catalogue", "export", "-o", "/missing/dir/x.csv"], "output_unwritable"),
    (["account", "revoke", "lb_not-a-token"], "token_not_found"),
    (["account", "create", "clerk", "--name", " "], "name_required"),
    (["account", "create", " ", "--name", "窗口"], "username_required"),
    (["account", "create", "clerk", "--name", "窗口", "--password", "short"], "password_too_short"),
    (["account", "token", "clerk", "--days", "0"], "token_days_invalid"),
    (["account", "token", "clerk", "--days", "-1"], "token_days_invalid"),
]


def test_refused_input_is_one_line_and_exit_1(ready):
    for args, code in REFUSED:
        assert_fails(lianban(ready, *args), code)
    # nothing was created by the refused commands: the account can be created now, once
    assert lianban(ready, "account", "create", "clerk", "--name", "窗口", "--password", "long-enough").returncode == 0
    token = lianban(ready, "account", "token", "clerk", "--days", "1").stdout.strip()
    assert lianban(ready, "account", "revoke", token).returncode == 0
    assert_fails(lianban(ready, "account", "revoke", token), "token_already_revoked")


def test_a_malformed_setting_names_its_variable(ready):
    line = assert_fails(lianban({**ready, "LIANBAN_PORT": "abc"}, "run"), "setting_invalid")
    assert "LIANBAN_PORT" in line
    line = assert_fails(lianban({**ready, "LIANBAN_TIMER_BATCH_SIZE": "1e3x"}, "fire-timers"), "setting_invalid")
    assert "LIANBAN_TIMER_BATCH_SIZE" in line
    line = assert_fails(lianban({**ready, "LIANBAN_YELLOW_SHARE": "nan"}, "fire-timers"), "setting_invalid")
    assert "LIANBAN_YELLOW_SHARE" in line
    line = assert_fails(lianban({**ready, "LIANBAN_LOG_FORMAT": "xml"}, "fire-timers"), "setting_invalid")
    assert "LIANBAN_LOG_FORMAT" in line
    line = assert_fails(lianban({**ready, "LIANBAN_METRICS_ALLOW": "10.0.0.0/33"}, "fire-timers"), "setting_invalid")
    assert "LIANBAN_METRICS_ALLOW" in line


def test_an_unreachable_database_is_one_line_with_the_password_masked(env, tmp_path):
    server = {**env, "LIANBAN_DATABASE_URL": "postgresql+psycopg://nobody:s3cret@127.0.0.1:1/x"}
    for args in (["init-db"], ["fire-timers"], ["calendar", "deadline", "--from", "2026-01-05", "--workdays", "1"]):
        line = assert_fails(lianban(server, *args), "database_unreachable")
        assert "nobody:***@127.0.0.1:1/x" in line and "s3cret" not in line
    (tmp_path / "a-file").write_text("not a directory")
    nowhere = {**env, "LIANBAN_DATABASE_URL": f"sqlite:///{tmp_path / 'a-file' / 'sub' / 'x.db'}"}
    assert "a-file" in assert_fails(lianban(nowhere, "init-db"), "database_unreachable")
    assert_fails(lianban({**env, "LIANBAN_DATABASE_URL": "nosuchdb://x"}, "init-db"), "database_url_invalid")


def test_version_and_usage_errors(env):
    shown = lianban(env, "--version")
    assert shown.returncode == 0 and shown.stdout.strip() == f"lianban, version {version('lianban')}"
    usage = lianban(env, "calendar", "deadline", "--from", "2026-01-05", "--workdays", "abc")
    assert usage.returncode == 2 and "Traceback" not in usage.stderr
    assert "Exit codes" in lianban(env, "--help").stdout
