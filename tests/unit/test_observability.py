"""The pieces of observability that need no server: request ids, the JSON log line, the audit
chain with a request id, the workflow cache's byte bound, what counts as the database being away,
and the timer worker's back-off."""
import io
import json
import logging
import sqlite3
from datetime import datetime, timezone

import psycopg
import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from engine import logs, metrics
from engine.config import Settings, SettingsError
from engine.domain import audit, correlation
from engine.domain.actor import Actor
from engine.domain.errors import Unavailable
from engine.scheduler import Backoff
from engine.services.caches import WorkflowCache
from engine.store.db import is_unavailable, unavailable

AT = datetime(2026, 12, 7, 5, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("sent", ["abc", "A1-b2_c3.d4", "trace:1/2+3=", "x" * 64])
def test_a_sane_request_id_is_carried_through(sent):
    assert correlation.accepted(sent) == sent


@pytest.mark.parametrize("sent", [None, "", "x" * 65, "with space", "quote\"d", "中文", "-leading", "a\nb",
                                  "semi;colon"])
def test_anything_else_is_replaced(sent):
    assert correlation.accepted(sent) is None
    made = correlation.new_id()
    assert correlation.accepted(made) == made and made != correlation.new_id()


def test_json_log_lines_carry_the_request_id():
    out = io.StringIO()
    log = logging.getLogger("lianban.test.json")
    log.addHandler(logs.handler("json", out))
    log.propagate = False
    log.setLevel(logging.INFO)
    token = correlation.REQUEST_ID.set("req-42")
    try:
        log.warning("something %s", "happened")
    finally:
        correlation.REQUEST_ID.reset(token)
    log.info("outside a request")
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["request_id"] == "req-42" and first["message"] == "something happened"
    assert first["level"] == "WARNING" and first["time"].endswith("+00:00")
    assert second["request_id"] is None


def test_text_log_lines_carry_the_request_id():
    out = io.StringIO()
    log = logging.getLogger("lianban.test.text")
    log.addHandler(logs.handler("text", out))
    log.propagate = False
    token = correlation.REQUEST_ID.set("req-7")
    try:
        log.warning("hello")
    finally:
        correlation.REQUEST_ID.reset(token)
    assert "[req-7]: hello" in out.getvalue()


def test_the_log_format_is_text_or_json():
    assert logs.log_format({}) == "text"
    assert logs.log_format({"LIANBAN_LOG_FORMAT": "JSON"}) == "json"
    with pytest.raises(SettingsError) as err:
        logs.log_format({"LIANBAN_LOG_FORMAT": "xml"})
    assert err.value.field == "LIANBAN_LOG_FORMAT"


def test_events_without_a_request_id_hash_as_they_always_did():
    """Rows written before revision 0023 (request_id NULL) keep verifying."""
    before = audit.hashlib.sha256(("0" * 64 + "|" + audit.canonical(
        {"stream": "case:1", "seq": 1, "type": "t", "actor": "a", "at": AT.isoformat(), "payload": {"k": 1}})
    ).encode()).hexdigest()
    assert audit.event_hash(audit.GENESIS, stream="case:1", seq=1, type="t", actor="a", at=AT,
                            payload={"k": 1}) == before


def test_a_request_id_is_chained_and_cannot_be_moved_unnoticed():
    token = correlation.REQUEST_ID.set("req-1")
    try:
        chain = audit.CaseAudit(1, 0, audit.GENESIS)
        chain.add("case_started", Actor("clerk"), AT, {"n": 1})
    finally:
        correlation.REQUEST_ID.reset(token)
    chain.add("task_completed", Actor("clerk"), AT, {"n": 2})      # outside a request: None
    rows = chain.take()
    assert [r["request_id"] for r in rows] == ["req-1", None]
    assert audit.verify(rows, "case:1") is None
    rows[0]["request_id"] = "req-2"
    assert audit.verify(rows, "case:1") == 1


def test_the_workflow_cache_is_bounded_by_bytes():
    cache = WorkflowCache(size=100, max_bytes=1000)
    for case_id in range(1, 6):
        cache.put(case_id, 1, f"wf{case_id}", 300)
    assert len(cache) == 3 and cache.weight == 900           # 1 and 2 went, least recently used first
    assert cache.checkout(1, 1) is None and cache.checkout(3, 1) == "wf3"
    assert cache.weight == 600
    cache.put(6, 1, "too big", 1001)                          # heavier than the whole budget: not kept
    assert cache.checkout(6, 1) is None and cache.weight == 600
    cache.put(4, 2, "wf4 v2", 100)                            # replacing an entry replaces its weight
    assert cache.weight == 400 and cache.checkout(4, 2) == "wf4 v2"
    cache.clear()
    assert cache.weight == 0 and len(cache) == 0


def test_the_workflow_cache_is_still_bounded_by_number():
    cache = WorkflowCache(size=2, max_bytes=0)
    for case_id in range(1, 4):
        cache.put(case_id, 1, case_id, 10 ** 9)
    assert len(cache) == 2 and cache.checkout(1, 1) is None


def _wrapped(orig):
    return OperationalError("SELECT 1", {}, orig)


@pytest.mark.parametrize("exc, away", [
    (_wrapped(sqlite3.OperationalError("database is locked")), True),
    (sqlite3.OperationalError("database is locked"), True),          # raised by the driver's BEGIN IMMEDIATE
    (_wrapped(sqlite3.OperationalError("no such table: case")), False),
    (_wrapped(psycopg.OperationalError("connection refused")), True),
    (psycopg.errors.AdminShutdown("terminating connection due to administrator command"), True),
    (PoolTimeout("QueuePool limit of size 5 overflow 10 reached"), True),
    (IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("duplicate key")), False),
    (ValueError("not a database error"), False),
])
def test_what_counts_as_the_database_being_away(exc, away):
    assert is_unavailable(exc) is away


def test_an_invalidated_connection_is_the_database_being_away():
    exc = _wrapped(psycopg.InterfaceError("the connection is closed"))
    exc.connection_invalidated = True
    assert is_unavailable(exc)
    made = unavailable(exc)
    assert isinstance(made, Unavailable) and made.code == "database_unavailable" and made.retry_after > 0
    assert "the connection is closed" in made.message


def test_the_timer_worker_backs_off_while_the_database_is_away():
    now = [100.0]
    backoff = Backoff(5.0, clock=lambda: now[0])
    away = Unavailable("connection refused")
    assert not backoff.waiting()
    assert [backoff.failed(away) for _ in range(6)] == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]
    assert backoff.waiting()
    now[0] += 60.0
    assert not backoff.waiting()
    backoff.succeeded()
    assert backoff.failures == 0 and not backoff.waiting()


def test_metrics_settings_are_checked():
    assert [str(n) for n in Settings(metrics_allow="10.0.0.0/8, 127.0.0.1").metrics_networks()] == [
        "10.0.0.0/8", "127.0.0.1/32"]
    for env, field in (({"LIANBAN_METRICS_ALLOW": "10.0.0.0/33"}, "LIANBAN_METRICS_ALLOW"),
                       ({"LIANBAN_METRICS_ALLOW": "somewhere"}, "LIANBAN_METRICS_ALLOW"),
                       ({"LIANBAN_METRICS_TOKEN": "short"}, "LIANBAN_METRICS_TOKEN")):
        with pytest.raises(SettingsError) as err:
            Settings.from_env(env)
        assert err.value.field == field


def test_the_exposition_names_every_metric():
    metrics.incident("script_failed")
    metrics.request_answered("/api/v1/cases", "POST", 201, 0.01)
    text = metrics.exposition().decode()
    for name in ("lianban_http_requests_total", "lianban_http_request_duration_seconds_bucket",
                 "lianban_cases_started_total", "lianban_cases_completed_total", "lianban_timers_due",
                 "lianban_timers_fired_total", "lianban_timer_lateness_seconds_bucket", "lianban_db_pool_size",
                 "lianban_db_pool_checked_out", 'lianban_incidents_total{kind="script_failed"}'):
        assert name in text, name
