"""`flask --app tumorboard seed-synthetic` and `flask --app tumorboard bench`."""

from __future__ import annotations

import time
from pathlib import Path

import click
import sqlalchemy as sa
from flask import Blueprint, current_app

from tumorboard.benchmarks.room_sync import render_room_sync, room_database, run_room_sync, seed_meeting
from tumorboard.benchmarks.run import render_markdown, run_benchmarks, write_between_markers
from tumorboard.benchmarks.synthetic import SCALES, seed_synthetic, settle_after_bulk_load
from tumorboard.db import utcnow
from tumorboard.demo.seed import has_data, wipe
from tumorboard.extensions import db
from tumorboard.program.settings import program_zone

bp = Blueprint("benchmarks", __name__, cli_group=None)


@bp.cli.command("seed-synthetic")
@click.option("--years", type=click.IntRange(1, 30), default=10, show_default=True)
@click.option("--scale", type=click.Choice(sorted(SCALES)), default="large", show_default=True)
@click.option("--seed", default=8000, show_default=True, help="Random seed: the same seed gives the same program.")
@click.option("--force", is_flag=True, help="Erase ALL existing data first.")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the database already has data.")
def seed_synthetic_command(years: int, scale: str, seed: int, force: bool, if_empty: bool) -> None:
    """Fill an empty database with a synthetic program for benchmarks (large: 12 weekly series, ~15,600 presentations a
    year).
    """
    if has_data():
        if if_empty:
            click.echo("The database already has data: kept as it is.")
            return
        if not force:
            raise click.ClickException(
                "The database already has users or cases. Use --force to erase everything first."
            )
        wipe()
    began = time.perf_counter()
    summary = seed_synthetic(scale, years, utcnow(), program_zone(), seed)
    db.session.commit()
    settle_after_bulk_load()
    click.echo(
        f"Synthetic program ({scale}, {years} years) in {time.perf_counter() - began:.0f} s: {summary.users} users, "
        f"{summary.series} series, {summary.conferences:,} conferences, {summary.cases:,} cases, "
        f"{summary.presentations:,} presentations, {summary.votes:,} votes."
    )


@bp.cli.command("bench")
@click.option(
    "--runs", type=click.IntRange(1, 100), default=7, show_default=True, help="Runs per benchmark (the median is kept)."
)
@click.option("--letters", type=click.IntRange(1, 100_000), default=1_000, show_default=True)
@click.option("--log-rows", type=click.IntRange(1, 100_000), default=10_000, show_default=True)
@click.option(
    "--load-seconds", type=click.IntRange(0, 3600), default=60, show_default=True, help="0 skips the load test."
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Markdown file to write the table into (between its bench markers for this database), e.g. "
    "docs/performance.md.",
)
def bench_command(runs: int, letters: int, log_rows: int, load_seconds: int, output: Path | None) -> None:
    """Run the benchmarks against this database (seed it first with seed-synthetic) and print the table."""
    config = {
        key: current_app.config[key]
        for key in ("SQLALCHEMY_DATABASE_URI", "REPORTS_DIR", "TIMEZONE", "PROGRAM_NAME", "SECRET_KEY")
    }
    try:
        report = run_benchmarks(config, runs=runs, letters=letters, log_rows=log_rows, load_seconds=load_seconds)
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    table = render_markdown(report)
    click.echo(table)
    if output is not None:
        write_between_markers(output, table, db.engine.dialect.name)
        click.echo(f"Wrote {output}")


@bp.cli.command("bench-room")
@click.option("--screens", type=click.IntRange(2, 1000), default=None,
              help="Screens on the meeting (default: 200 on PostgreSQL, 50 on SQLite).")
@click.option("--voters", type=click.IntRange(1, 1000), default=None, help="Of them, voting (default: a quarter).")
@click.option("--seconds", type=click.IntRange(5, 3600), default=60, show_default=True, help="Per mechanism.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Markdown file to write the table into, e.g. docs/performance.md.")
def bench_room_command(screens: int | None, voters: int | None, seconds: int, output: Path | None) -> None:
    """Screens following one meeting, some voting: the room's conditional poll against the plain 2-second poll
    (in a database of its own beside this one)."""
    from flask_migrate import upgrade

    from tumorboard import create_app  # here: the package imports this module

    postgres = db.engine.dialect.name == "postgresql"
    screens = screens or (200 if postgres else 50)
    voters = min(voters or max(1, screens // 4), screens)
    room_url = room_database(db.engine.url.render_as_string(hide_password=False))
    room_app = create_app({"SQLALCHEMY_DATABASE_URI": room_url})
    with room_app.app_context():
        upgrade()
        subjects = seed_meeting(screens, utcnow())
        runs = run_room_sync(room_url, subjects, voters, seconds, Path(str(current_app.config["REPORTS_DIR"])))
        version = db.session.execute(sa.text("SHOW server_version" if postgres else "SELECT sqlite_version()"))
        label = f"{db.engine.dialect.name} {version.scalar()}"
        db.session.remove()
    table = render_room_sync(runs, label)
    click.echo(table)
    if output is not None:
        write_between_markers(output, table, f"room:{'postgresql' if postgres else 'sqlite'}")
        click.echo(f"Wrote {output}")
