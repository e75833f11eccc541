"""Observability over HTTP, on both databases: the request id (answer header, log line, audit
events of the request), the metrics after a case and who may read them, readiness 200/503, and
503 with Retry-After while the database is away — then recovery without a restart.

PostgreSQL outages are made on this run's own database only: a TCP proxy this test starts and
stops in front of it, and pg_terminate_backend of the backends connected to it."""
import io
import logging
import socket
import sqlite3
import threading

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.engine import make_url

from api import create_app
from demo.org import DEMO_PASSWORD
from engine import logs
from engine.config import Settings
from engine.services.context import Context
from engine.store.models import Case, Event
from tests.conftest import row_counts, window_id
from tests.form_samples import sample
from tests.integration.helpers import FOOD_TO_ISSUED, complete_steps

FOOD = "620100-XK-SCJG-0001"
METRICS_TOKEN = "scraper-token-0123456789"


def _app(ctx, **settings):
    if settings:
        ctx.settings = Settings(**{**ctx.settings.__dict__, **settings})
    app = create_app(context=ctx)
    app.testing = True
    return app.test_client()


def _login(client, username="zcz_qs_agent"):
    r = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.json
    return {"Authorization": f"Bearer {r.json['token']}"}


_windows: dict = {}


def _start(client, ctx, headers, **extra):
    key = ctx.settings.database_url
    if key not in _windows:
        _windows[key] = window_id(ctx, "ZCZ-QS-W01")
    return client.post("/api/v1/cases", headers={**headers, **extra}, json={
        "item_code": FOOD, "window_id": _windows[key], "channel": "window",
        "applicant": {"name": "张三"}, "form": sample("apply_food_licence")})


def _metric(text: str, name: str, **labels) -> float:
    """The value of one sample in Prometheus's text format (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in labels.items())
    head = f"{name}{{{want}}}" if want else name
    for line in text.splitlines():
        if line.startswith(head + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_every_answer_carries_a_request_id(demo):
    client = _app(demo)
    made = client.get("/api/v1/health/live")
    assert made.status_code == 200 and len(made.headers["X-Request-Id"]) == 32
    assert client.get("/api/v1/health/live").headers["X-Request-Id"] != made.headers["X-Request-Id"]
    assert client.get("/api/v1/health/live", headers={"X-Request-Id": "lb-abc.123"}).headers["X-Request-Id"] == \
        "lb-abc.123"
    refused = client.get("/api/v1/cases", headers={"X-Request-Id": "not sane; <script>"})     # a 401 too
    assert refused.status_code == 401 and refused.headers["X-Request-Id"] != "not sane; <script>"
    assert len(refused.headers["X-Request-Id"]) == 32
    assert client.get("/no/such/page.json").headers.get("X-Request-Id")


def test_the_request_id_reaches_the_log_and_the_audit_events(demo):
    client = _app(demo)
    headers = _login(client)
    out = io.StringIO()
    handler = logs.handler("json", out)
    logging.getLogger().addHandler(handler)
    try:
        r = _start(client, demo, headers, **{"X-Request-Id": "start-req-1"})
        logging.getLogger("lianban.test").warning("after the request")
    finally:
        logging.getLogger().removeHandler(handler)
    assert r.status_code == 201, r.json
    assert r.headers["X-Request-Id"] == "start-req-1"
    case_id = r.json["id"]
    trail = client.get(f"/api/v1/cases/{case_id}/events", headers={**headers, "X-Request-Id": "read-1"}).json
    assert trail["intact"] is True
    assert trail["events"] and {e["request_id"] for e in trail["events"]} == {"start-req-1"}
    with demo.uow.read() as tx:
        stored = tx.conn.execute(select(Event.request_id).where(Event.case_id == case_id)).scalars().all()
    assert stored and set(stored) == {"start-req-1"}
    # a command in another request: its events carry that request's id, the chain stays intact
    task = client.get("/api/v1/tasks?limit=50", headers=headers).json
    mine = next(t for t in task if t["case_id"] == case_id)
    assert client.post(f"/api/v1/tasks/{mine['id']}/claim", headers={**headers, "X-Request-Id": "claim-2"}
                       ).status_code == 200
    trail = client.get(f"/api/v1/cases/{case_id}/events", headers=headers).json
    assert trail["intact"] is True and trail["events"][-1]["request_id"] == "claim-2"
    lines = out.getvalue().splitlines()
    assert lines and '"request_id": null' in lines[-1]       # outside a request, no id


def test_a_log_line_written_during_a_request_carries_its_id(demo):
    """The 503 of an unreachable database is logged by the request that answered it."""
    url = make_url(demo.settings.database_url)
    if url.get_backend_name() != "postgresql":
        url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"          # nothing listens on port 1
    else:
        url = url.set(port=1).render_as_string(hide_password=False)
    away = Context.create(Settings(database_url=str(url)))
    client = _app(away)
    out = io.StringIO()
    handler = logs.handler("text", out)
    logging.getLogger("api.errors").addHandler(handler)
    try:
        r = client.get("/api/v1/cases", headers={"Authorization": "Bearer x", "X-Request-Id": "lost-db-1"})
    finally:
        logging.getLogger("api.errors").removeHandler(handler)
        away.dispose()
    assert r.status_code == 503 and r.json["code"] == "database_unavailable"
    assert "[lost-db-1]: answered 503" in out.getvalue()


def test_metrics_count_requests_and_cases(demo):
    client = _app(demo, metrics_token=METRICS_TOKEN)
    scraper = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    before = client.get("/metrics", headers=scraper)
    assert before.status_code == 200 and before.content_type.startswith("text/plain")
    headers = _login(client)
    r = _start(client, demo, headers)
    assert r.status_code == 201, r.json
    assert _start(client, demo, headers, **{"Idempotency-Key": "x" * 300}).status_code == 422
    after = client.get("/metrics", headers=scraper).text
    old = before.text
    assert _metric(after, "lianban_cases_started_total") == _metric(old, "lianban_cases_started_total") + 1
    for status, grown in (("201", 1), ("422", 1)):
        labels = {"method": "POST", "route": "/api/v1/cases", "status": status}
        assert _metric(after, "lianban_http_requests_total", **labels) == \
            _metric(old, "lianban_http_requests_total", **labels) + grown
    # by template, never by path: one series for every case id
    client.get(f"/api/v1/cases/{r.json['id']}", headers=headers)
    text = client.get("/metrics", headers=scraper).text
    assert 'route="/api/v1/cases/<id:case_id>"' in text and f"/api/v1/cases/{r.json['id']}\"" not in text
    assert _metric(text, "lianban_http_request_duration_seconds_count", method="POST", route="/api/v1/cases") >= 2
    assert _metric(text, "lianban_db_pool_size") >= 1
    client.get("/no/such/thing.json")
    assert 'route="unmatched"' in client.get("/metrics", headers=scraper).text


def test_a_completed_case_is_counted(demo):
    client = _app(demo, metrics_token=METRICS_TOKEN)
    scraper = {"Authorization": f"Bearer {METRICS_TOKEN}"}
    old = client.get("/metrics", headers=scraper).text
    headers = _login(client)
    started = _start(client, demo, headers).json
    complete_steps(demo, started["tasks"][0], FOOD_TO_ISSUED)
    text = client.get("/metrics", headers=scraper).text
    assert _metric(text, "lianban_cases_completed_total") == _metric(old, "lianban_cases_completed_total") + 1


@pytest.mark.parametrize("who, expected", [("admin", 200), ("zcz_qs_agent", 403), ("zcz_supervisor", 403)])
def test_metrics_for_administrators_only_among_accounts(demo, who, expected):
    client = _app(demo)
    r = client.get("/metrics", headers=_login(client, who))
    assert r.status_code == expected
    if expected == 403:
        assert r.json["code"] == "role_required"


def test_metrics_are_never_public_by_default(demo):
    client = _app(demo)
    anonymous = client.get("/metrics")
    assert anonymous.status_code == 403 and anonymous.json["code"] == "metrics_forbidden"
    assert anonymous.content_type == "application/problem+json"
    assert client.get("/metrics", headers={"Authorization": "Bearer guessed"}).status_code == 401
    local = client.get("/metrics", environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert local.status_code == 403            # not even from this machine: a proxy in front would make it public


def test_metrics_from_an_allowed_address_or_with_the_token(demo):
    client = _app(demo, metrics_token=METRICS_TOKEN, metrics_allow="10.8.0.0/16")
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.8.3.4"}).status_code == 200
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "10.9.3.4"}).status_code == 403
    # a forwarded-for header is the client's to write: never trusted
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "192.0.2.1"},
                      headers={"X-Forwarded-For": "10.8.3.4"}).status_code == 403
    assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).status_code == 200
    assert client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}x"}).status_code == 401


def test_ready_when_the_database_answers_at_the_migrations_head(demo):
    client = _app(demo)
    r = client.get("/api/v1/health/ready")
    assert r.status_code == 200, r.json
    assert r.json["checks"]["database"]["ok"] and r.json["checks"]["migrations"]["ok"]
    assert r.json["checks"]["migrations"]["applied"] == r.json["checks"]["migrations"]["head"]
    assert client.get("/api/v1/health/live").json == {"status": "ok"}


def test_not_ready_before_the_schema_is_migrated(tmp_path):
    ctx = Context.create(Settings(database_url=f"sqlite:///{tmp_path / 'empty.db'}"))
    try:
        r = _app(ctx).get("/api/v1/health/ready")
    finally:
        ctx.dispose()
    assert r.status_code == 503
    assert r.json["checks"]["database"]["ok"] is True
    assert r.json["checks"]["migrations"] == {**r.json["checks"]["migrations"], "ok": False, "applied": [],
                                              "code": "schema_not_at_head"}


def test_not_ready_and_503_while_the_database_cannot_be_reached():
    ctx = Context.create(Settings(database_url="postgresql+psycopg://postgres@127.0.0.1:1/nowhere"))
    try:
        client = _app(ctx)
        ready = client.get("/api/v1/health/ready")
        live = client.get("/api/v1/health/live")
        health = client.get("/api/v1/health")
    finally:
        ctx.dispose()
    assert ready.status_code == 503 and ready.json["checks"]["database"]["code"] == "database_unavailable"
    assert ready.json["checks"]["migrations"]["ok"] is False
    assert live.status_code == 200                     # alive: an outage must not get every process killed
    assert health.status_code == 503 and health.headers["Retry-After"] == "5"
    assert health.json["code"] == "database_unavailable"
    assert health.content_type == "application/problem+json"


def test_sqlite_locked_past_its_busy_timeout_is_503(demo, tmp_path):
    if demo.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's lock")
    ctx = Context.create(Settings(database_url=demo.settings.database_url))

    @event.listens_for(ctx.engine, "connect")
    def _short_wait(dbapi_conn, _record):      # after the engine's own (30 s): keep the test short
        dbapi_conn.execute("PRAGMA busy_timeout=200")

    client = _app(ctx)
    headers = _login(client)
    before = row_counts(demo)
    _windows.pop(demo.settings.database_url, None)
    _start(client, demo, {"Authorization": "Bearer none"})           # notes the window's id before the lock
    holder = sqlite3.connect(make_url(demo.settings.database_url).database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")          # another writer holds the lock
    try:
        r = _start(client, demo, headers)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert r.json["code"] == "database_unavailable" and "locked" in r.json["detail"]
    assert row_counts(demo) == before
    assert _start(client, demo, headers).status_code == 201          # the lock gone, the next one works
    ctx.dispose()


class _Proxy:
    """A TCP proxy in front of PostgreSQL that the test can cut (every connection closed, nothing
    listening) and bring back on the same port."""

    def __init__(self, target_port: int):
        self.target_port = target_port
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self._sockets: list = []
        self._listener = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(src, dst) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        try:
            self._listener.shutdown(socket.SHUT_RDWR)      # wakes the accepting thread (close alone does not)
        except OSError:
            pass
        self._listener.close()
        for s in self._sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()
        self._sockets = []


@pytest.fixture
def pg_demo(demo):
    if demo.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL outage")
    return demo


def test_503_while_postgresql_is_away_then_recovery_without_a_restart(pg_demo):
    url = make_url(pg_demo.settings.database_url)
    proxy = _Proxy(url.port or 5432)
    proxy.start()
    ctx = Context.create(Settings(database_url=url.set(host="127.0.0.1", port=proxy.port)
                                  .render_as_string(hide_password=False)))
    try:
        client = _app(ctx)
        headers = _login(client)
        assert _start(client, pg_demo, headers).status_code == 201
        before = row_counts(pg_demo)
        proxy.cut()                                 # the server "restarts": connections dropped, port closed
        refused = [_start(client, pg_demo, headers) for _ in range(3)]
        not_ready = client.get("/api/v1/health/ready")
        assert [r.status_code for r in refused] == [503, 503, 503], [r.json for r in refused]
        assert all(r.headers["Retry-After"] == "5" and r.json["code"] == "database_unavailable" for r in refused)
        assert all(r.content_type == "application/problem+json" for r in refused)
        assert not_ready.status_code == 503
        assert row_counts(pg_demo) == before        # nothing half-written
        proxy.start()                               # back: the same process serves again
        again = _start(client, pg_demo, headers)
        assert again.status_code == 201, again.json
        assert client.get("/api/v1/health/ready").status_code == 200
    finally:
        ctx.dispose()
        proxy.cut()


def test_terminated_backends_are_replaced_without_an_error(pg_demo):
    """pg_terminate_backend (what an administrator's restart or a failover does to each
    connection). A connection used in the last seconds is not pinged before use (one round trip
    less per command: engine/store/pg_pipeline.py), so the first command on a dead one may be
    answered 503 with Retry-After, rolled back whole; the disconnect invalidates the pool, and
    the next commands run on new connections."""
    ctx = Context.create(Settings(database_url=pg_demo.settings.database_url))       # the API process
    try:
        client = _app(ctx)
        headers = _login(client)
        assert _start(client, pg_demo, headers).status_code == 201
        database = make_url(pg_demo.settings.database_url).database
        with pg_demo.engine.connect() as conn:
            killed = conn.exec_driver_sql(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %(db)s AND pid <> pg_backend_pid()", {"db": database}).scalar()
        assert killed >= 1
        answers = [_start(client, pg_demo, headers) for _ in range(4)]
        codes = [r.status_code for r in answers]
        print("after pg_terminate_backend:", codes)
        assert codes[-2:] == [201, 201] and set(codes) <= {201, 503}, codes
        assert codes.count(503) <= 1, codes
        for r in answers:
            if r.status_code == 503:
                assert r.json["code"] == "database_unavailable" and r.headers["Retry-After"] == "5"
        assert client.get("/api/v1/health/ready").status_code == 200
    finally:
        ctx.dispose()
    with pg_demo.uow.read() as tx:      # nothing half-written by a refused start
        assert tx.conn.execute(select(func.count()).select_from(Case)).scalar() == 1 + codes.count(201)
