"""`flask --app tumorboard import-cases FILE`: check the whole file, then import it in one transaction."""

from __future__ import annotations

from pathlib import Path

import click

from tumorboard.auth.operations import command_actor
from tumorboard.cases.importer import ImportFileError, check_rows, read_table
from tumorboard.cases.operations import import_cases, import_context
from tumorboard.cases.views import bp
from tumorboard.db import utcnow
from tumorboard.domain import Refused
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today


@bp.cli.command("import-cases")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--as", "username", default=None, help="Username recorded in the audit log as the importer.")
def import_cases_command(path: Path, username: str | None) -> None:
    """Import cases from a CSV or XLSX file (columns: docs/import-formats.md); nothing is written if a row is wrong."""
    try:
        actor = command_actor(username, utcnow())
        rows = read_table(path.read_bytes(), path.name)
    except (ImportFileError, Refused) as error:
        raise click.ClickException(str(error)) from None
    context = import_context({row.get("mrn", "") for row in rows}, program_today(), program_settings().mrn_pattern)
    check = check_rows(rows, context)
    if check.problems:
        click.echo(f"{len(check.problems)} problem(s); nothing was imported.", err=True)
        for problem in check.problems:
            click.echo(f"  row {problem.row}, {problem.column}: {problem.message}", err=True)
        raise SystemExit(1)
    created = import_cases(actor, check.to_create)
    db.session.commit()
    click.echo(f"Imported {len(created)} case(s); {len(check.already_imported)} row(s) were already imported.")
