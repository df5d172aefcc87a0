"""`flask --app tumorboard seed-synthetic` and `flask --app tumorboard bench`."""

from __future__ import annotations

import time
from pathlib import Path

import click
from flask import Blueprint, current_app

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
