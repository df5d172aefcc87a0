"""Commands: `import-caseload`, `import-conference-log` and `accreditation-report`."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app

from tumorboard.auth.operations import command_actor
from tumorboard.cases.importer import ImportFileError, Problem, read_table
from tumorboard.db import utcnow
from tumorboard.domain import Actor, Refused
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.reports.caseload import check_caseload
from tumorboard.reports.conference_log import check_log
from tumorboard.reports.exports import measures_csv, report_json, report_xlsx
from tumorboard.reports.operations import import_log, log_context, replace_caseload
from tumorboard.reports.pdf import annual_report_pdf
from tumorboard.reports.queries import program_report
from tumorboard.reports.views import bp

FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
FORMATS = ("json", "csv", "xlsx", "pdf")
as_option = click.option("--as", "username", default=None, help="Username recorded in the audit log as the importer.")


def _actor(username: str | None) -> Actor:
    try:
        return command_actor(username, utcnow())
    except Refused as error:
        raise click.ClickException(str(error)) from None


def _table(path: Path) -> list[dict[str, str]]:
    try:
        return read_table(path.read_bytes(), path.name)
    except ImportFileError as error:
        raise click.ClickException(f"{path.name}: {error}") from None


def _refuse(problems: list[Problem]) -> None:
    click.echo(f"{len(problems)} problem(s); nothing was imported.", err=True)
    for problem in problems:
        where = f"{problem.file} " if problem.file else ""
        click.echo(f"  {where}row {problem.row}, {problem.column}: {problem.message}", err=True)
    raise SystemExit(1)


@bp.cli.command("import-caseload")
@click.argument("path", type=FILE)
@as_option
def import_caseload_command(path: Path, username: str | None) -> None:
    """Import the registry's annual analytic caseload (CSV or XLSX: year, site_group, analytic_cases); a year in the
    file replaces that year.
    """
    actor = _actor(username)
    check = check_caseload(_table(path))
    if check.problems:
        _refuse(check.problems)
    years = replace_caseload(actor, check.counts)
    db.session.commit()
    for year in years:
        click.echo(f"{year}: {check.total(year):,} analytic cases.")


@bp.cli.command("import-conference-log")
@click.option("--presentations", "presentations_path", type=FILE, help="Presentations file (CSV or XLSX).")
@click.option("--attendance", "attendance_path", type=FILE, help="Attendance file (CSV or XLSX).")
@as_option
def import_conference_log_command(
    presentations_path: Path | None, attendance_path: Path | None, username: str | None
) -> None:
    """Import a past conference log (docs/import-formats.md). Nothing is written if any row of either file is wrong."""
    actor = _actor(username)
    if presentations_path is None and attendance_path is None:
        raise click.UsageError("Give --presentations FILE, --attendance FILE, or both.")
    presentations = _table(presentations_path) if presentations_path else None
    attendance = _table(attendance_path) if attendance_path else None
    context = log_context(
        presentations or [], attendance or [], program_today(), program_settings().mrn_pattern, program_zone()
    )
    check = check_log(presentations, attendance, context)
    if check.problems:
        _refuse(check.problems)
    created = import_log(actor, check, program_zone())
    db.session.commit()
    click.echo(
        ", ".join(f"{n} {what}" for what, n in created.items())
        + f" created; {check.already_imported} row(s) already imported."
    )


@bp.cli.command("accreditation-report")
@click.option("--year", type=int, default=None, help="The year (default: this year, to date).")
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="json", show_default=True)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    default=None,
    help="Where to write; JSON and CSV go to standard output without it, XLSX and PDF to the reports folder.",
)
def accreditation_report_command(year: int | None, output_format: str, output: Path | None) -> None:
    """The year's accreditation measures as JSON (the contract in docs/accreditation.md), CSV, XLSX or the committee's
    PDF.
    """
    today = program_today()
    year = year or today.year
    if not 1990 <= year <= today.year:
        raise click.BadParameter(f"choose a year from 1990 to {today.year}.", param_hint="--year")
    report = program_report(year)
    if output_format == "json":
        content = report_json(report).encode()
    elif output_format == "csv":
        content = measures_csv(report)
    elif output_format == "xlsx":
        content = report_xlsx(report)
    else:
        content = annual_report_pdf(report, current_app.config["PROGRAM_NAME"], today.strftime("%d %B %Y"))
    if output is None and output_format in ("json", "csv"):
        click.echo(content.decode(), nl=False)
        return
    if output is None:
        output = Path(current_app.config["REPORTS_DIR"]) / "accreditation" / f"accreditation-{year}.{output_format}"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)
    click.echo(f"Wrote {output}")
