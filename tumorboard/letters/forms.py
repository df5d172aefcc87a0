"""Letter forms."""

from __future__ import annotations

from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from tumorboard.forms import CHOOSE, Form, WholeNumberField, optional_text, vocabulary_choices
from tumorboard.room.models import ConsensusPlan
from tumorboard.vocab import DispatchMethod, Implementation, LetterKind, NonImplementationReason


class FinalPlanForm(Form):
    """The final plan, with next steps and who does what."""

    final_plan = TextAreaField("Final plan", validators=[Optional(), Length(max=5000)], render_kw={"rows": 4})
    next_steps = TextAreaField(
        "Next steps (who does what, by when)", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )

    def fill(self, plan: ConsensusPlan | None) -> None:
        """Start from the final plan so far, or from the plan the conference voted on."""
        if plan is not None:
            self.final_plan.data, self.next_steps.data = plan.final_plan or plan.text, plan.next_steps


class IssueForm(Form):
    """Issue a letter, or a corrected version of one."""

    kind = SelectField(choices=vocabulary_choices(LetterKind))
    correction_reason = optional_text("What the correction changes", 300)
    corrects_version = WholeNumberField(validators=[Optional()])  # the version the signer read and corrects


class DispatchForm(Form):
    """A record of sending."""

    sent_on = DateField("Sent on", validators=[Optional()])
    method = SelectField("By", choices=vocabulary_choices(DispatchMethod))
    recipient = optional_text("To", 200)


class ImplementationForm(Form):
    """Whether the plan was carried out."""

    implemented = SelectField(
        "Was the plan carried out?", choices=vocabulary_choices(Implementation, CHOOSE), default=""
    )
    reason = SelectField("If not (fully), why", choices=vocabulary_choices(NonImplementationReason, "—"), default="")
    note = optional_text("Note", 500)


class DelegateForm(Form):
    """Name or remove a delegate."""

    user_id = WholeNumberField(validators=[Optional()])
    action = StringField(validators=[Length(max=10)])
