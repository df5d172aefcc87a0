"""Conference-room forms."""

from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectChoice, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from tumorboard.auth.models import User
from tumorboard.forms import CHOOSE, Form, WholeNumberField, optional_text, vocabulary_choices
from tumorboard.room.models import Presentation, Vote
from tumorboard.room.operations import DiscussionInput, RecommendationInput
from tumorboard.vocab import (
    AttendanceMode,
    DiagnosisOpinion,
    Intent,
    Modality,
    NoConsensusAction,
    PlanOpinion,
    PresentationReason,
    Specialty,
    VoteChoice,
)

YES_NO_UNKNOWN = [SelectChoice("", "Not recorded"), SelectChoice("yes", "Yes"), SelectChoice("no", "No")]


def yes_no(value: str) -> bool | None:
    """'yes' / 'no' / '' from a select as True / False / None."""
    return {"yes": True, "no": False}.get(value or "")


class CheckInForm(Form):
    """Check in yourself, or (the chair) someone else."""

    user_id = WholeNumberField(validators=[Optional()])
    mode = SelectField(
        "Taking part", choices=vocabulary_choices(AttendanceMode), default=AttendanceMode.IN_PERSON.value
    )


class RecommendationForm(Form):
    """One specialty's recommendation (fields prefixed: the plan form on the same page has a text and an intent too)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "rec")
        super().__init__(*args, **kwargs)

    specialty = SelectField("Specialty", choices=vocabulary_choices(Specialty))
    modality = SelectField("Modality", choices=vocabulary_choices(Modality))
    intent = SelectField("Intent", choices=vocabulary_choices(Intent, "Not stated"), default="")
    sequence = optional_text(
        "Sequence", 300, description="For example: neoadjuvant therapy, then surgery, then radiation."
    )
    text = TextAreaField("Recommendation", validators=[Optional(), Length(max=5000)], render_kw={"rows": 2})


class DiscussionForm(Form):
    """The required discussion items."""

    stage_discussed = BooleanField("Stage discussed (AJCC)")
    guideline_discussed = BooleanField("National guideline referenced")
    guideline_name = optional_text("Guideline", 120, description="For example NCCN Breast Cancer.")
    guideline_version = optional_text("Version", 40)
    guideline_concordant = SelectField("Plan concordant with the guideline", choices=YES_NO_UNKNOWN, default="")
    trials_discussed = BooleanField("Clinical trial eligibility discussed")
    trials_named = optional_text("Trials named", 2000)
    genetics_considered = BooleanField("Genetic counselling or testing considered")
    palliative_considered = BooleanField("Palliative and supportive care considered")
    psychosocial_considered = BooleanField("Psychosocial needs considered")
    diagnosis_opinion = SelectField(
        "Second opinion on the diagnosis",
        choices=vocabulary_choices(DiagnosisOpinion, "Not a second opinion"),
        default="",
    )
    plan_opinion = SelectField(
        "Second opinion on the plan", choices=vocabulary_choices(PlanOpinion, "Not a second opinion"), default=""
    )


class ProspectiveForm(Form):
    """Why the case is presented, and an override of the prospective rule."""

    reason = SelectField(
        "Presented",
        choices=[
            SelectChoice(PresentationReason.PRE_TREATMENT.value, "Before first-course treatment"),
            SelectChoice(PresentationReason.FURTHER_TREATMENT.value, "To decide further first-course treatment"),
            SelectChoice(PresentationReason.RECURRENCE.value, "For recurrence or progression"),
            SelectChoice(PresentationReason.REVIEW.value, "After treatment, for review or education"),
        ],
    )
    override = SelectField(
        "Prospective",
        choices=[
            SelectChoice("", "As the rule says"),
            SelectChoice("yes", "Yes (override)"),
            SelectChoice("no", "No (override)"),
        ],
        default="",
    )
    why = optional_text("Reason for the override", 300)


class PlanForm(Form):
    """The consensus plan put to the vote (fields prefixed, see RecommendationForm)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("prefix", "plan")
        super().__init__(*args, **kwargs)

    text = TextAreaField("Consensus plan", validators=[Optional(), Length(max=5000)], render_kw={"rows": 3})
    intent = SelectField("Intent", choices=vocabulary_choices(Intent, "Not stated"), default="")


class VoteForm(Form):
    """A vote on the plan."""

    choice = RadioField(
        "Your vote",
        choices=vocabulary_choices(VoteChoice),
        validators=[InputRequired("Choose agree, disagree or abstain.")],
    )
    comment = optional_text("Comment (kept with the vote; say why if you disagree)", 1000)
    plan_version = WholeNumberField(widget=HiddenInput(), validators=[Optional()])  # the version the screen shows


class CloseForm(Form):
    """Close the case; without consensus, say what happens next."""

    action = SelectField("If there is no consensus", choices=vocabulary_choices(NoConsensusAction, CHOOSE), default="")
    override_reason = optional_text("Reason, to close although the closing rule is not met", 500)


class ListedForm(Form):
    """Listed, not discussed, under a standard of care."""

    standard = optional_text("Standard of care applied", 200)


class CertificateForm(Form):
    """The period of an attendance certificate."""

    class Meta:
        csrf = False  # a GET download

    start = DateField("From", validators=[Optional()])
    end = DateField("To", validators=[Optional()])

    def period(self, today: date) -> tuple[date, date]:
        """The period asked for (default: this year to today), in order."""
        start = self.start.data if self.validate() and self.start.data else date(today.year, 1, 1)
        end = self.end.data or today
        return (start, end) if start <= end else (end, start)


def recommendation_input(form: RecommendationForm) -> RecommendationInput:
    """The recommendation as the operation takes it."""
    return RecommendationInput(Specialty(form.specialty.data), Modality(form.modality.data),
                               Intent(form.intent.data) if form.intent.data else None, form.sequence.data or "",
                               form.text.data or "")


def discussion_input(form: DiscussionForm) -> DiscussionInput:
    """The discussion items as the operation takes them."""
    return DiscussionInput(
        form.stage_discussed.data, form.guideline_discussed.data, form.guideline_name.data or "",
        form.guideline_version.data or "", yes_no(form.guideline_concordant.data), form.trials_discussed.data,
        form.trials_named.data or "", form.genetics_considered.data, form.palliative_considered.data,
        form.psychosocial_considered.data,
        DiagnosisOpinion(form.diagnosis_opinion.data) if form.diagnosis_opinion.data else None,
        PlanOpinion(form.plan_opinion.data) if form.plan_opinion.data else None,
    )


def case_forms(presentation: Presentation, my_vote: Vote | None, user: User) -> dict[str, FlaskForm]:
    """Every form of one case's panel, filled with what is recorded so far."""
    discussion = DiscussionForm(obj=presentation)
    discussion.guideline_concordant.data = {True: "yes", False: "no"}.get(presentation.guideline_concordant, "")
    discussion.diagnosis_opinion.data = presentation.diagnosis_opinion.value if presentation.diagnosis_opinion else ""
    discussion.plan_opinion.data = presentation.plan_opinion.value if presentation.plan_opinion else ""
    recommendation = RecommendationForm()
    recommendation.specialty.data = user.specialty.value
    prospective = ProspectiveForm()
    prospective.reason.data = presentation.reason.value
    plan, consensus = PlanForm(), presentation.consensus_plan
    if consensus is not None:
        plan.text.data, plan.intent.data = consensus.text, consensus.intent.value if consensus.intent else ""
    vote = VoteForm()
    vote.plan_version.data = consensus.version if consensus is not None else None
    if my_vote is not None and consensus is not None and my_vote.plan_version == consensus.version:
        vote.choice.data, vote.comment.data = my_vote.choice.value, my_vote.comment
    return {"discussion": discussion, "recommendation": recommendation, "prospective": prospective, "plan": plan,
            "vote": vote, "close_form": CloseForm(), "listed": ListedForm()}
