"""Accreditation pages: the dashboard for a year, its exports, and the caseload and conference-log imports."""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.audit.operations import record
from tumorboard.cases.importer import ImportFileError, read_table
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.reports.accreditation import AccreditationReport, ReportInput
from tumorboard.reports.caseload import CaseloadCheck, check_caseload
from tumorboard.reports.charts import CHARTS, chart_svg
from tumorboard.reports.conference_log import LogCheck, check_log
from tumorboard.reports.exports import dashboard_values, measures_csv, presentation_list_csv, report_json, report_xlsx
from tumorboard.reports.forms import CaseloadForm, ConferenceLogForm, ConfirmCaseloadForm, chosen_year
from tumorboard.reports.operations import import_log, log_context, replace_caseload
from tumorboard.reports.pdf import annual_report_pdf
from tumorboard.reports.queries import (
    caseload_years,
    identified_report,
    program_report,
    replaced_years,
    report_years,
)
from tumorboard.vocab import Role
from tumorboard.web.access import allow
from tumorboard.web.actions import run_action
from tumorboard.web.actor import current_actor

bp = Blueprint("reports", __name__, url_prefix="/reports", cli_group=None)

READERS = (Role.COORDINATOR, Role.ADMIN, Role.AUDITOR)
IMPORTERS = (Role.COORDINATOR, Role.ADMIN)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _year_or_404(year: int) -> int:
    if year not in report_years():
        abort(404)
    return year


@bp.route("/")
@allow(*READERS)
def dashboard() -> str:
    """The accreditation measures of a year (this year, to date, unless another is chosen)."""
    years = report_years()
    year, problem = chosen_year(request.args.get("year", "").strip(), years)
    if problem:
        flash(problem, "warning")
    report, imported = program_report(year), caseload_years().get(year)
    return render_template("reports/dashboard.html", report=report, years=years, **dashboard_values(report, year),
                           can_import=current_user.has_role(*IMPORTERS), imported_at=imported[1] if imported else None)


@bp.route("/<int:year>/measures.csv")
@allow(*READERS)
def measures_file(year: int) -> Response:
    """The measures, one per row."""
    report = program_report(_year_or_404(year))
    return _download(measures_csv(report), "text/csv", f"accreditation-{year}-measures.csv")


@bp.route("/<int:year>/report.json")
@allow(*READERS)
def json_file(year: int) -> Response:
    """The documented JSON contract."""
    report = program_report(_year_or_404(year))
    return _download(report_json(report).encode(), "application/json", f"accreditation-{year}.json")


@bp.route("/<int:year>/report.pdf")
@allow(*READERS)
def pdf_file(year: int) -> Response:
    """The annual cancer-conference report for the cancer committee."""
    report = program_report(_year_or_404(year))
    pdf = annual_report_pdf(report, current_app.config["PROGRAM_NAME"], program_today().strftime("%d %B %Y"))
    return _download(pdf, "application/pdf", f"cancer-conference-report-{year}.pdf")


@bp.route("/<int:year>/presentations.csv")
@allow(*READERS)
def presentations_file(year: int) -> Response:
    """The surveyor's list: every presentation of the year with the patient's identifiers."""
    data, _ = _identified_report(year, "csv")
    return _download(presentation_list_csv(data), "text/csv", f"accreditation-{year}-presentations.csv")


@bp.route("/<int:year>/report.xlsx")
@allow(*READERS)
def xlsx_file(year: int) -> Response:
    """Measures, breakdowns and the presentation list as a workbook."""
    data, report = _identified_report(year, "xlsx")
    return _download(report_xlsx(report, data), XLSX, f"accreditation-{year}.xlsx")


def _identified_report(year: int, file_format: str) -> tuple[ReportInput, AccreditationReport]:
    """The report with the patients' identifiers: the export goes to the audit log."""
    data, report = identified_report(_year_or_404(year))
    detail = f"rows={len(data.presentations)};format={file_format}"
    record(current_actor(), "export", "accreditation_presentations", year, detail,
           cases=data.presentations["case_id"].unique().tolist())
    db.session.commit()
    return data, report


@bp.route("/<int:year>/charts/<name>.svg")
@allow(*READERS)
def chart_file(year: int, name: str) -> Response:
    """One chart as an SVG file, to paste into the committee's minutes."""
    if name not in CHARTS:
        abort(404)
    report = program_report(_year_or_404(year))
    return _download(chart_svg(CHARTS[name](report)).encode(), "image/svg+xml", f"accreditation-{year}-{name}.svg")


def _download(content: bytes, mimetype: str, filename: str) -> Response:
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/caseload", methods=["GET", "POST"])
@allow(*IMPORTERS)
def caseload() -> object:
    """The registry caseload by year; upload a file (a year already held is replaced after a confirmation)."""
    form, check, rows = CaseloadForm(), None, []
    if form.validate_on_submit():
        try:
            rows = read_table(form.file.data.read(), form.file.data.filename or "")
        except ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            check = check_caseload(rows)
    if check is not None and not check.problems:
        if replaced := replaced_years(check):
            confirm = ConfirmCaseloadForm(rows=json.dumps(rows))
            return render_template("reports/caseload_confirm.html", replaced=replaced, check=check, form=confirm)
        return _store_caseload(check)
    return render_template("reports/caseload.html", form=form, check=check, years=caseload_years())


@bp.route("/caseload/confirm", methods=["POST"])
@allow(*IMPORTERS)
def confirm_caseload() -> object:
    """Replace the years of a checked file, once the coordinator has seen what changes."""
    rows = ConfirmCaseloadForm().posted_rows()
    if rows is None:
        flash("The confirmation could not be read (it may have expired). Upload the file again.", "warning")
        return redirect(url_for("reports.caseload"))
    check = check_caseload(rows)
    if check.problems:
        return render_template("reports/caseload.html", form=CaseloadForm(), check=check, years=caseload_years())
    return _store_caseload(check)


@bp.route("/conference-log", methods=["GET", "POST"])
@allow(*IMPORTERS)
def conference_log() -> object:
    """Import a past conference log kept in spreadsheets: presentations and attendance."""
    form, check = ConferenceLogForm(), None
    if form.validate_on_submit() and (tables := form.tables()) is not None:
        presentations, attendance = tables.get("presentations"), tables.get("attendance")
        mrn_pattern = program_settings().mrn_pattern
        context = log_context(presentations or [], attendance or [], program_today(), mrn_pattern, program_zone())
        check = check_log(presentations, attendance, context)
        if not check.problems:
            return run_action(url_for("reports.conference_log"), lambda: _log_imported(check))
    return render_template("reports/conference_log.html", form=form, check=check)


def _store_caseload(check: CaseloadCheck) -> Response:
    def store() -> str:
        years = replace_caseload(current_actor(), check.counts)
        imported = ", ".join(f"{year} ({check.total(year):,} analytic cases)" for year in years)
        return f"Imported the registry caseload of {imported}."

    return run_action(url_for("reports.caseload"), store)


def _log_imported(check: LogCheck) -> str:
    created = import_log(current_actor(), check, program_zone())
    return (f"Imported {created['presentations']} presentation(s) and {created['attendance']} attendance record(s) "
            f"({created['conferences']} new conference(s), {created['series']} new series, {created['cases']} new "
            f"case(s)); {check.already_imported} row(s) were already imported.")
