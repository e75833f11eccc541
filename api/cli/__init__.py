"""The `lianban` command line: one module per area, each command a thin caller of services."""
from __future__ import annotations

import click

from api.cli import accounts, calendar, catalogue, migrate, org, server
from api.cli.common import Commands
from engine import logs


@click.group(cls=Commands, epilog="Exit codes: 0 done; 1 refused or failed (one line `error [code]: message` "
                                  "on stderr); 2 wrong usage of the command line.")
@click.version_option(package_name="lianban", prog_name="lianban")
def main() -> None:
    """联办 Lianban: BPMN cases across four service tiers."""
    logs.configure()         # text, or JSON lines with LIANBAN_LOG_FORMAT=json; each with its request id


for command in (*server.COMMANDS, *migrate.COMMANDS, accounts.group, calendar.group, catalogue.group, org.group):
    main.add_command(command)
