"""Accreditation pages: the dashboard for a year, its exports, and the caseload and conference-log imports."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.audit.operations import record
from tumorboard.cases.importer import MAX_ROWS, ImportFileError, read_table
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.reports.accreditation import AccreditationReport, ReportInput
from tumorboard.reports.caseload import CaseloadCheck, check_caseload
from tumorboard.reports.charts import CHARTS, chart_svg, inline_svg
from tumorboard.reports.conference_log import check_log
from tumorboard.reports.exports import measure_rows, measures_csv, presentation_list_csv, report_json, report_xlsx
from tumorboard.reports.forms import CaseloadForm, ConferenceLogForm, ConfirmCaseloadForm
from tumorboard.reports.operations import import_log, log_context, replace_caseload
from tumorboard.reports.pdf import annual_report_pdf
from tumorboard.reports.queries import (
    caseload_site_groups,
    caseload_years,
    identified_report,
    program_report,
    report_years,
)
from tumorboard.vocab import NonImplementationReason, Role, SiteGroup
from tumorboard.web.access import allow

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
    year = years[0]
    asked = request.args.get("year", "").strip()
    if asked:
        if asked.isdigit() and int(asked) in years:
            year = int(asked)
        else:
            flash(f"There is no report for '{asked[:10]}': choose a year from {years[-1]} to {years[0]}.", "warning")
    report = program_report(year)
    imported = caseload_years().get(year)
    return render_template(
        "reports/dashboard.html",
        report=report,
        years=years,
        measures=measure_rows(report),
        imported_at=imported[1] if imported else None,
        charts={name: inline_svg(draw(report), name) for name, draw in CHARTS.items()},
        can_import=current_user.has_role(*IMPORTERS),
        year_to_date=report.period_through != date(year, 12, 31),
        median_days=f"{report.second_opinions.median_days:.1f}"
        if report.second_opinions.median_days is not None
        else "—",
        site_labels={site.value: site.label for site in SiteGroup},
        reason_labels={"not_recorded": "reason not recorded", **{r.value: r.label for r in NonImplementationReason}},
    )


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
    record(
        current_user.id,
        "export",
        "accreditation_presentations",
        year,
        f"rows={len(data.presentations)};format={file_format}",
        request.remote_addr,
    )
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
    form = CaseloadForm()
    check = None
    if form.validate_on_submit():
        try:
            rows = read_table(form.file.data.read(), form.file.data.filename or "")
        except ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            check = check_caseload(rows)
            if not check.problems:
                held = caseload_years()
                sites = caseload_site_groups([year for year in check.years if year in held])
                replaced = [
                    (
                        year,
                        held[year][0],
                        check.total(year),
                        [
                            site.label
                            for site in SiteGroup
                            if site in sites[year] - {c.site_group for c in check.counts if c.year == year}
                        ],
                    )
                    for year in check.years
                    if year in held
                ]
                if replaced:
                    return render_template(
                        "reports/caseload_confirm.html",
                        replaced=replaced,
                        check=check,
                        form=ConfirmCaseloadForm(rows=json.dumps(rows)),
                    )
                return _store_caseload(check)
    return render_template("reports/caseload.html", form=form, check=check, years=caseload_years())


@bp.route("/caseload/confirm", methods=["POST"])
@allow(*IMPORTERS)
def confirm_caseload() -> object:
    """Replace the years of a checked file, once the coordinator has seen what changes."""
    form = ConfirmCaseloadForm()
    try:
        rows = json.loads(form.rows.data or "")
        if (
            not form.validate_on_submit()
            or not isinstance(rows, list)
            or len(rows) > MAX_ROWS
            or not all(
                isinstance(row, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in row.items())
                for row in rows
            )
        ):
            raise ValueError
    except ValueError:
        flash("The confirmation could not be read (it may have expired). Upload the file again.", "warning")
        return redirect(url_for("reports.caseload"))
    check = check_caseload(rows)
    if check.problems:
        return render_template("reports/caseload.html", form=CaseloadForm(), check=check, years=caseload_years())
    return _store_caseload(check)


def _store_caseload(check: CaseloadCheck) -> Response:
    years = replace_caseload(current_user, check.counts, utcnow(), request.remote_addr)
    db.session.commit()
    flash(
        "Imported the registry caseload of "
        + ", ".join(f"{year} ({check.total(year):,} analytic cases)" for year in years)
        + ".",
        "success",
    )
    return redirect(url_for("reports.caseload"))


@bp.route("/conference-log", methods=["GET", "POST"])
@allow(*IMPORTERS)
def conference_log() -> object:
    """Import a past conference log kept in spreadsheets: presentations and attendance."""
    form = ConferenceLogForm()
    check = None
    if form.validate_on_submit():
        tables = {}
        for field in (form.presentations, form.attendance):
            if field.data and field.data.filename:
                try:
                    tables[field.name] = read_table(field.data.read(), field.data.filename)
                except ImportFileError as error:
                    field.errors = [*field.errors, str(error)]
        if not form.presentations.errors and not form.attendance.errors:
            presentations, attendance = tables.get("presentations"), tables.get("attendance")
            context = log_context(
                presentations or [], attendance or [], program_today(), program_settings().mrn_pattern, program_zone()
            )
            check = check_log(presentations, attendance, context)
            if not check.problems:
                created = import_log(current_user, check, program_zone(), utcnow(), request.remote_addr)
                db.session.commit()
                flash(
                    f"Imported {created['presentations']} presentation(s) and {created['attendance']} attendance "
                    f"record(s) "
                    f"({created['conferences']} new conference(s), {created['series']} new series, "
                    f"{created['cases']} new case(s)); "
                    f"{check.already_imported} row(s) were already imported.",
                    "success",
                )
                return redirect(url_for("reports.conference_log"))
    return render_template("reports/conference_log.html", form=form, check=check)
