"""`lianban org …`: validate, import (all or nothing) and export the organisation (docs/organisation.md)."""
from __future__ import annotations

from pathlib import Path

import click

from api.cli.common import context, file_format, read, write_output
from engine.domain.actor import Actor
from engine.domain.errors import LianbanError
from engine.services import org_admin


@click.group("org")
def group() -> None:
    """The organisation: units, departments, halls, windows, roles, staff and posts as JSON/CSV files."""


def _echo_problems(file: Path, problems) -> None:
    for p in problems:
        click.echo(f"{file.name}: {p['kind']} row {p['row']}, {p['field']}: {p['message']} [{p['code']}]", err=True)


@group.command("validate")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def validate(file) -> None:
    """Check an organisation file as an import would; prints each problem with kind, row and field (exit 1)."""
    problems = org_admin.check_file(context(), read(file), file_format(file), Actor.system("cli"))
    _echo_problems(file, [p.to_dict() for p in problems])
    if problems:      # the same code and exit status as `org import` of this file
        raise LianbanError(f"{len(problems)} problem(s); nothing would be imported", code="org_file_invalid")
    click.echo(f"{file.name}: no problems")


@group.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_(file) -> None:
    """Import an organisation file (JSON or CSV by extension), all or nothing, matched by code."""
    try:
        result = org_admin.import_organisation(context(), read(file), file_format(file), Actor.system("cli"))
    except LianbanError as exc:
        _echo_problems(file, exc.detail.get("problems", []))
        raise
    click.echo(f"{result.records} records: " + ", ".join(
        f"{kind} {c['created']} created, {c['updated']} updated, {c['unchanged']} unchanged"
        for kind, c in result.counts.items() if any(c.values())))


@group.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export(fmt, output) -> None:
    """The whole organisation (CSV: UTF-8 with BOM for Excel) to a file or stdout; no passwords."""
    body = org_admin.export_organisation(context(), fmt, Actor.system("cli"))
    write_output(body, output)
