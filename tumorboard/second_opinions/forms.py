"""Second-opinion forms: the staff intake, the public request and referral forms, uploads, cancelling."""

from __future__ import annotations

from datetime import tzinfo

from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, SelectChoice, SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

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
from tumorboard.vocab import (
    AttendanceMode,
    InsuranceStatus,
    PriorAuthorization,
    RecordKind,
    Requester,
    RequestSource,
    Sex,
    Specialty,
)

ENUMS = {
    "sex": Sex,
    "requester": Requester,
    "requested_specialty": Specialty,
    "visit_mode": AttendanceMode,
    "insurance_status": InsuranceStatus,
    "prior_authorization": PriorAuthorization,
}
PATIENT_OWN = ("last_name", "first_name", "birth_date", "sex")  # the request's own identity until registered


def _area(label: str, length: int, rows: int = 2, **kwargs: object) -> TextAreaField:
    return TextAreaField(label, validators=[Optional(), Length(max=length)], render_kw={"rows": rows}, **kwargs)


class _IntakeFields(PatientForm):
    """What every intake asks, whoever fills it in."""

    contact_name = optional_text("Contact name", 120)
    contact_phone = optional_text("Contact phone", 40, render_kw={"autocomplete": "tel", "inputmode": "tel"})
    contact_email = optional_text("Contact e-mail", 254, render_kw={"autocomplete": "email", "inputmode": "email"})
    diagnosis_as_stated = _area("Diagnosis as stated", 2000)
    treated_at = optional_text("Where treated so far", 200)
    requested_specialty = SelectField("Specialty wanted", choices=vocabulary_choices(Specialty, CHOOSE), default="")
    visit_mode = SelectField("Visit", choices=vocabulary_choices(AttendanceMode, CHOOSE), default="")
    insurance_payer = optional_text("Insurance company (payer)", 120)
    insurance_plan = optional_text("Plan", 120)
    insurance_member_id = optional_text("Member id", 60)

    def read(self, source: RequestSource, **fixed: object) -> RequestInput:
        """The typed intake of the fields this form has (after validate(); a field with an error reads as empty)."""
        names = [name for name in RequestInput.__dataclass_fields__ if name in self and name not in fixed]
        values = typed_values(self, names, ENUMS, ("navigator_id",))
        given = {name: value for name, value in values.items() if value is not None}  # else the input's default
        return RequestInput(**given, **fixed, source=source)


class RequestForm(_IntakeFields):
    """The navigator's intake: who asks, about whom, for what, insurance, and who navigates it."""

    mrn = optional_text("MRN", 32, description="Leave empty until the patient is registered here.")
    requester = SelectField("Requested by", choices=vocabulary_choices(Requester, CHOOSE), default="")
    consent_to_contact = BooleanField("The requester agreed to be contacted")
    referring_name = optional_text("Referring provider", 120)
    referring_practice = optional_text("Referring practice", 200)
    referring_npi = optional_text("Referring provider's NPI", 10, render_kw={"inputmode": "numeric"})
    referring_address = _area("Referring practice address", 1000)
    referral_reason = _area("Reason for the referral", 2000)
    insurance_status = SelectField(
        "Insurance verification", choices=vocabulary_choices(InsuranceStatus), default=InsuranceStatus.NOT_STARTED.value
    )
    insurance_verified_on = DateField("Verified (or denied) on", validators=[Optional()])
    prior_authorization = SelectField(
        "Prior authorization", choices=vocabulary_choices(PriorAuthorization),
        default=PriorAuthorization.NOT_CHECKED.value,
    )
    prior_authorization_reference = optional_text("Authorization reference", 60)
    navigator_id = SelectField("Navigator", choices=[], default="")
    received_on = DateField("Request received on", validators=[Optional()])
    same_patient_again = BooleanField("This is another request for the same patient, not a duplicate")
    submit = SubmitField("Save")

    def set_navigators(self, navigators: list[tuple[int, str]]) -> None:
        """Fill the navigator select."""
        self.navigator_id.choices = [SelectChoice("", CHOOSE), *(SelectChoice(str(i), name) for i, name in navigators)]

    def to_input(self, source: RequestSource = RequestSource.STAFF) -> RequestInput:
        """The typed intake (after validate()); a request keeps where it came from."""
        return self.read(source)

    def fill_from(self, request: SecondOpinionRequest, zone: tzinfo) -> None:
        """Show a stored request (the patient's identity once registered, else the request's own); the day it was
        received in the program's `zone`."""
        values = {name: getattr(request, name) for name in RequestInput.__dataclass_fields__
                  if name in self and name not in (*PATIENT_OWN, "mrn", "received_on")}
        who = request.patient or request
        values |= {name: getattr(who, name) for name in PATIENT_OWN}
        show_values(self, {**values, "mrn": request.patient.mrn if request.patient else "",
                           "received_on": request.received_at.astimezone(zone).date()}, ("navigator_id",))


class _PublicFields(_IntakeFields):
    """The public forms: the patient without an MRN, consent, and a field only robots fill in."""

    consent_to_contact = BooleanField("I agree that a navigator of the program may contact me about this request")
    # Hidden from people (CSS and aria-hidden); anything in it means a robot sent the form.
    website = StringField("Leave this empty", validators=[Optional(), Length(max=200)],
                          render_kw={"autocomplete": "off", "tabindex": "-1"})
    submit = SubmitField("Send the request")


class PublicRequestForm(_PublicFields):
    """A patient, or a caregiver for them, asks for a second opinion: no referral is necessary."""

    requester = SelectField("I am", choices=[SelectChoice("", CHOOSE),
                                             SelectChoice(Requester.PATIENT.value, "The patient"),
                                             SelectChoice(Requester.CAREGIVER.value, "A family member or caregiver")],
                            default="")
    contact_name = optional_text("Your name", 120, render_kw={"autocomplete": "name"})
    diagnosis_as_stated = _area("Diagnosis, as you know it", 2000, rows=3)

    def to_input(self) -> RequestInput:
        """The typed request (after validate())."""
        return self.read(RequestSource.WEB_REQUEST)


class PublicReferralForm(_PublicFields):
    """An outside provider refers a patient."""

    referring_name = optional_text("Referring provider", 120)
    referring_practice = optional_text("Practice", 200, render_kw={"autocomplete": "organization"})
    referring_npi = optional_text("Provider's NPI", 10, render_kw={"inputmode": "numeric"})
    referring_address = _area("Practice address", 1000)
    contact_name = optional_text("Office contact", 120)
    referral_reason = _area("Reason for the referral", 2000, rows=3)
    consent_to_contact = BooleanField("The patient agrees that a navigator of the program may contact them")

    def to_input(self) -> RequestInput:
        """The typed referral (after validate())."""
        return self.read(RequestSource.WEB_REFERRAL, requester=Requester.REFERRING_PROVIDER)


class UploadForm(Form):
    """An outside record's file, and which record it is."""

    kind = SelectField("Record", choices=vocabulary_choices(RecordKind, CHOOSE), default="")
    file = FileField("File (PDF, PNG, JPEG or TIFF)")


class CancelForm(Form):
    """Cancel a request, with the reason."""

    reason = StringField("Reason", validators=[Optional(), Length(max=200)])
