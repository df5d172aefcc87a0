"""Uploads for the registry caseload and the past conference log."""

from __future__ import annotations

import json

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SubmitField

from tumorboard.cases.importer import MAX_ROWS, ImportFileError, read_table
from tumorboard.forms import Form

SPREADSHEET = FileAllowed(["csv", "xlsx"], "Upload a .csv or .xlsx file.")


class CaseloadForm(Form):
    """The registry's caseload file."""

    file = FileField(
        "Caseload file (CSV or XLSX)",
        validators=[FileRequired("Choose a file."), SPREADSHEET],
        description="Columns: year, site_group, analytic_cases; one row per year and site group.",
    )
    submit = SubmitField("Check and import")


class ConfirmCaseloadForm(Form):
    """The checked rows, carried to the confirmation of a re-import (checked again on confirming)."""

    rows = HiddenField()
    submit = SubmitField("Replace these years")

    def posted_rows(self) -> list[dict[str, str]] | None:
        """The rows carried by the confirmation, or None when they cannot be read (tampered, expired, too many)."""
        try:
            rows = json.loads(self.rows.data or "")
        except ValueError:
            return None
        readable = isinstance(rows, list) and len(rows) <= MAX_ROWS and all(_all_text(row) for row in rows)
        return rows if readable and self.validate_on_submit() else None


class ConferenceLogForm(Form):
    """A past conference log: presentations, attendance, or both."""

    presentations = FileField(
        "Presentations file (CSV or XLSX)",
        validators=[SPREADSHEET],
        description="One row per case presented at a conference.",
    )
    attendance = FileField(
        "Attendance file (CSV or XLSX)", validators=[SPREADSHEET], description="One row per person at a conference."
    )
    submit = SubmitField("Check and import")

    def tables(self) -> dict[str, list[dict[str, str]]] | None:
        """The uploaded files read as tables, by field name; None (errors on the fields) when one cannot be read."""
        tables = {}
        for field in (self.presentations, self.attendance):
            if field.data and field.data.filename:
                try:
                    tables[field.name] = read_table(field.data.read(), field.data.filename)
                except ImportFileError as error:
                    field.errors = [*field.errors, str(error)]
        return None if self.presentations.errors or self.attendance.errors else tables


def _all_text(row: object) -> bool:
    return isinstance(row, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in row.items())


def chosen_year(asked: str, years: list[int]) -> tuple[int, str | None]:
    """The report year asked for in the query string (newest first in `years`), or the newest with a message why."""
    if asked.isdigit() and int(asked) in years:
        return int(asked), None
    problem = f"There is no report for '{asked[:10]}': choose a year from {years[-1]} to {years[0]}." if asked else None
    return years[0], problem
