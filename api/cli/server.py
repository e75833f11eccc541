"""Commands that set up and run Lianban: the schema, the demo, deployments, the server and the
timer workers."""
from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from api import create_app
from api.cli.common import context, read
from demo.loader import load_demo as load_demo_data
from engine import scheduler
from engine.bpmn.parser import SourceFile
from engine.domain.actor import Actor
from engine.services import database, definitions, time_limits


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
    app = create_app(context=ctx)
    sched = scheduler.build(ctx)
    sched.start()
    host = host or ctx.settings.host
    port = port or ctx.settings.port
    click.echo(f"Lianban on http://{host}:{port}/  (database: {database.shown_url(ctx)})")
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        sched.shutdown(wait=False)


@click.command()
def worker() -> None:
    """Scheduler only: fires due timers (run one or more next to gunicorn in production)."""
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
    """One sweep of due timers, then exit (for cron or debugging)."""
    click.echo(f"fired {time_limits.fire_due(context(), scheduler.worker_id())} timer(s)")


COMMANDS = (init_db, load_demo, deploy, run, worker, fire_timers)
