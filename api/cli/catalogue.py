"""`lianban catalogue …`: validate, import (all or nothing) and export the 实施清单 catalogue."""
from __future__ import annotations

import sys
from pathlib import Path

import click

from api.cli.common import context, file_format, read, write_output
from engine.domain.actor import Actor
from engine.domain.errors import LianbanError
from engine.services import catalogue


@click.group("catalogue")
def group() -> None:
    """The 实施清单 catalogue: validate, import (all or nothing) and export JSON/CSV files."""


@group.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(file) -> None:
    """Check a catalogue file as an import would; prints each problem with row and field (exit 1)."""
    problems = catalogue.check_file(context(), read(file), file_format(file))
    for p in problems:
        click.echo(f"{file.name}: {p}")
    if problems:      # the same code and exit status as `catalogue import` of this file
        raise LianbanError(f"{len(problems)} problem(s); nothing would be imported", code="catalogue_invalid")
    click.echo(f"{file.name}: no problems")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--publish", is_flag=True, help="publish every new version at once")
def import_(file, publish) -> None:
    """Import a catalogue file (JSON or CSV by extension): new draft versions of changed entries."""
    ctx = context()
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, label="importing", file=sys.stderr)
            bar.__enter__()
        bar.update(1)
    try:
        result = catalogue.import_catalogue(ctx, read(file), file_format(file), Actor.system("cli"), publish=publish,
                                            progress=progress)
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


@group.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export(fmt, output) -> None:
    """The published catalogue (CSV: UTF-8 with BOM for Excel) to a file or stdout."""
    body = catalogue.export_catalogue(context(), fmt, Actor.system("cli"))
    write_output(body, output)
