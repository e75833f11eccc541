"""`lianban migrate`: move running cases to another version of their process (docs/migration.md)."""
from __future__ import annotations

import click

from api.cli.common import EXIT_FAILED, context
from engine.domain.actor import Actor
from engine.domain.errors import ValidationError
from engine.services import migration


def _mapping(pairs: tuple[str, ...]) -> dict:
    out = {}
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source.strip() or not target.strip():
            raise ValidationError(f"--map takes source=target, not {pair!r}", code="migration_mapping_invalid",
                                  field="--map")
        out[source.strip()] = target.strip()
    return out


@click.command("migrate")
@click.option("--from", "source", type=int, required=True, help="id of the version the cases run")
@click.option("--to", "target", type=int, required=True, help="id of the version to move them to")
@click.option("--map", "pairs", multiple=True, metavar="SOURCE=TARGET",
              help="map a source element to a target element (repeatable); equal ids map to themselves")
@click.option("--case", "case_ids", type=int, multiple=True, help="a case id (repeatable)")
@click.option("--all", "all_running", is_flag=True, help="every running case of the --from version")
@click.option("--dry-run", is_flag=True, help="validate only: say what would happen to each case")
def command(source, target, pairs, case_ids, all_running, dry_run) -> None:
    """Migrate running cases from one process version to another. One line per case (migrated,
    valid, refused with the element, skipped), then a summary; exit 1 when any case was refused."""
    request = migration.MigrationRequest(source, target, _mapping(pairs), tuple(case_ids) if case_ids else None,
                                         all_running)
    run = migration.validate if dry_run else migration.execute
    report = run(context(), request, Actor.system("cli"))
    for outcome in report.cases:
        line = f"case {outcome.case_id}: {outcome.status}"
        if outcome.reason:
            line += f" [{outcome.reason}]"
        for problem in outcome.problems:
            line += f" {problem.element or ''}: {problem.message}".rstrip()
        click.echo(line)
    counts = ", ".join(f"{report.count(s)} {s}" for s in ("valid" if dry_run else "migrated", "refused", "skipped"))
    click.echo(f"version {report.source_version} -> {report.target_version}: {counts}")
    if report.count("refused"):
        raise SystemExit(EXIT_FAILED)


COMMANDS = (command,)
