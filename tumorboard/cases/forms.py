"""The case form, the status-move form and the import upload."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional

from tumorboard.cases.ajcc import SUPPORTED_EDITIONS
from tumorboard.cases.models import Case, Patient
from tumorboard.cases.operations import PATIENT_FIELDS
from tumorboard.cases.validation import CaseInput, format_biomarkers, parse_biomarkers
from tumorboard.domain import Refused
from tumorboard.forms import (
    CHOOSE,
    Form,
    PatientForm,
    WholeNumberField,
    optional_text,
    show_values,
    typed_values,
    vocabulary_choices,
)
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.text import as_sentence
from tumorboard.vocab import CaseSource, Laterality, Sex, SiteGroup, Urgency

ENUM_FIELDS = {"sex": Sex, "site_group": SiteGroup, "laterality": Laterality, "source": CaseSource, "urgency": Urgency}
ID_SELECTS = frozenset({"ajcc_edition", "presenting_physician_id", "managing_physician_id", "requested_series_id"})
INPUT_FIELDS = tuple(name for name in CaseInput.__dataclass_fields__ if name != "biomarkers")


def _area(label: str, **kwargs: object) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}, **kwargs)


class CaseForm(PatientForm):
    """Every field DOMAIN.md asks of a presenter. Which are required depends on draft or submit."""

    mrn = optional_text(
        "MRN", 32, description="The program's medical record number. 'Find patient' loads a returning patient."
    )
    # Tumor
    site_group = SelectField("Primary site group", choices=vocabulary_choices(SiteGroup, CHOOSE), default="")
    primary_site = optional_text("Primary site (ICD-O-3 topography)", 8, description="Optional, e.g. C50.4.")
    histology = optional_text("Histology", 200)
    laterality = SelectField(
        "Laterality", choices=vocabulary_choices(Laterality), default=Laterality.NOT_APPLICABLE.value
    )
    diagnosis_date = DateField("Date of diagnosis", validators=[Optional()])
    # Stage
    not_staged = BooleanField("Not yet staged")
    ajcc_edition = SelectField(
        "AJCC edition",
        choices=[SelectChoice("", CHOOSE), *(SelectChoice(str(e), f"{e}th") for e in SUPPORTED_EDITIONS)],
        default="",
    )
    clinical_t = optional_text("cT", 12)
    clinical_n = optional_text("cN", 12)
    clinical_m = optional_text("cM", 12)
    clinical_stage = optional_text("Clinical stage group", 12)
    pathologic_t = optional_text("pT", 12)
    pathologic_n = optional_text("pN", 12)
    pathologic_m = optional_text("pM", 12)
    pathologic_stage = optional_text("Pathologic stage group", 12)
    ecog = WholeNumberField(
        "ECOG performance status (0-4)",
        validators=[Optional(), NumberRange(0, 4, "ECOG performance status is 0 to 4.")],
    )
    biomarkers = TextAreaField(
        "Key biomarkers",
        validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3},
        description="One per line: name = value, e.g. ER = positive.",
    )
    # History
    prior_treatment = _area("Prior treatment")
    current_treatment = _area("Current treatment")
    first_course_started_on = DateField(
        "First-course treatment started on", validators=[Optional()], description="Leave empty if not started."
    )
    # For the board
    question = _area("Question for the board")
    proposed_plan = _area("Proposed plan (if any)")
    imaging_to_review = _area("Imaging to review", description="Radiology prepares these before the meeting.")
    pathology_to_review = _area("Pathology to review", description="Pathology prepares these before the meeting.")
    # People
    presenting_physician_id = SelectField("Presenting physician", choices=[], default="")
    managing_physician_id = SelectField(
        "Managing physician", choices=[], default="", description="Finalizes the plan and signs the letter."
    )
    referring_name = optional_text("Referring physician", 120)
    referring_practice = optional_text("Referring practice", 200)
    referring_address = _area("Referring practice address")
    # Routing
    source = SelectField("Source", choices=vocabulary_choices(CaseSource), default=CaseSource.INTERNAL.value)
    urgency = SelectField("Urgency", choices=vocabulary_choices(Urgency), default=Urgency.ROUTINE.value)
    requested_series_id = SelectField("Requested conference", choices=[], default="")
    analytic = BooleanField("Analytic case (diagnosed and/or first treated here: class of case 00-22)", default=True)
    class_of_case = optional_text("Class of case (NAACCR 610)", 2, description="Optional, e.g. 10 or 32.")

    another_case = BooleanField("This is a new primary or a new question for this patient")

    find_patient = SubmitField("Find patient")
    save_draft = SubmitField("Save draft")
    submit_case = SubmitField("Submit to the board")

    def set_people(self, physicians: list[tuple[int, str]], series: list[tuple[int, str]]) -> None:
        """Fill the physician and conference selects."""
        people = [SelectChoice("", CHOOSE), *(SelectChoice(str(i), name) for i, name in physicians)]
        self.presenting_physician_id.choices = people
        self.managing_physician_id.choices = list(people)
        self.requested_series_id.choices = [
            SelectChoice("", "Any (by site group)"),
            *(SelectChoice(str(i), name) for i, name in series),
        ]

    def to_input(self) -> CaseInput:
        """The typed input (after validate()); Refused, naming the field, when the biomarkers cannot be read."""
        data, unreadable = self.read_as_far_as_possible()
        if unreadable:
            raise Refused(fields=unreadable)
        return data

    def read_as_far_as_possible(self) -> tuple[CaseInput, dict[str, list[str]]]:
        """What the form holds, fields with errors read as empty, and the biomarkers' problem if they cannot be read:
        so that one submit can say every problem of the case, the program's rules included."""
        try:
            markers, unreadable = parse_biomarkers(self.biomarkers.data or ""), {}
        except ValueError as error:
            markers, unreadable = (), {"biomarkers": [as_sentence(error)]}
        return CaseInput(**typed_values(self, INPUT_FIELDS, ENUM_FIELDS, ID_SELECTS), biomarkers=markers), unreadable

    def show_patient(self, patient: Patient | SecondOpinionRequest) -> None:
        """Fill in a returning patient's identity ('Find patient'), so it is not typed twice."""
        self.last_name.data, self.first_name.data = patient.last_name, patient.first_name
        self.birth_date.data, self.sex.data = patient.birth_date, patient.sex.value if patient.sex else ""
        self.birth_date.raw_data = None  # else the date field shows what was posted (empty), not the patient's date

    def fill_from_request(self, request: SecondOpinionRequest) -> None:
        """A second-opinion request's patient, referrer and question, for the case made from it."""
        self.mrn.data = request.patient.mrn if request.patient else ""  # not registered yet: the MRN is given here
        self.show_patient(request.patient or request)
        self.source.data = CaseSource.SECOND_OPINION.value
        self.referring_name.data, self.referring_practice.data = request.referring_name, request.referring_practice
        self.referring_address.data = request.referring_address
        self.question.data = f"Second opinion requested. Diagnosis as stated: {request.diagnosis_as_stated}"
        self.analytic.data = False  # seen here for a second opinion only: class 32 unless treated here

    def fill_from(self, case: Case) -> None:
        """Show a stored case and its patient in the form."""
        values = {name: getattr(case.patient if name in PATIENT_FIELDS else case, name) for name in INPUT_FIELDS}
        show_values(self, values, ID_SELECTS)
        self.biomarkers.data = format_biomarkers([(m.name, m.value) for m in case.biomarkers])


class PatientSearchForm(Form):
    """The header's "Find a patient" box: posted, so what is typed is in no URL, no history and no server log."""

    q = StringField("Find a patient", validators=[Length(max=80, message="Type at most 80 characters.")])


class MoveForm(Form):
    """A status change by hand, with an optional reason."""

    to_status = StringField(validators=[Length(max=32)])
    reason = StringField("Reason", validators=[Optional(), Length(max=300)])


class ImportForm(Form):
    """A CSV or XLSX file of cases."""

    file = FileField(
        "Cases file (CSV or XLSX)",
        validators=[FileRequired("Choose a file."), FileAllowed(["csv", "xlsx"], "Upload a .csv or .xlsx file.")],
    )
    submit = SubmitField("Check and import")
