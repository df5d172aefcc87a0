"""Uploads for the registry caseload and the past conference log."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import HiddenField, SubmitField

SPREADSHEET = FileAllowed(["csv", "xlsx"], "Upload a .csv or .xlsx file.")


class CaseloadForm(FlaskForm):
    """The registry's caseload file."""

    file = FileField(
        "Caseload file (CSV or XLSX)",
        validators=[FileRequired("Choose a file."), SPREADSHEET],
        description="Columns: year, site_group, analytic_cases; one row per year and site group.",
    )
    submit = SubmitField("Check and import")


class ConfirmCaseloadForm(FlaskForm):
    """The checked rows, carried to the confirmation of a re-import (checked again on confirming)."""

    rows = HiddenField()
    submit = SubmitField("Replace these years")


class ConferenceLogForm(FlaskForm):
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
