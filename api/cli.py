"""The `lianban` command line. Every command exits 0 when done; 1 when it refused or failed, with
one line `error [code]: message` on stderr (the codes of the API's problems), never a traceback;
and 2 when click finds the command line itself wrong (usage).
"""
from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import NoReturn

import click

from engine.config import Settings
from engine.domain.errors import LianbanError
from engine.services.context import Actor, Context

EXIT_FAILED = 1


def _context() -> Context:
    """Settings from LIANBAN_* and a database that answers (SettingsError / LianbanError otherwise)."""
    from engine.services.context import connect
    return connect(Settings.from_env())


def _fail(exc: LianbanError) -> NoReturn:
    """The one way a command fails: `error [code]: message` (and any further deploy problems)."""
    click.echo(f"error [{exc.code}]: {exc.message}", err=True)
    for problem in getattr(exc, "problems", [])[1:]:
        where = ":".join(str(p) for p in (problem.file, problem.element, problem.line) if p)
        click.echo(f"  also [{problem.code}] {where}: {problem.message}", err=True)
    sys.exit(EXIT_FAILED)


def _read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise LianbanError(f"cannot read {file}: {exc.strerror}", code="file_unreadable", field=str(file)) from None


class _Commands(click.Group):
    """Whatever a command raises as a LianbanError (settings, database, refused input) fails it
    through _fail: one line, exit 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LianbanError as exc:
            _fail(exc)


@click.group(cls=_Commands, epilog="Exit codes: 0 done; 1 refused or failed (one line `error [code]: message` "
                                   "on stderr); 2 wrong usage of the command line.")
@click.version_option(package_name="lianban", prog_name="lianban")
def main() -> None:
    """联办 Lianban: BPMN cases across four service tiers."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # the executor's two lines per 5-second sweep drown what matters (the sweep logs what it fired
    # itself); the scheduler's own lines (started, shut down) stay
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


@main.command("init-db")
def init_db() -> None:
    """Create or upgrade the database schema (Alembic)."""
    from engine.store.schema import upgrade
    from engine.services.calendar import seed_from_package
    ctx = _context()
    upgrade(ctx.engine)
    seeded = seed_from_package(ctx)
    click.echo(f"schema up to date ({ctx.engine.url.render_as_string(hide_password=True)})")
    if seeded:
        click.echo(f"working-day calendar seeded: {seeded} official years from chinese-calendar")


@main.command("load-demo")
def load_demo() -> None:
    """Load the demo organisation, service items and workflows/ (idempotent)."""
    from engine.services.calendar import seed_from_package
    from engine.services.demo import load_demo as load
    from engine.store.schema import upgrade
    ctx = _context()
    upgrade(ctx.engine)
    seed_from_package(ctx)
    result = load(ctx)
    for key, version, created in result["processes"]:
        click.echo(f"{key} v{version}{'' if created else ' (unchanged)'}")


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default="cli deployment")
def deploy(files, name) -> None:
    """Deploy BPMN/DMN files as one all-or-nothing deployment."""
    from engine.bpmn.parser import SourceFile
    from engine.services.deploy import deploy as do_deploy
    ctx = _context()
    result = do_deploy(ctx, [SourceFile(f.name, _read(f)) for f in files], Actor.system("cli"), name=name)
    for p in result.processes:
        click.echo(f"{p.key} v{p.version}{'' if p.created else ' (unchanged)'}")


@main.command()
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
def run(host, port) -> None:
    """API, web console and scheduler in one process (for the demo)."""
    from api import create_app
    from engine import scheduler
    ctx = _context()
    app = create_app(context=ctx)
    sched = scheduler.build(ctx)
    sched.start()
    host = host or ctx.settings.host
    port = port or ctx.settings.port
    click.echo(f"Lianban on http://{host}:{port}/  (database: {ctx.engine.url.render_as_string(hide_password=True)})")
    try:
        app.run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        sched.shutdown(wait=False)


@main.command()
def worker() -> None:
    """Scheduler only: fires due timers (run one or more next to gunicorn in production)."""
    from engine import scheduler
    ctx = _context()
    import threading
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


@main.command("fire-timers")
def fire_timers() -> None:
    """One sweep of due timers, then exit (for cron or debugging)."""
    from engine import scheduler
    from engine.services.timers import fire_due
    ctx = _context()
    click.echo(f"fired {fire_due(ctx, scheduler.worker_id())} timer(s)")


@main.group("account")
def account_group() -> None:
    """Accounts: staff, applicants and service accounts; passwords, roles and API tokens."""


@account_group.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["staff", "applicant", "service"]), default="staff")
@click.option("--role", "roles", multiple=True, type=click.Choice(["admin", "designer"]))
@click.option("--password", default=None, help="omit for service accounts (they use tokens)")
def account_create(username, name, kind, roles, password) -> None:
    from engine.services import auth
    auth.create_account(_context(), username, name, kind, password=password, roles=tuple(roles))
    click.echo(f"account {username} created")


@account_group.command("set-password")
@click.argument("username")
@click.password_option()
def account_set_password(username, password) -> None:
    from engine.services import auth
    auth.set_password(_context(), username, password)
    click.echo("password changed")


@account_group.command("token")
@click.argument("username")
@click.option("--name", default="service token")
@click.option("--days", type=int, default=None, help="expiry in days, 1 to 3650 (default: until revoked)")
def account_token(username, name, days) -> None:
    """Issue an API token (shown once; only its hash is stored)."""
    from engine.services import auth
    click.echo(auth.create_service_token(_context(), username, name, days))


@account_group.command("revoke")
@click.argument("token")
def account_revoke(token) -> None:
    """Revoke an API or session token (unknown or already revoked: exit 1). Tokens issued before
    the `lb_` prefix may start with '-': write `account revoke -- TOKEN`."""
    from engine.services import auth
    auth.revoke(_context(), token)
    click.echo("revoked")


@main.group("calendar")
def calendar_group() -> None:
    """The working-day calendar: deadlines, loading a State Council notice."""


@calendar_group.command("deadline")
@click.option("--from", "start", required=True, help="day of acceptance, YYYY-MM-DD (Beijing date), 2000 to 2099")
@click.option("--workdays", type=int, default=None, help="limit in working days (1 to 3650)")
@click.option("--days", type=int, default=None, help="limit in calendar days (1 to 3650)")
@click.option("--convention", type=click.Choice(["exclude_start", "include_start"]), default=None)
def calendar_deadline(start, workdays, days, convention) -> None:
    """If accepted on --from, when is it due? First line: the date; second line when provisional."""
    from engine.services import calendar as cal_service
    answer = cal_service.deadline_answer(_context(), start, workdays=workdays, days=days, convention=convention)
    click.echo(answer.date.isoformat())
    if answer.provisional:
        click.echo("provisional (预计): no official working-day notice loaded for "
                   + ", ".join(map(str, answer.provisional_years)))


@calendar_group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default=None, help="the notice's title and number (required for CSV)")
def calendar_load(file, source) -> None:
    """Load a year's State Council notice (JSON, or CSV with date,kind,name) and recompute."""
    from engine.services import calendar as cal_service
    ctx = _context()
    content = _read(file)
    notice = (cal_service.parse_csv(content, source or "") if file.suffix.lower() == ".csv"
              else cal_service.parse_json(content))
    if source:
        notice.source = source
    result = cal_service.load_notice(ctx, notice, Actor.system("cli"))
    click.echo(f"calendar version {result.version}: {result.year} is official; "
               f"{result.recomputed} open case(s) recomputed, {result.changed} with a changed deadline")


@main.group("catalog")
def catalog_group() -> None:
    """The 实施清单 catalogue: validate, import (all or nothing) and export JSON/CSV files."""


def _catalogue_format(file: Path) -> str:
    return "csv" if file.suffix.lower() == ".csv" else "json"


@catalog_group.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def catalog_validate(file) -> None:
    """Check a catalogue file as an import would; prints each problem with row and field (exit 1)."""
    from engine.services import catalog
    problems = catalog.check_file(_context(), _read(file), _catalogue_format(file))
    for p in problems:
        click.echo(f"{file.name}: {p}")
    if problems:      # the same code and exit status as `catalog import` of this file
        raise LianbanError(f"{len(problems)} problem(s); nothing would be imported", code="catalogue_invalid")
    click.echo(f"{file.name}: no problems")


@catalog_group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="publish every new version at once")
def catalog_import(file, publish) -> None:
    """Import a catalogue file (JSON or CSV by extension): new draft versions of changed entries."""
    from engine.services import catalog
    ctx = _context()
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="importing", file=sys.stderr)
            bar.__enter__()
        bar.update(1)
    try:
        result = catalog.import_catalogue(ctx, _read(file), _catalogue_format(file), Actor.system("cli"),
                                          publish=publish, progress=progress)
    except LianbanError as exc:
        for p in exc.detail.get("problems", []):
            click.echo(f"{file.name}: row {p['row']}, {p['field']}: {p['message']} [{p['code']}]", err=True)
        raise
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"{result.rows} rows: {len(result.created)} new version(s), {result.unchanged} unchanged, "
               f"{len(result.published)} published, {result.basic_created} basic item(s) created, "
               f"{result.basic_updated} updated")


@catalog_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def catalog_export(fmt, output) -> None:
    """The published catalogue (CSV: UTF-8 with BOM for Excel) to a file or stdout."""
    from engine.services import catalog_views
    body = catalog_views.export_catalogue(_context(), fmt, Actor.system("cli"))
    if output:
        try:
            output.write_bytes(body)
        except OSError as exc:
            raise LianbanError(f"cannot write {output}: {exc.strerror}", code="output_unwritable",
                               field="--output") from None
        click.echo(f"written to {output}")
    else:
        sys.stdout.buffer.write(body)


if __name__ == "__main__":
    main()
