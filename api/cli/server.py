"""Commands that set up and run Lianban: the schema, the demo, deployments, the server and the
timer workers."""
from __future__ import annotations

import signal
import threading
from pathlib import Path

import click
from gunicorn.app.base import BaseApplication

import api
from api import gunicorn_conf
from api.cli.common import context, read
from demo.loader import load_demo as load_demo_data
from engine import scheduler
from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.services import database, definitions, messages, start_schedules, time_limits


@click.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic)."""
    ctx = context()
    seeded = database.prepare(ctx)
    click.echo(f"schema up to date ({database.shown_url(ctx)})")
    if seeded:
        click.echo(f"working-day calendar seeded: {seeded} official years from chinese-calendar")


@click.command("load-demo")
def load_demo() -> None:
    """Load the demo organisation, service items and workflows/ (idempotent)."""
    ctx = context()
    database.prepare(ctx)
    result = load_demo_data(ctx)
    for key, version, created in result["processes"]:
        click.echo(f"{key} v{version}{'' if created else ' (unchanged)'}")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default="cli deployment")
def deploy(files, name) -> None:
    """Deploy BPMN/DMN files as one all-or-nothing deployment."""
    result = definitions.deploy(context(), [SourceFile(f.name, read(f)) for f in files], Actor.system("cli"),
                                name=name)
    for p in result.processes:
        click.echo(f"{p.key} v{p.version}{'' if p.created else ' (unchanged)'}")


@click.command()
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
def run(host, port) -> None:
    """API, web console and scheduler in one process (for the demo)."""
    ctx = context()
    app = api.create_app(context=ctx)   # Flask and every blueprint: loaded only by the commands that serve
    sched = scheduler.build(ctx)
    sched.start()
    host = host or ctx.settings.host
    port = port or ctx.settings.port
    click.echo(f"Lianban on http://{host}:{port}/  (database: {database.shown_url(ctx)})")
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        sched.shutdown(wait=False)


class _Gunicorn(BaseApplication):
    """Gunicorn with the shipped settings (api/gunicorn_conf.py); each worker builds its own app
    (and database pool) after the fork."""

    def __init__(self, settings: dict):
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.settings.items():
            if value is not None:
                self.cfg.set(name, value)

    def load(self):
        return api.create_app()


@click.command()
@click.option("--bind", default=None, help="host:port, several separated by commas; default LIANBAN_HOST:LIANBAN_PORT")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="worker processes (default: one per core, or LIANBAN_SERVE_WORKERS)")
@click.option("--threads", type=click.IntRange(min=1), default=None,
              help=f"threads per worker (default {gunicorn_conf.THREADS}, or LIANBAN_SERVE_THREADS)")
@click.option("--keepalive", type=click.IntRange(min=1), default=None,
              help=f"seconds an idle connection stays open (default {gunicorn_conf.KEEPALIVE_SECONDS})")
@click.option("--timeout", type=click.IntRange(min=1), default=None,
              help=f"seconds before a silent worker is replaced (default {gunicorn_conf.TIMEOUT_SECONDS})")
@click.option("--graceful-timeout", type=click.IntRange(min=1), default=None,
              help=f"seconds requests in flight get on shutdown (default {gunicorn_conf.GRACEFUL_TIMEOUT_SECONDS})")
@click.option("--access-log", default=None, help="file for the access log; '-' is stdout (the default)")
def serve(bind, workers, threads, keepalive, timeout, graceful_timeout, access_log) -> None:
    """Production API and console: gunicorn, threaded workers that keep connections alive (run
    `lianban worker` beside it for timers; docs/operations.md#serving)."""
    settings = gunicorn_conf.settings()
    overrides = {"bind": [b.strip() for b in bind.split(",") if b.strip()] if bind else None,
                 "workers": workers, "threads": threads, "keepalive": keepalive, "timeout": timeout,
                 "graceful_timeout": graceful_timeout, "accesslog": access_log}
    settings.update({k: v for k, v in overrides.items() if v is not None})
    # fail in one line now (a wrong URL, a server that does not answer), not in every worker
    ctx = context()
    shown = database.shown_url(ctx)
    ctx.dispose()
    click.echo(f"Lianban serving on {', '.join(settings['bind'])}: {settings['workers']} worker(s) x "
               f"{settings['threads']} thread(s)  (database: {shown})")
    _Gunicorn(settings).run()


@click.command()
def worker() -> None:
    """Scheduler only: fires due timers and delivers signals thrown inside cases (run one or more
    next to gunicorn in production)."""
    ctx = context()
    stop = threading.Event()
    # the handler only sets a flag: stopping the scheduler from inside a signal handler could
    # interrupt the scheduler's own thread state
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    sched = scheduler.build(ctx)
    sched.start()
    click.echo("worker started")
    while not stop.wait(1.0):
        pass
    sched.shutdown(wait=True)
    click.echo("worker stopped")


@click.command("fire-timers")
def fire_timers() -> None:
    """One sweep of due timers, then the cases of due start schedules (timer start events), then the
    signals and messages thrown inside cases to the cases waiting for them (the outbox), then exit
    (for cron or debugging)."""
    ctx = context()
    click.echo(f"fired {time_limits.fire_due(ctx, scheduler.worker_id())} timer(s)")
    click.echo(f"started {start_schedules.fire_due(ctx, scheduler.worker_id())} scheduled case(s)")
    delivered = 0
    for _ in range(100):          # bounded: signals that make cases throw more are left for the next run
        done = messages.deliver_outbox(ctx, scheduler.worker_id())
        delivered += done
        if not done:
            break
    click.echo(f"delivered {delivered} thrown signal(s) and message(s)")


@click.group("outbox")
def outbox() -> None:
    """The outbox of signals and messages thrown inside cases."""


@outbox.command("prune")
def outbox_prune() -> None:
    """Delete the rows delivered more than LIANBAN_OUTBOX_RETENTION_DAYS ago (the worker does it on
    every pass too)."""
    click.echo(f"pruned {messages.prune_outbox(context())} outbox row(s)")


COMMANDS = (init_db, load_demo, deploy, run, serve, worker, fire_timers, outbox)
