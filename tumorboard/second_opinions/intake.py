"""What a second-opinion request and its records checklist must contain. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from tumorboard.cases.validation import PatientIdentity, Problems, check_patient
from tumorboard.vocab import AttendanceMode, InsuranceStatus, RecordKind, RecordState, Requester, Specialty

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class RequestInput(PatientIdentity):
    """The intake of one request."""

    requester: Requester | None = None
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    referring_name: str = ""
    referring_practice: str = ""
    referring_address: str = ""
    diagnosis_as_stated: str = ""
    requested_specialty: Specialty | None = None
    visit_mode: AttendanceMode | None = None
    insurance_status: InsuranceStatus = InsuranceStatus.NOT_STARTED
    navigator_id: int | None = None
    received_on: date | None = None


def validate_request(data: RequestInput, today: date, mrn_pattern: str) -> Problems:
    """Problems with an intake, by field."""
    problems = Problems()
    check_patient(data, mrn_pattern, problems)
    if data.birth_date and data.birth_date > today:
        problems.add("birth_date", "This date is in the future.")
    required = {
        "requester": "who is asking",
        "contact_name": "a contact name",
        "diagnosis_as_stated": "the diagnosis as stated",
        "requested_specialty": "the specialty wanted",
        "visit_mode": "in person or virtual",
        "navigator_id": "the navigator",
        "received_on": "the date the request came in",
    }
    for name, what in required.items():
        if getattr(data, name) in (None, ""):
            problems.add(name, f"Give {what}.")
    if not data.contact_phone and not data.contact_email:
        problems.add("contact_phone", "Give a phone number or an e-mail address to reach the requester.")
    if data.contact_email and not EMAIL.match(data.contact_email):
        problems.add("contact_email", "This is not an e-mail address.")
    if data.requester is Requester.REFERRING_PROVIDER and not data.referring_name:
        problems.add("referring_name", "Give the referring provider.")
    if data.received_on and data.received_on > today:
        problems.add("received_on", "This date is in the future.")
    return problems


@dataclass(frozen=True)
class RecordUpdate:
    """The new state of one checklist line."""

    kind: RecordKind
    state: RecordState
    requested_on: date | None = None
    received_on: date | None = None
    note: str = ""


def validate_records(updates: list[RecordUpdate], today: date) -> tuple[list[RecordUpdate], Problems]:
    """Check checklist lines (keyed by kind); a received line without a date is dated today."""
    problems = Problems()
    checked = []
    for update in updates:
        key = update.kind.value
        received_on = update.received_on
        if update.state is RecordState.RECEIVED and received_on is None:
            received_on = today
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
