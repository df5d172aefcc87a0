"""Second-opinion intake form."""

from __future__ import annotations

from wtforms import DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from tumorboard.cases.operations import PATIENT_FIELDS
from tumorboard.forms import (
    CHOOSE,
    Form,
    PatientForm,
    optional_text,
    show_values,
    typed_values,
    vocabulary_choices,
)
from tumorboard.second_opinions.intake import RequestInput
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.vocab import AttendanceMode, InsuranceStatus, Requester, Sex, Specialty

REQUEST_INPUT_FIELDS = tuple(name for name in RequestInput.__dataclass_fields__ if name != "received_on")
ENUMS = {
    "sex": Sex,
    "requester": Requester,
    "requested_specialty": Specialty,
    "visit_mode": AttendanceMode,
    "insurance_status": InsuranceStatus,
}


class RequestForm(PatientForm):
    """Who asks, about whom, for what, and who navigates it."""

    mrn = optional_text("MRN", 32, description="Register the patient first if they have no MRN yet.")
    requester = SelectField("Requested by", choices=vocabulary_choices(Requester, CHOOSE), default="")
    contact_name = optional_text("Contact name", 120)
    contact_phone = optional_text("Contact phone", 40)
    contact_email = optional_text("Contact e-mail", 254)
    referring_name = optional_text("Referring provider", 120)
    referring_practice = optional_text("Referring practice", 200)
    referring_address = TextAreaField(
        "Referring practice address", validators=[Optional(), Length(max=1000)], render_kw={"rows": 2}
    )
    diagnosis_as_stated = TextAreaField(
        "Diagnosis as stated", validators=[Optional(), Length(max=2000)], render_kw={"rows": 2}
    )
    requested_specialty = SelectField("Specialty wanted", choices=vocabulary_choices(Specialty, CHOOSE), default="")
    visit_mode = SelectField("Visit", choices=vocabulary_choices(AttendanceMode, CHOOSE), default="")
    insurance_status = SelectField(
        "Insurance verification", choices=vocabulary_choices(InsuranceStatus), default=InsuranceStatus.NOT_STARTED.value
    )
    navigator_id = SelectField("Navigator", choices=[], default="")
    received_on = DateField("Request received on", validators=[Optional()])
    submit = SubmitField("Save")

    def set_navigators(self, navigators: list[tuple[int, str]]) -> None:
        """Fill the navigator select."""
        self.navigator_id.choices = [SelectChoice("", CHOOSE), *(SelectChoice(str(i), name) for i, name in navigators)]

    def to_input(self) -> RequestInput:
        """The typed intake (after validate())."""
        values = typed_values(self, RequestInput.__dataclass_fields__, ENUMS, ("navigator_id",))
        return RequestInput(**{**values, "insurance_status": values["insurance_status"] or InsuranceStatus.NOT_STARTED})

    def fill_from(self, request: SecondOpinionRequest) -> None:
        """Show a stored request."""
        values = {
            name: getattr(request.patient if name in PATIENT_FIELDS else request, name) for name in REQUEST_INPUT_FIELDS
        }
        show_values(self, {**values, "received_on": request.received_at.date()}, ("navigator_id",))


class CancelForm(Form):
    """Cancel a request, with the reason."""

    reason = StringField("Reason", validators=[Optional(), Length(max=200)])
