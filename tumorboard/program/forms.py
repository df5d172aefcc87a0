"""The program settings form."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from tumorboard.forms import Form, WholeNumberField
from tumorboard.patterns import pattern_problem
from tumorboard.program.models import ProgramSettings
from tumorboard.program.operations import PLAIN, TARGETS

PERCENT = [InputRequired(), NumberRange(0, 100, "Give a percentage from 0 to 100.")]


def _valid_pattern(form: FlaskForm, field: StringField) -> None:
    if problem := pattern_problem(field.data or "", (form.mrn_example.data or "").strip()):
        raise ValidationError(problem)


class SettingsForm(Form):
    """Letterhead, MRN format, the cancer committee's targets and site-program rules."""

    letterhead_name = StringField("Program name on letters", validators=[Optional(), Length(max=200)])
    letterhead_address = TextAreaField("Address", validators=[Optional(), Length(max=1000)], render_kw={"rows": 3})
    letterhead_phone = StringField("Phone", validators=[Optional(), Length(max=40)])
    mrn_pattern = StringField(
        "MRN format (regular expression)",
        validators=[DataRequired(), Length(max=120), _valid_pattern],
        description="For example ^[A-Z0-9]{6,12}$ or ^\\d{8}$. Applies to new and changed cases.",
    )
    mrn_example = StringField("An MRN of this format (checked, not kept)", validators=[Optional(), Length(max=32)],
                              description="So a format that accepts no real MRN is caught before it is saved.")
    target_case_presentation_rate = DecimalField("Case presentation rate target (%)", places=1, validators=PERCENT)
    target_prospective_rate = DecimalField("Prospective presentation target (%)", places=1, validators=PERCENT)
    target_attendance_rate = DecimalField("Attendance target per required specialty (%)", places=1, validators=PERCENT)
    target_discussion_rate = DecimalField("Discussion items target (%)", places=1, validators=PERCENT)
    target_frequency_rate = DecimalField("Conferences held vs scheduled target (%)", places=1, validators=PERCENT)
    napbc_enabled = BooleanField("Breast program (NAPBC) measures")
    naprc_enabled = BooleanField("Rectal program (NAPRC) measures")
    restrict_cases_to_series = BooleanField(
        "Physicians see only the cases of their own boards",
        description="Off: every physician may read every case. On: a physician reads the cases of the series they "
        "belong to, "
        "and those they present or manage; coordinators, navigators, auditors and admins see all.",
    )
    second_opinion_days = WholeNumberField(
        "Second-opinion promise (days)", validators=[InputRequired(), NumberRange(1, 60)]
    )

    def fill(self, current: ProgramSettings) -> None:
        """Show the stored settings (targets as percentages)."""
        for name in PLAIN:
            self[name].data = getattr(current, name)
        for name in TARGETS:
            self[name].data = getattr(current, name) * 100
