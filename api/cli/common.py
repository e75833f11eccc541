"""What every `lianban` command shares: the context (settings from LIANBAN_* and a database that
answers), the one way a command fails, and reading an input file."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from engine.config import Settings
from engine.domain.errors import LianbanError
from engine.services.context import Context, connect

EXIT_FAILED = 1


def context() -> Context:
    """Settings from LIANBAN_* and a database that answers (a LianbanError otherwise)."""
    return connect(Settings.from_env())


def fail(exc: LianbanError) -> NoReturn:
    """The one way a command fails: `error [code]: message` (and any further deploy problems)."""
    click.echo(f"error [{exc.code}]: {exc.message}", err=True)
    for problem in getattr(exc, "problems", [])[1:]:
        where = ":".join(str(p) for p in (problem.file, problem.element, problem.line) if p)
        click.echo(f"  also [{problem.code}] {where}: {problem.message}", err=True)
    sys.exit(EXIT_FAILED)


def read(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as exc:
        raise LianbanError(f"cannot read {file}: {exc.strerror}", code="file_unreadable", field=str(file)) from None


def file_format(file: Path) -> str:
    """An import file's format by its suffix: `.csv` is CSV, anything else JSON."""
    return "csv" if file.suffix.lower() == ".csv" else "json"


def write_output(body: bytes, output: Path | None) -> None:
    """An export to `output`, or to stdout when none is given."""
    if output is None:
        sys.stdout.buffer.write(body)
        return
    try:
        output.write_bytes(body)
    except OSError as exc:
        raise LianbanError(f"cannot write {output}: {exc.strerror}", code="output_unwritable",
                           field="--output") from None
    click.echo(f"written to {output}")


class Commands(click.Group):
    """Whatever a command raises as a LianbanError (settings, database, refused input) fails it
    through `fail`: one line, exit 1, never a traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except LianbanError as exc:
            fail(exc)
