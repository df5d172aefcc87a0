"""`flask --app tumorboard create-user`: the password comes from a prompt or stdin, never an argument."""

from __future__ import annotations

import sys

import click

from tumorboard.db import utcnow
from tumorboard.domain import Actor
from tumorboard.extensions import db
from tumorboard.users.operations import UserData, UserError, create_user
from tumorboard.users.views import bp
from tumorboard.vocab import Role, Specialty


def _vocabulary(cls: type, value: str) -> object:
    try:
        return cls.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@bp.cli.command("create-user")
@click.argument("username")
@click.option("--name", "full_name", required=True, help="Full name, e.g. 'Ana Ruiz'.")
@click.option("--email", required=True)
@click.option("--specialty", required=True, help="Specialty code or label, e.g. surgery.")
@click.option("--role", "roles", multiple=True, required=True, help="Role code; repeat for several.")
@click.option("--credentials", default="", help="e.g. 'MD, PhD'.")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_user_command(
    username: str,
    full_name: str,
    email: str,
    specialty: str,
    roles: tuple[str, ...],
    credentials: str,
    password_stdin: bool,
) -> None:
    """Create a user with the given roles."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    data = UserData(
        username=username,
        full_name=full_name,
        email=email,
        credentials=credentials,
        specialty=_vocabulary(Specialty, specialty),
        roles=frozenset(_vocabulary(Role, role) for role in roles),
        active=True,
    )
    try:
        user = create_user(Actor(user=None, remote_addr=None, now=utcnow()), data, password)
    except UserError as error:
        raise click.ClickException("; ".join(error.messages)) from None
    db.session.commit()
    click.echo(f"Created user {user.username} ({', '.join(sorted(user.roles))}).")
