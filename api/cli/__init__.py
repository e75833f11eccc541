"""The `lianban` command line: one module per area, each command a thin caller of services."""
from __future__ import annotations

import logging

import click

from api.cli import accounts, calendar, catalogue, migrate, org, server
from api.cli.common import Commands


@click.group(cls=Commands, epilog="Exit codes: 0 done; 1 refused or failed (one line `error [code]: message` "
                                  "on stderr); 2 wrong usage of the command line.")
@click.version_option(package_name="lianban", prog_name="lianban")
def main() -> None:
    """联办 Lianban: BPMN cases across four service tiers."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # the executor's two lines per 5-second sweep drown what matters (the sweep logs what it fired
    # itself); the scheduler's own lines (started, shut down) stay
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


for command in (*server.COMMANDS, *migrate.COMMANDS, accounts.group, calendar.group, catalogue.group, org.group):
    main.add_command(command)
