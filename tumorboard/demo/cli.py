"""`flask --app tumorboard seed-demo`: load the demo program."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask import Blueprint, current_app

from tumorboard.auth.models import User
from tumorboard.db import utcnow
from tumorboard.demo.catalog import DEMO_PASSWORD, PHYSICIANS, STAFF
from tumorboard.demo.seed import has_data, seed_demo, wipe
from tumorboard.extensions import db

bp = Blueprint("demo", __name__, cli_group=None)


def print_logins() -> None:
    """Print the demo logins that exist in this database."""
    wanted = [person.username for person in (*STAFF, *PHYSICIANS)]
    users = {u.username: u for u in db.session.scalars(sa.select(User).where(User.username.in_(wanted)))}
    if not users:
        return
    click.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for person in (*STAFF, PHYSICIANS[0], PHYSICIANS[4]):
        if person.username in users:
            click.echo(f"  {person.username:<12} {', '.join(r.label for r in person.roles):<12} {person.full_name}")
    click.echo(f"  ... and {len(PHYSICIANS) - 2} more physicians (see Users when signed in as admin)\n")


@bp.cli.command("seed-demo")
@click.option("--force", is_flag=True, help="Erase ALL existing data first, then load the demo.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
@click.option("--seed", default=2026, show_default=True, help="Random seed: the same seed gives the same demo.")
def seed_demo_command(force: bool, if_empty: bool, seed: int) -> None:
    """Load a realistic demo program: 26 users, 4 series, a year of conferences."""
    if has_data():
        if if_empty:
            print_logins()
            return
        if not force:
            raise click.ClickException(
                "The database already has users or cases. Use --force to erase everything and load the demo."
            )
        wipe()
    zone = current_app.config["TIMEZONE"]
    summary = seed_demo(utcnow(), zone, seed)
    db.session.commit()
    click.echo(
        f"Demo loaded: {summary.users} users, {summary.series} series, {summary.conferences} conferences, "
        f"{summary.cases} cases, {summary.presentations} presentations; {summary.year}: "
        f"{summary.cases_presented_in_year} of {summary.analytic_caseload_in_year} analytic cases presented."
    )
    print_logins()
