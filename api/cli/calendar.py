"""`lianban calendar …`: the deadline question, and loading a year's State Council notice."""
from __future__ import annotations

from pathlib import Path

import click

from api.cli.common import context, read
from engine.domain import calendar_notices
from engine.domain.actor import Actor
from engine.services import calendar, time_limits


@click.group("calendar")
def group() -> None:
    """The working-day calendar: deadlines, loading a State Council notice."""


@group.command("deadline")
@click.option("--from", "start", required=True, help="day of acceptance, YYYY-MM-DD (Beijing date), 2000 to 2099")
@click.option("--workdays", type=int, default=None, help="limit in working days (1 to 3650)")
@click.option("--days", type=int, default=None, help="limit in calendar days (1 to 3650)")
@click.option("--convention", type=click.Choice(["exclude_start", "include_start"]), default=None)
@click.option("--receipt-rule", type=click.Choice(["next_workday", "as_received"]), default=None,
              help="a non-working --from counts from the next working day (default) or from itself")
@click.option("--hall", default=None, help="the code of the hall that received it: its opening hours apply (with --at)")
@click.option("--at", "at", default=None, help="the time it was received there, HH:MM Beijing time (with --hall)")
def deadline(start, workdays, days, convention, receipt_rule, hall, at) -> None:
    """If received and accepted on --from (at --hall at --at), when is it due? First line: the date;
    then a line saying why the start moved when it did (a non-working day, after the hall's hours),
    and a line when the date is provisional."""
    answer = calendar.deadline_answer(context(), start, workdays=workdays, days=days, convention=convention,
                                      receipt_rule=receipt_rule, hall=hall, at=at)
    click.echo(answer.date.isoformat())
    if answer.reason is not None:
        click.echo(answer.reason)
    if answer.provisional:
        click.echo("provisional (预计): no official working-day notice loaded for "
                   + ", ".join(map(str, answer.provisional_years)))


@group.command("load")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--source", default=None, help="the notice's title and number (required for CSV)")
def load(file, source) -> None:
    """Load a year's State Council notice (JSON, or CSV with date,kind,name) and recompute."""
    ctx = context()
    content = read(file)
    notice = (calendar_notices.parse_csv(content, source or "") if file.suffix.lower() == ".csv"
              else calendar_notices.parse_json(content))
    if source:
        notice.source = source
    result = time_limits.load_notice(ctx, notice, Actor.system("cli"))
    click.echo(f"calendar version {result.version}: {result.year} is official; "
               f"{result.recomputed} open case(s) recomputed, {result.changed} with a changed deadline")
