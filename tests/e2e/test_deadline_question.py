""""If accepted that day, when is it due?" over HTTP (both databases) and from the CLI: one service
function answers both, so both give the same date and refuse the same input with the same code."""
import pytest

from api import create_app
from engine.config import Settings
from engine.services.accounts.auth import create_account
from engine.services.context import Context
from tests.e2e import test_cli
from tests.e2e.test_bad_input import problem
from tests.e2e.test_cli import lianban

env = test_cli.env                # a fresh SQLite file for the subprocesses (a fixture)

# (query string, the same question on the command line, code, field)
REFUSED = [
    ("from=2026-01-05&workdays=-3", ["--from", "2026-01-05", "--workdays", "-3"], "limit_invalid", "workdays"),
    ("from=2026-01-05&workdays=0", ["--from", "2026-01-05", "--workdays", "0"], "limit_invalid", "workdays"),
    ("from=2026-01-05&days=3651", ["--from", "2026-01-05", "--days", "3651"], "limit_invalid", "days"),
    ("from=1999-01-01&workdays=3", ["--from", "1999-01-01", "--workdays", "3"], "date_out_of_range", "from"),
    ("from=9999-12-31&days=5", ["--from", "9999-12-31", "--days", "5"], "date_out_of_range", "from"),
    ("from=2026-02-30&workdays=3", ["--from", "2026-02-30", "--workdays", "3"], "date_invalid", "from"),
    ("from=2026-01-05", ["--from", "2026-01-05"], "limit_required", "workdays"),
    ("from=2026-01-05&workdays=1&days=1", ["--from", "2026-01-05", "--workdays", "1", "--days", "1"],
     "limit_required", "workdays"),
]
ANSWERED = [("from=2026-09-30&workdays=5", ["--from", "2026-09-30", "--workdays", "5"], ["2026-10-13"]),
            ("from=2026-12-25&workdays=10", ["--from", "2026-12-25", "--workdays", "10"],
             ["2027-01-11", "provisional (预计): no official working-day notice loaded for 2027"]),
            ("from=2000-01-03&days=1", ["--from", "2000-01-03", "--days", "1"],
             ["2000-01-04", "provisional (预计): no official working-day notice loaded for 2000"]),
            # a Saturday's receipt is deemed Monday's, and Monday is not counted (issue 14)
            ("from=2024-03-16&workdays=7", ["--from", "2024-03-16", "--workdays", "7"],
             ["2024-03-27", "deemed received (视为受理日) 2024-03-18: 2024-03-16 is not a working day, "
                            "counted from the next one"]),
            ("from=2024-03-16&workdays=7&receipt_rule=as_received",
             ["--from", "2024-03-16", "--workdays", "7", "--receipt-rule", "as_received"], ["2024-03-26"])]


@pytest.fixture
def client(ctx):
    app = create_app(context=ctx)
    app.testing = True
    return app.test_client()


def _clerk(ctx, client) -> dict:
    create_account(ctx, "clerk", "窗口人员", "staff", password="a-password")
    token = client.post("/api/v1/auth/login", json={"username": "clerk", "password": "a-password"}).json["token"]
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("query, _args, code, field", REFUSED)
def test_the_api_refuses_a_bad_question_with_a_code(client, ctx, query, _args, code, field):
    problem(client.get(f"/api/v1/calendar/deadline?{query}", headers=_clerk(ctx, client)), 422, code, field)


def test_cli_and_api_give_the_same_answers_and_refusals(env):
    assert lianban(env, "init-db").returncode == 0
    ctx = Context.create(Settings(database_url=env["LIANBAN_DATABASE_URL"]))     # the CLI's database
    try:
        client = create_app(context=ctx).test_client()
        headers = _clerk(ctx, client)
        for query, args, lines in ANSWERED:
            answer = client.get(f"/api/v1/calendar/deadline?{query}", headers=headers).json
            out = lianban(env, "calendar", "deadline", *args)
            assert out.returncode == 0 and out.stdout.splitlines() == lines
            provisional = [line for line in lines if line.startswith("provisional")]
            assert answer["date"] == lines[0] and answer["provisional"] == bool(provisional)
            assert answer["provisional_years"] == [int(line[-4:]) for line in provisional]
            deemed = [line for line in lines if line.startswith("deemed")]
            assert answer["counted_from"] == (deemed[0].split()[3].rstrip(":") if deemed else None)
        for query, args, code, _field in REFUSED:
            out = lianban(env, "calendar", "deadline", *args)
            assert out.returncode == 1 and out.stdout == "", (args, out.stderr)
            assert out.stderr.startswith(f"error [{code}]: ") and len(out.stderr.splitlines()) == 1, out.stderr
            assert client.get(f"/api/v1/calendar/deadline?{query}", headers=headers).json["code"] == code
    finally:
        ctx.dispose()
