"""`lianban account …`: staff, applicants and service accounts; passwords, roles and API tokens."""
from __future__ import annotations

import click

from api.cli.common import context
from engine.domain.actor import Actor
from engine.services.accounts import auth, throttle


@click.group("account")
def group() -> None:
    """Accounts: staff, applicants and service accounts; passwords, roles and API tokens."""


@group.command("create")
@click.argument("username")
@click.option("--name", required=True)
@click.option("--kind", type=click.Choice(["staff", "applicant", "service"]), default="staff")
@click.option("--role", "roles", multiple=True, type=click.Choice(list(auth.SYSTEM_ROLES)))
@click.option("--password", default=None, help="omit for service accounts (they use tokens)")
def create(username, name, kind, roles, password) -> None:
    auth.create_account(context(), username, name, kind, password=password, roles=tuple(roles))
    click.echo(f"account {username} created")


@group.command("set-password")
@click.argument("username")
@click.password_option()
def set_password(username, password) -> None:
    auth.set_password(context(), username, password)
    click.echo("password changed")


@group.command("token")
@click.argument("username")
@click.option("--name", default="service token")
@click.option("--days", type=int, default=None, help="expiry in days, 1 to 3650 (default: until revoked)")
def token(username, name, days) -> None:
    """Issue an API token (shown once; only its hash is stored)."""
    click.echo(auth.create_service_token(context(), username, name, days))


@group.command("revoke")
@click.argument("token")
def revoke(token) -> None:
    """Revoke an API or session token (unknown or already revoked: exit 1). Tokens issued before
    the `lb_` prefix may start with '-': write `account revoke -- TOKEN`."""
    auth.revoke(context(), token)
    click.echo("revoked")


@group.command("unlock")
@click.argument("username", required=False)
@click.option("--address", default=None, help="lift the lockout of a client address instead of an account")
def unlock(username, address) -> None:
    """Lift a login lockout of an account (or --address) and forget its failed logins (audited)."""
    if (username is None) == (address is None):
        raise click.UsageError("name an account or give --address, not both")
    throttle.unlock(context(), Actor.system("cli"), username=username, address=address)
    click.echo("unlocked")


@group.command("lockouts")
def lockouts() -> None:
    """Account names and addresses locked by failed logins."""
    for row in throttle.lockouts(context(), Actor.system("cli")):
        state = "locked" if row["locked"] else "expired"
        click.echo(f"{row['scope']}\t{row['subject']}\t{state} until {row['locked_until'].isoformat()}"
                   f"\tlockouts {row['lockouts']}")
