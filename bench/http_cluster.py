"""What bench/load.py and bench/faults.py share: a PostgreSQL database of the run's own with the
bench items deployed, `lianban serve` and `lianban worker` processes on it, clients that drive
cases over real HTTP (keep-alive connections, retries with Idempotency-Key), and the checks run
on the database afterwards (lost and duplicated work, timers, audit chains)."""
from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bench.bench_engine import LINEAR5, service_case
from bench.common import PG_URL, deploy_item, routed, setup_org
from engine.config import Settings
from engine.domain.actor import Actor
from engine.domain.audit import case_stream
from engine.services.accounts import auth
from engine.services.context import Context
from engine.store.schema import upgrade

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench-password"
TIMER_SECONDS = 2
# linear5 with a two-second timer between the second and the third step: the timer workers must
# fire it (once) before the case can go on
TIMER5 = LINEAR5.replace(b'id="linear5" name="Linear 5 user tasks"',
                         b'id="timer5" name="Linear 5 with a timer"').replace(
    b'<bpmn:sequenceFlow id="f2" sourceRef="ut2" targetRef="ut3"/>',
    b'<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition><bpmn:timeDuration>'
    + f"PT{TIMER_SECONDS}S".encode() + b'</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
    b'<bpmn:sequenceFlow id="f2" sourceRef="ut2" targetRef="wait"/>'
    b'<bpmn:sequenceFlow id="f2b" sourceRef="wait" targetRef="ut3"/>')
assert TIMER5.count(b"intermediateCatchEvent") == 2, "bench/linear5.bpmn changed: TIMER5 no longer builds"


# --- the database ------------------------------------------------------------------------------

def server_url(base: str | None = None):
    """The PostgreSQL server of the benchmarks (LIANBAN_BENCH_POSTGRES_URL), without its schema option."""
    url = make_url(base or os.environ.get("LIANBAN_BENCH_POSTGRES_URL", PG_URL))
    return url.set(query={k: v for k, v in url.query.items() if k != "options"})


class OwnDatabase:
    """A database created for this run under a name no other run uses, dropped at the end."""

    def __init__(self, server, prefix: str):
        self.server = server
        self.name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self._admin("CREATE DATABASE {}")
        self.url = server.set(database=self.name).render_as_string(hide_password=False)

    def _admin(self, statement: str) -> None:
        admin = create_engine(self.server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(statement.format(self.name)))
        finally:
            admin.dispose()

    def drop(self) -> None:
        self._admin("DROP DATABASE IF EXISTS {} WITH (FORCE)")


def prepare(url: str) -> int:
    """Schema, the three-tier organisation, the LINEAR5 and TIMER5 items and the agent's password.
    Returns the window the clients start cases at."""
    ctx = Context.create(Settings(database_url=url))
    try:
        upgrade(ctx.engine)
        window, _agent = setup_org(ctx)
        deploy_item(ctx, "LINEAR5", "linear5.bpmn", routed(LINEAR5), "linear5")
        deploy_item(ctx, "TIMER5", "timer5.bpmn", routed(TIMER5), "timer5")
        auth.set_password(ctx, "agent", PASSWORD)
        return window
    finally:
        ctx.dispose()


def service_bound(url: str, cases: int) -> float:
    """Cases per second of the service layer in this one process (start, then claim + complete
    of each step, no HTTP): the bound a cluster on the same machine is compared with."""
    ctx = Context.create(Settings(database_url=url))
    try:
        window, agent = setup_org_actor(ctx)
        service_case(ctx, window, agent, "LINEAR5", claim=True)       # warm-up: spec load, statement caches
        t0 = time.perf_counter()
        for _ in range(cases):
            service_case(ctx, window, agent, "LINEAR5", claim=True)
        return cases / (time.perf_counter() - t0)
    finally:
        ctx.dispose()


def setup_org_actor(ctx):
    """The window and agent prepare() made, as an Actor (for the in-process service bound)."""
    with ctx.engine.connect() as conn:
        window = conn.execute(text('SELECT id FROM "window" WHERE code = \'V-W\'')).scalar_one()
        staff = conn.execute(text("SELECT id FROM staff WHERE username = 'agent'")).scalar_one()
    return window, Actor("agent", staff_id=staff, window_id=window)


# --- processes ---------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lianban(*args: str, env: dict, log) -> subprocess.Popen:
    # a session of its own: the run can end the whole process group (gunicorn master and workers)
    return subprocess.Popen([sys.executable, "-m", "api.cli", *args], cwd=ROOT, env=env, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


class Cluster:
    """`servers` x `lianban serve` (each with `workers` gthread workers) and `timer_workers` x
    `lianban worker` on one database; logs go to `log_dir`."""

    def __init__(self, url: str, servers: int, workers: int, threads: int, timer_workers: int, log_dir: Path):
        self.env = {**os.environ, "LIANBAN_DATABASE_URL": url, "LIANBAN_SCHEDULER_INTERVAL_SECONDS": "1",
                    "PYTHONUNBUFFERED": "1"}
        self.log_dir = log_dir
        self.ports = [free_port() for _ in range(servers)]
        self.servers = [self._serve(port, workers, threads) for port in self.ports]
        self.timer_workers = [self._worker(i) for i in range(timer_workers)]
        self._wait_ready()

    def _log(self, name: str):
        return open(self.log_dir / f"{name}.log", "ab")

    def _serve(self, port: int, workers: int, threads: int) -> subprocess.Popen:
        return lianban("serve", "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
                       "--access-log", str(self.log_dir / f"access-{port}.log"), env=self.env,
                       log=self._log(f"serve-{port}"))

    def _worker(self, i: int) -> subprocess.Popen:
        return lianban("worker", env=self.env, log=self._log(f"worker-{i}"))

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/api/v1/health")
                    if conn.getresponse().status == 200:
                        conn.close()
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"lianban serve on port {port} did not answer in {timeout:.0f} s "
                                       f"(see {self.log_dir})")
                time.sleep(0.2)

    def api_worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of each serve master)."""
        pids = []
        for server in self.servers:
            try:
                pids += [int(p) for p in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
            except OSError:
                pass
        return pids

    def kill_timer_worker(self, i: int = 0) -> int:
        """SIGKILL a timer worker and start a new one in its place (what systemd's Restart= does)."""
        victim = self.timer_workers[i]
        victim.send_signal(signal.SIGKILL)
        victim.wait()
        self.timer_workers[i] = self._worker(len(self.timer_workers) + i)
        return victim.pid

    def stop(self) -> None:
        for proc in self.servers + self.timer_workers:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in self.servers + self.timer_workers:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


# --- clients -----------------------------------------------------------------------------------

RETRYABLE_ERRORS = (OSError, http.client.HTTPException)


@dataclass
class Tally:
    """What the clients saw, summed over all of them."""
    started: int = 0
    completed: int = 0                 # cases whose last step the client completed
    timer_cases: int = 0
    requests: int = 0
    connection_errors: int = 0         # reset, refused, broken: retried on a new connection
    status: Counter = field(default_factory=Counter)     # 5xx and other unexpected statuses, retried
    gave_up: int = 0                   # cases a client abandoned after its retries ran out
    timer_waits: list = field(default_factory=list)      # seconds from completing ut2 to seeing ut3
    acknowledged: list = field(default_factory=list)     # (case id, task id) of every 200 complete
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, **counts) -> None:
        with self.lock:
            for name, value in counts.items():
                setattr(self, name, getattr(self, name) + value)


class GaveUp(Exception):
    """A request kept failing past the client's retry budget."""


class Client(threading.Thread):
    """One clerk: logs in, then drives cases to the end until `stop` is set or `max_cases` are
    done: start (Idempotency-Key), then for each step claim and complete (Idempotency-Key), always
    on the same keep-alive connection; a dropped connection or a 5xx is retried (counted)."""

    RETRY_SECONDS = 60
    # the items of the cases without a timer, taken in turn (a case number's daily serial has four
    # digits: a run of more than 9,999 cases a day spreads them over several items)
    LINEAR_ITEMS = ("LINEAR5",)

    def __init__(self, n: int, port: int, window: int, tally: Tally, stop: threading.Event,
                 timer_share: float, max_cases: int, measuring: threading.Event):
        super().__init__(daemon=True, name=f"client-{n}")
        self.n, self.port, self.window, self.tally, self.stop = n, port, window, tally, stop
        self.timer_share, self.max_cases, self.measuring = timer_share, max_cases, measuring
        self.linear_item = self.LINEAR_ITEMS[0]
        self.conn: http.client.HTTPConnection | None = None
        self.headers: dict = {}
        self.rng = random.Random(n)
        self.done_in_window = 0
        self.error: BaseException | None = None

    # one request, retried until it answers something other than a dropped connection or a 5xx
    def call(self, method: str, path: str, body: dict | None = None, key: str | None = None,
             give_up_after: float | None = None) -> tuple[int, dict]:
        deadline = time.monotonic() + (give_up_after or self.RETRY_SECONDS)
        payload = json.dumps(body).encode() if body is not None else None
        headers = {**self.headers, **({"Content-Type": "application/json"} if payload else {}),
                   **({"Idempotency-Key": key} if key else {})}
        while True:
            self.tally.add(requests=1)
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                raw = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
            except RETRYABLE_ERRORS:
                self.tally.add(connection_errors=1)
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                status, raw = None, b""
            else:
                status = response.status
                if status < 500:
                    return status, json.loads(raw) if raw else {}
                with self.tally.lock:
                    self.tally.status[status] += 1
            if time.monotonic() > deadline:
                raise GaveUp(f"{method} {path}: {status}")
            time.sleep(0.2 + self.rng.random() * 0.3)

    def login(self) -> None:
        status, body = self.call("POST", "/api/v1/auth/login", {"username": "agent", "password": PASSWORD})
        assert status == 200, (status, body)
        self.headers = {"Authorization": f"Bearer {body['token']}"}

    def run(self) -> None:
        try:
            self.login()
            cases = 0
            while not self.stop.is_set() and cases < self.max_cases:
                self.linear_item = self.LINEAR_ITEMS[cases % len(self.LINEAR_ITEMS)]
                try:
                    self.case(timer=self.rng.random() < self.timer_share)
                except GaveUp:
                    self.tally.add(gave_up=1)
                    continue
                cases += 1
                # throughput counts the cases that end inside the measured window, wherever they began
                if self.measuring.is_set():
                    self.done_in_window += 1
        except BaseException as exc:  # noqa: BLE001 - reported by the run, not lost in a thread
            self.error = exc

    def case(self, timer: bool) -> None:
        item = "TIMER5" if timer else self.linear_item
        status, started = self.call("POST", "/api/v1/cases", {
            "item_code": item, "window_id": self.window, "applicant": {"name": "张三"}, "form": {"n": 1}},
            key=uuid.uuid4().hex)
        assert status == 201, (status, started)
        self.tally.add(started=1, timer_cases=int(timer))
        todo = list(started["tasks"])
        steps = 0
        while steps < 5:
            if not todo:
                todo = self.wait_for_task(started["number"])
            task = todo.pop(0)
            status, body = self.call("POST", f"/api/v1/tasks/{task}/claim")
            # a claim retried after its first attempt committed finds the task claimed (by us)
            assert status == 200 or body.get("code") == "task_already_claimed", (status, body)
            status, body = self.call("POST", f"/api/v1/tasks/{task}/complete", {"data": {"ok": True}},
                                     key=uuid.uuid4().hex)
            assert status == 200, (status, body)
            with self.tally.lock:
                self.tally.acknowledged.append((started["id"], task))
            todo.extend(body["next_tasks"])
            steps += 1
        self.tally.add(completed=1)

    def wait_for_task(self, number: str) -> list[str]:
        """The step after the timer: polled on the clerk's worklist by case number."""
        t0 = time.monotonic()
        while True:
            status, body = self.call("GET", f"/api/v1/tasks/workbench?q={number}&page_size=5")
            assert status == 200, (status, body)
            found = [item["id"] for item in body["items"] if item["case_number"] == number]
            if found:
                with self.tally.lock:
                    self.tally.timer_waits.append(time.monotonic() - t0)
                return found
            if time.monotonic() - t0 > self.RETRY_SECONDS:
                raise GaveUp(f"no task after the timer of case {number}")
            time.sleep(0.25)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def run_clients(ports: list[int], window: int, clients: int, seconds: float, max_cases: int,
                timer_share: float, warmup_seconds: float = 3.0, during=None,
                client_class: type = Client) -> tuple[Tally, float, int]:
    """`clients` clients spread over the servers' ports for `warmup_seconds` + `seconds` (or until
    each has done `max_cases`); `during(elapsed)` is called every 0.1 s of the measured window (the
    fault plan). Returns the tally, the measured seconds and the cases completed in them."""
    tally, stop, measuring = Tally(), threading.Event(), threading.Event()
    threads = [client_class(i, ports[i % len(ports)], window, tally, stop, timer_share, max_cases, measuring)
               for i in range(clients)]
    for t in threads:
        t.start()
    time.sleep(warmup_seconds)
    measuring.set()
    t0 = time.monotonic()
    while time.monotonic() - t0 < seconds and any(t.is_alive() for t in threads):
        if during is not None:
            during(time.monotonic() - t0)
        time.sleep(0.1)
    measuring.clear()
    elapsed = time.monotonic() - t0
    stop.set()
    for t in threads:
        # a case in flight may wait out a restart and a timer: bounded by the retry budget
        t.join(timeout=Client.RETRY_SECONDS * 2)
        t.close()
    errors = [f"{t.name}: {t.error!r}" for t in threads if t.error is not None]
    if errors:
        raise RuntimeError("clients failed: " + "; ".join(errors))
    return tally, elapsed, sum(t.done_in_window for t in threads)


# --- checks after the run ----------------------------------------------------------------------

@dataclass
class Verdict:
    cases: int
    completed: int
    waiting_at_task: int
    lost: int                          # stuck cases + acknowledged completions the database lacks
    duplicated: int                    # tasks completed twice + timers fired twice
    timers: int                        # BPMN timers of the run's cases
    timers_fired_once: int
    broken_chains: int
    task_completions: int              # task_completed events in the database
    details: list


def verify(url: str, acknowledged: list) -> Verdict:
    """Read the database after the run (servers and workers stopped or idle)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            statuses = dict(conn.execute(text('SELECT status, count(*) FROM "case" GROUP BY status')).all())
            waiting = conn.execute(text("""
                SELECT count(*) FROM "case" c WHERE c.status = 'running'
                AND EXISTS (SELECT 1 FROM task t WHERE t.case_id = c.id AND t.state = 'open')""")).scalar_one()
            # waiting at neither a task nor a timer: nothing will ever move the case again
            stuck = conn.execute(text("""
                SELECT c.id FROM "case" c WHERE c.status = 'running'
                AND NOT EXISTS (SELECT 1 FROM task t WHERE t.case_id = c.id AND t.state = 'open')
                AND NOT EXISTS (SELECT 1 FROM timer m WHERE m.case_id = c.id AND m.kind = 'bpmn'
                                AND m.state = 'pending')""")).scalars().all()
            completions = Counter(conn.execute(text(
                "SELECT payload->>'task' FROM event WHERE type = 'task_completed'")).scalars().all())
            done = {r.id: r.state for r in conn.execute(text("SELECT id, state FROM task"))}
            fired = Counter(conn.execute(text(
                "SELECT payload->>'timer' FROM event WHERE type = 'timer_fired'")).scalars().all())
            # a BPMN timer's row names the workflow task it wakes (`ref`), as its timer_fired event does
            timers = conn.execute(text("SELECT ref, state, due_at < now() - interval '15 seconds' AS overdue "
                                       "FROM timer WHERE kind = 'bpmn'")).all()
            streams = conn.execute(text('SELECT id FROM "case"')).scalars().all()
        details = []
        missing = [task for _case, task in acknowledged if done.get(task) != "completed"]
        if missing:
            details.append(f"acknowledged completions not in the database: {missing[:5]}")
        if stuck:
            details.append(f"running cases with no open task: {stuck[:5]}")
        twice = [task for task, n in completions.items() if n > 1]
        if twice:
            details.append(f"tasks completed twice: {twice[:5]}")
        fired_twice = [tid for tid, n in fired.items() if n > 1]
        if fired_twice:
            details.append(f"timers fired twice: {fired_twice[:5]}")
        once = sum(1 for tid, state, _ in timers if state == "fired" and fired.get(tid) == 1)
        # a timer still pending long after it was due was lost by the workers (one not yet due is not)
        overdue = [tid for tid, state, late in timers if state != "fired" and late]
        if overdue:
            details.append(f"timers overdue by more than 15 s and not fired: {overdue[:5]}")
        ctx = Context.create(Settings(database_url=url))
        try:
            with ctx.uow.read() as tx:
                broken = [cid for cid in streams if tx.events.broken_at(case_stream(cid)) is not None]
        finally:
            ctx.dispose()
        if broken:
            details.append(f"broken audit chains: {broken[:5]}")
        return Verdict(cases=sum(statuses.values()), completed=statuses.get("completed", 0), waiting_at_task=waiting,
                       lost=len(stuck) + len(missing) + len(overdue), duplicated=len(twice) + len(fired_twice),
                       timers=len(timers),
                       timers_fired_once=once, broken_chains=len(broken),
                       task_completions=sum(completions.values()), details=details)
    finally:
        engine.dispose()
