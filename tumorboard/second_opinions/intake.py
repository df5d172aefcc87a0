"""What a second-opinion request and its records checklist must contain. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from tumorboard.cases.search import name_key
from tumorboard.cases.validation import PatientIdentity, Problems, check_patient
from tumorboard.vocab import (
    AttendanceMode,
    InsuranceStatus,
    PriorAuthorization,
    RecordKind,
    RecordState,
    Requester,
    RequestSource,
    Specialty,
)

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# A phone number as people write it: digits with spaces, dots, dashes, brackets, a leading +, an extension.
PHONE = re.compile(r"^\+?[0-9 .()/-]+(?:\s*(?:ext\.?|x)\s*[0-9]{1,6})?$", re.IGNORECASE)
PHONE_DIGITS = (7, 15)  # E.164 allows 15 digits; fewer than 7 reaches nobody
NPI = re.compile(r"^[0-9]{10}$")
# A request waits on its insurance while it is not verified yet, or an authorization is needed and not approved.
WAITING_ON_INSURANCE = (InsuranceStatus.NOT_STARTED, InsuranceStatus.PENDING)
WAITING_ON_AUTHORIZATION = (PriorAuthorization.NEEDED, PriorAuthorization.REQUESTED)


@dataclass(frozen=True)
class RequestInput(PatientIdentity):
    """The intake of one request: the patient (an MRN once known), who asks and how to reach them, the referral,
    what is wanted, insurance."""

    source: RequestSource = RequestSource.STAFF
    requester: Requester | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    consent_to_contact: bool = False
    referring_name: str = ""
    referring_practice: str = ""
    referring_address: str = ""
    referring_npi: str = ""
    referral_reason: str = ""
    diagnosis_as_stated: str = ""
    treated_at: str = ""
    requested_specialty: Specialty | None = None
    visit_mode: AttendanceMode | None = None
    insurance_status: InsuranceStatus = InsuranceStatus.NOT_STARTED
    insurance_payer: str = ""
    insurance_plan: str = ""
    insurance_member_id: str = ""
    insurance_verified_on: date | None = None
    prior_authorization: PriorAuthorization = PriorAuthorization.NOT_CHECKED
    prior_authorization_reference: str = ""
    navigator_id: int | None = None
    received_on: date | None = None


def npi_check_digit_ok(npi: str) -> bool:
    """The NPI's tenth digit is the Luhn check digit of 80840 followed by its first nine (CMS's NPI standard)."""
    digits = [int(d) for d in "80840" + npi]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        if position % 2 == 1:
            digit *= 2
            digit -= 9 if digit > 9 else 0
        total += digit
    return total % 10 == 0


def phone_problem(phone: str) -> str | None:
    """What is wrong with a phone number as written, if anything."""
    digits = sum(ch.isdigit() for ch in phone)
    if not PHONE.match(phone):
        return "Write a phone number with digits, spaces, dashes or brackets only, for example (555) 010-1234."
    if not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        return f"A phone number has {PHONE_DIGITS[0]} to {PHONE_DIGITS[1]} digits; this one has {digits}."
    return None


def validate_request(data: RequestInput, today: date, mrn_pattern: str, public: bool = False) -> Problems:
    """Problems with an intake, by field. The MRN may wait until the patient is registered; the rest may not.
    `public`: sent through a public form, which needs the consent to be contacted; staff give the navigator and the
    day the request came in (whatever way it came)."""
    problems = Problems()
    check_patient(data, mrn_pattern, problems, mrn_required=False)
    if data.birth_date and data.birth_date > today:
        problems.add("birth_date", "This date is in the future.")
    required = {
        "requester": "who is asking",
        "contact_name": "a contact name",
        "diagnosis_as_stated": "the diagnosis as you know it" if public else "the diagnosis as stated",
        "requested_specialty": "the specialty wanted",
        "visit_mode": "in person or virtual",
    }
    if not public:
        required |= {"navigator_id": "the navigator", "received_on": "the date the request came in"}
    for name, what in required.items():
        if getattr(data, name) in (None, ""):
            problems.add(name, f"Give {what}.")
    _check_contact(data, public, problems)
    _check_referral(data, problems)
    _check_insurance(data, today, problems)
    if data.received_on and data.received_on > today:
        problems.add("received_on", "This date is in the future.")
    elif data.received_on and data.birth_date and data.received_on < data.birth_date:
        problems.add("received_on", "The request cannot come in before the patient was born.")
    return problems


def _check_contact(data: RequestInput, public: bool, problems: Problems) -> None:
    if not data.contact_phone and not data.contact_email:
        problems.add("contact_phone", "Give a phone number or an e-mail address to reach the requester.")
    if data.contact_phone and (problem := phone_problem(data.contact_phone)):
        problems.add("contact_phone", problem)
    if data.contact_email and not EMAIL.match(data.contact_email):
        problems.add("contact_email", "This is not an e-mail address.")
    if public and not data.consent_to_contact:
        problems.add("consent_to_contact", "Tick the box so that our navigator may contact you about this request.")


def _check_referral(data: RequestInput, problems: Problems) -> None:
    if data.requester is Requester.REFERRING_PROVIDER and not data.referring_name:
        problems.add("referring_name", "Give the referring provider.")
    if data.source is RequestSource.WEB_REFERRAL:
        for name, what in (("referring_practice", "the practice"), ("referring_npi", "the provider's NPI"),
                           ("referral_reason", "the reason for the referral")):
            if not getattr(data, name):
                problems.add(name, f"Give {what}.")
    if data.referring_npi and not NPI.match(data.referring_npi):
        problems.add("referring_npi", "An NPI is 10 digits.")
    elif data.referring_npi and not npi_check_digit_ok(data.referring_npi):
        problems.add("referring_npi", "This is not a valid NPI: its last digit does not check. Look at it again.")


def _check_insurance(data: RequestInput, today: date, problems: Problems) -> None:
    if data.insurance_status is InsuranceStatus.VERIFIED:
        for name, what in (("insurance_payer", "the payer"), ("insurance_member_id", "the member id")):
            if not getattr(data, name):
                problems.add(name, f"Give {what}: verified insurance names them.")
    if data.insurance_verified_on and data.insurance_verified_on > today:
        problems.add("insurance_verified_on", "This date is in the future.")
    if data.insurance_verified_on and data.insurance_status not in (InsuranceStatus.VERIFIED, InsuranceStatus.DENIED):
        problems.add("insurance_verified_on", "A verification date goes with a verified or denied status.")
    if data.prior_authorization is PriorAuthorization.APPROVED and not data.prior_authorization_reference:
        problems.add("prior_authorization_reference", "Give the payer's reference of the approval.")


def same_person(a: tuple[str, str, date | None], b: tuple[str, str, date | None]) -> bool:
    """Two (last name, first name, date of birth) name the same person: names equal ignoring case, accents and
    spacing, and the same date of birth."""
    return a[2] is not None and a[2] == b[2] and name_key(a[0], a[1]) == name_key(b[0], b[1])


@dataclass(frozen=True)
class RecordUpdate:
    """The new state of one checklist line."""

    kind: RecordKind
    state: RecordState
    requested_on: date | None = None
    received_on: date | None = None
    note: str = ""


def validate_records(updates: list[RecordUpdate], today: date) -> tuple[list[RecordUpdate], Problems]:
    """Check checklist lines (keyed by kind): a received line says the day it came in (the promise clock may start
    from it), and no day is in the future or out of order."""
    problems = Problems()
    checked = []
    for update in updates:
        key = update.kind.value
        received_on = update.received_on
        if update.state is RecordState.RECEIVED and received_on is None:
            problems.add(key, f"{update.kind.label}: give the day it was received.")
        for label, value in (("requested", update.requested_on), ("received", received_on)):
            if value and value > today:
                problems.add(key, f"{update.kind.label}: the {label} date is in the future.")
        if update.requested_on and received_on and received_on < update.requested_on:
            problems.add(key, f"{update.kind.label}: received before it was requested.")
        if update.state is not RecordState.RECEIVED:
            received_on = None
        checked.append(
            RecordUpdate(update.kind, update.state, update.requested_on, received_on, update.note.strip()[:300])
        )
    return checked, problems


def records_complete(states: list[RecordState]) -> bool:
    """Every record is in, or not needed."""
    return bool(states) and all(state in (RecordState.RECEIVED, RecordState.NOT_APPLICABLE) for state in states)


def read_checklist(form: Mapping[str, str]) -> tuple[list[RecordUpdate], list[str]]:
    """The checklist as posted (state_<kind>, requested_on_<kind>, received_on_<kind>, note_<kind>), and what cannot
    be read."""
    problems: list[str] = []

    def day(kind: RecordKind, label: str, raw: str) -> date | None:
        try:
            return date.fromisoformat(raw) if raw else None
        except ValueError:
            problems.append(f"{kind.label}: the {label} date '{raw[:20]}' is not a date.")
            return None

    updates = []
    for kind in RecordKind:
        state = RecordState.from_code(form.get(f"state_{kind.value}", ""))
        if state is None:
            problems.append(f"{kind.label}: choose a state.")
            continue
        updates.append(RecordUpdate(kind, state, day(kind, "requested", form.get(f"requested_on_{kind.value}", "")),
                                    day(kind, "received", form.get(f"received_on_{kind.value}", "")),
                                    form.get(f"note_{kind.value}", "")))
    return updates, problems
