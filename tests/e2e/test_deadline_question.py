""""If accepted that day, when is it due?" over HTTP (both databases) and from the CLI: one service
function answers both, so both give the same date and refuse the same input with the same code."""
import pytest

from api import create_app
from engine.config import Settings
from engine.services.accounts.auth import create_account
from engine.services.context import Context
from tests.conftest import app_for
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
    return app_for(ctx).test_client()


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


# a hall with 夏季/冬季 hours, a lunch break and Saturday mornings (周六不打烊), imported as a file would be
HALL_FILE = {"units": [{"code": "T", "name": "测试新区", "tier": "district"}],
             "halls": [{"unit": "T", "code": "T-ZWFW", "name": "测试政务服务中心", "kind": "service_center", "hours": [
                 {"name": "夏季", "from": "05-01", "to": "09-30", "days": [
                     {"weekdays": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "18:00",
                      "lunch": {"from": "12:00", "to": "14:00"}},
                     {"weekdays": [6], "opens": "09:00", "closes": "12:00"}]},
                 {"name": "冬季", "from": "10-01", "to": "04-30", "days": [
                     {"weekdays": [1, 2, 3, 4, 5], "opens": "09:00", "closes": "17:30",
                      "lunch": {"from": "12:00", "to": "13:30"}},
                     {"weekdays": [6], "opens": "09:00", "closes": "12:00"}]}]}]}
WINTER_RULE = "09:00–12:00, 13:30–17:30, 冬季 10-01–04-30"
AT_THE_HALL = [
    # Friday 17:45 in winter: after closing, counted from Monday (deemed), Monday not counted
    ("from=2026-11-27&workdays=5&hall=T-ZWFW&at=17:45",
     ["--from", "2026-11-27", "--workdays", "5", "--hall", "T-ZWFW", "--at", "17:45"],
     ["2026-12-07", f"deemed received (视为受理日) 2026-11-30: 17:45 on 2026-11-27 is after closing ({WINTER_RULE}, "
                    "Friday) at 测试政务服务中心 (T-ZWFW), counted from the next working day"], "after_closing"),
    # the same time in summer is within the hours: nothing moves
    ("from=2026-09-11&workdays=5&hall=T-ZWFW&at=17:45",
     ["--from", "2026-09-11", "--workdays", "5", "--hall", "T-ZWFW", "--at", "17:45"], ["2026-09-18"], "open"),
    # the lunch break is within the day
    ("from=2026-11-27&workdays=5&hall=T-ZWFW&at=12:30",
     ["--from", "2026-11-27", "--workdays", "5", "--hall", "T-ZWFW", "--at", "12:30"], ["2026-12-04"], "lunch"),
    # a served Saturday is still no working day
    ("from=2026-11-28&workdays=5&hall=T-ZWFW&at=10:00",
     ["--from", "2026-11-28", "--workdays", "5", "--hall", "T-ZWFW", "--at", "10:00"],
     ["2026-12-07", "deemed received (视为受理日) 2026-11-30: 2026-11-28 is not a working day, counted from the next "
                    "one (T-ZWFW serves that day, 09:00–12:00, but that makes it no working day)"], "rest_day"),
]
REFUSED_AT_THE_HALL = [
    ("from=2026-11-27&workdays=5&hall=NOPE&at=17:45", ["--hall", "NOPE", "--at", "17:45"], 404, "hall_not_found",
     "hall"),
    ("from=2026-11-27&workdays=5&hall=T-ZWFW", ["--hall", "T-ZWFW"], 422, "receipt_time_required", "at"),
    ("from=2026-11-27&workdays=5&at=17:45", ["--at", "17:45"], 422, "hall_required", "hall"),
    ("from=2026-11-27&workdays=5&hall=T-ZWFW&at=5:45pm", ["--hall", "T-ZWFW", "--at", "5:45pm"], 422,
     "receipt_time_invalid", "at"),
    ("from=2026-11-27&workdays=5&hall=T-ZWFW&at=1%D9%A3:30", ["--hall", "T-ZWFW", "--at", "1\u0663:30"], 422,
     "receipt_time_invalid", "at"),
]


def test_the_hall_and_the_time_of_receipt_answer_alike_in_the_cli_and_the_api(env, tmp_path):
    import json
    assert lianban(env, "init-db").returncode == 0
    org_file = tmp_path / "hall.json"
    org_file.write_text(json.dumps(HALL_FILE, ensure_ascii=False), encoding="utf-8")
    assert lianban(env, "org", "import", str(org_file)).returncode == 0
    ctx = Context.create(Settings(database_url=env["LIANBAN_DATABASE_URL"]))     # the CLI's database
    try:
        client = create_app(context=ctx).test_client()
        headers = _clerk(ctx, client)
        for query, args, lines, verdict in AT_THE_HALL:
            answer = client.get(f"/api/v1/calendar/deadline?{query}", headers=headers).json
            out = lianban(env, "calendar", "deadline", *args)
            assert out.returncode == 0 and out.stdout.splitlines() == lines, out.stdout
            assert answer["date"] == lines[0] and answer["hall"] == "T-ZWFW"
            assert answer["receipt_hours"]["verdict"] == verdict
            assert answer["reason"] == (lines[1] if len(lines) > 1 else None)
            assert answer["counted_from"] == ("2026-11-30" if len(lines) > 1 else None)
        for query, args, status, code, field in REFUSED_AT_THE_HALL:
            out = lianban(env, "calendar", "deadline", "--from", "2026-11-27", "--workdays", "5", *args)
            assert out.returncode == 1 and out.stderr.startswith(f"error [{code}]: "), out.stderr
            problem(client.get(f"/api/v1/calendar/deadline?{query}", headers=headers), status, code, field)
    finally:
        ctx.dispose()
