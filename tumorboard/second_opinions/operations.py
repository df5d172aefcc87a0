"""Taking in second-opinion requests and working their records. Operations flush; the view commits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from tumorboard.audit.operations import record
from tumorboard.cases.models import Case, Patient
from tumorboard.cases.operations import resolve_patient
from tumorboard.cases.search import name_key
from tumorboard.db import locked_rows
from tumorboard.domain import Actor, Refused
from tumorboard.extensions import db
from tumorboard.letters.models import LetterDispatch, PlanLetter
from tumorboard.program.settings import program_settings, program_today
from tumorboard.room.models import Presentation
from tumorboard.second_opinions.intake import (
    RecordUpdate,
    RequestInput,
    records_complete,
    same_person,
    validate_request,
)
from tumorboard.second_opinions.models import PublicFormCount, RecordFile, RecordItem, SecondOpinionRequest
from tumorboard.second_opinions.uploads import CheckedFile
from tumorboard.vocab import InsuranceStatus, LetterKind, RecordKind, RecordState, SecondOpinionStatus

# What a save copies from the input; the MRN names the patient, the day received and the source are set once, the
# verification date goes with who verified.
REQUEST_FIELDS = tuple(
    f.name for f in fields(RequestInput) if f.name not in ("mrn", "received_on", "source", "insurance_verified_on")
)
OPEN_STATUSES = (SecondOpinionStatus.OPEN, SecondOpinionStatus.RECORDS_COMPLETE, SecondOpinionStatus.CASE_CREATED)
CLOSED_STATUSES = tuple(status for status in SecondOpinionStatus if status not in OPEN_STATUSES)
VERIFIED = (InsuranceStatus.VERIFIED, InsuranceStatus.DENIED)  # the outcomes of a verification: who and when
PUBLIC_WINDOW = timedelta(hours=1)
EVERYONE = "*"


def plan_sent_on_by_case() -> sa.Subquery:
    """Per case, the day its opinion went out: the first dispatch of a referrer letter of any of its presentations."""
    return (
        sa.select(Presentation.case_id, sa.func.min(LetterDispatch.sent_on).label("sent_on"))
        .join(PlanLetter, PlanLetter.presentation_id == Presentation.id)
        .join(LetterDispatch, LetterDispatch.letter_id == PlanLetter.id)
        .where(PlanLetter.kind == LetterKind.REFERRER)
        .group_by(Presentation.case_id)
        .subquery("plan_sent")
    )


class RequestClosed(Refused):
    """The request is closed or cancelled and cannot change."""


def _apply(request: SecondOpinionRequest, data: RequestInput) -> list[str]:
    """Copy the input's fields onto the request; the names of those that changed."""
    changed = []
    for name in REQUEST_FIELDS:
        if getattr(request, name) != getattr(data, name):
            setattr(request, name, getattr(data, name))
            changed.append(name)
    return changed


def request_problems(data: RequestInput, public: bool = False) -> dict[str, list[str]]:
    """The intake's problems by the program's rules, by field (`public`: sent through a public form)."""
    return validate_request(data, program_today(), program_settings().mrn_pattern, public).by_field


class PossibleDuplicate(Refused):
    """A new request names a patient who already has an open request or is registered here."""


def save_request(
    actor: Actor, existing: SecondOpinionRequest | None, data: RequestInput, same_patient_again: bool = False
) -> SecondOpinionRequest:
    """Check the intake against the program's rules, then record a new request or change this one. A new request for a
    patient with an open request, or a known patient, is refused until `same_patient_again` says it is meant."""
    if problems := request_problems(data):
        raise Refused(fields=problems)
    if existing is None and not same_patient_again and possible_duplicates(data.last_name, data.first_name,
                                                                            data.birth_date):
        raise PossibleDuplicate(fields={"same_patient_again": [
            "This patient has an open request or is registered here already (listed below). Open it, or tick the "
            "box if this is another request for the same patient."
        ]})
    if existing is None:
        return create_request(actor, data)
    update_request(actor, existing, data)
    return existing


@dataclass(frozen=True)
class Duplicates:
    """Open requests (ids) and registered patients (id, MRN, their latest case or None) with a name and date of
    birth."""

    requests: list[int]
    patients: list[tuple[int, str, int | None]]

    def __bool__(self) -> bool:
        return bool(self.requests or self.patients)


def possible_duplicates(
    last_name: str, first_name: str, birth_date: date | None, request_id: int | None = None,
    patient_id: int | None = None,
) -> Duplicates:
    """The open requests other than `request_id` and the patients other than `patient_id` with this name (ignoring
    case, accents and spacing) and date of birth: two queries."""
    if birth_date is None:
        return Duplicates([], [])
    identity = (last_name, first_name, birth_date)
    born = sa.func.coalesce(Patient.birth_date, SecondOpinionRequest.birth_date)  # the patient's, once registered
    requests = db.session.execute(
        sa.select(SecondOpinionRequest.id, sa.func.coalesce(Patient.last_name, SecondOpinionRequest.last_name),
                  sa.func.coalesce(Patient.first_name, SecondOpinionRequest.first_name), born)
        .outerjoin(Patient, SecondOpinionRequest.patient_id == Patient.id)
        .where(born == birth_date, SecondOpinionRequest.status.in_(OPEN_STATUSES),
               SecondOpinionRequest.id != (request_id or 0))
        .order_by(SecondOpinionRequest.id)
    ).all()
    latest_case = sa.select(sa.func.max(Case.id)).where(Case.patient_id == Patient.id).scalar_subquery()
    patients = db.session.execute(
        sa.select(Patient.id, Patient.mrn, latest_case)
        .where(Patient.birth_date == birth_date, Patient.name_key == name_key(last_name, first_name),
               Patient.id != (patient_id or 0))
        .order_by(Patient.mrn)
    ).all()
    return Duplicates([row.id for row in requests if same_person(identity, tuple(row)[1:])],
                      [tuple(row) for row in patients])


def create_request(actor: Actor, data: RequestInput) -> SecondOpinionRequest:
    """Record a request with its full records checklist (everything needed until marked otherwise); the program's
    patient when the MRN is given, else the request's own identity until registration."""
    received = (
        datetime.combine(data.received_on, time(12), UTC)
        if data.received_on and data.received_on != program_today()  # today is the program's day, as the rules'
        else actor.now
    )
    request = SecondOpinionRequest(
        patient=resolve_patient(data) if data.mrn else None, received_at=received, status=SecondOpinionStatus.OPEN,
        source=data.source,
    )
    _apply(request, data)
    _verification(actor, request, data)
    request.records = [RecordItem(kind=kind) for kind in RecordKind]
    db.session.add(request)
    db.session.flush()
    record(actor, "create", "second_opinion", request.id, f"source={data.source.value}")
    return request


def update_request(actor: Actor, request: SecondOpinionRequest, data: RequestInput) -> None:
    """Change the intake details (contact, insurance, navigator, ...); the MRN registers the patient."""
    _require_open(request)
    if request.patient is not None and not data.mrn:
        raise Refused(fields={"mrn": [f"The patient is registered (MRN {request.patient.mrn}): keep the MRN."]})
    if data.mrn:
        patient = resolve_patient(data)
        if patient is not request.patient:
            request.patient = patient
    changed = _apply(request, data)
    changed += _verification(actor, request, data)
    db.session.flush()
    record(actor, "update", "second_opinion", request.id, f"fields={','.join(changed) or 'none'}")


def _verification(actor: Actor, request: SecondOpinionRequest, data: RequestInput) -> list[str]:
    """Who verified the insurance and when: the user who set a verified (or denied) status, on the day given (or
    today); cleared when the status goes back."""
    if request.insurance_status not in VERIFIED:
        verified = (None, None)
    elif data.insurance_verified_on != request.insurance_verified_on or request.insurance_verified_by_id is None:
        verified = (data.insurance_verified_on or program_today(), actor.id)
    else:
        verified = (request.insurance_verified_on, request.insurance_verified_by_id)
    if verified == (request.insurance_verified_on, request.insurance_verified_by_id):
        return []
    request.insurance_verified_on, request.insurance_verified_by_id = verified
    return ["insurance_verified_on"]


def submit_public_request(actor: Actor, data: RequestInput) -> SecondOpinionRequest:
    """A request sent through a public form: checked as any, never refused as a duplicate (that would tell a stranger
    who is a patient here); the navigators see possible duplicates on the request."""
    if problems := request_problems(data, public=True):
        raise Refused(fields=problems)
    return create_request(actor, data)


def _require_open(request: SecondOpinionRequest) -> None:
    if request.status not in OPEN_STATUSES:
        raise RequestClosed(f"A {request.status.label.lower()} request cannot change.")


def update_records(
    actor: Actor,
    request: SecondOpinionRequest,
    updates: list[RecordUpdate],
) -> None:
    """Save the checklist; the 7-day clock starts when every record is in
    or not needed (and stops if one goes missing).
    """
    _require_open(request)
    for update in updates:
        item = _line(request, update.kind)
        item.state, item.requested_on, item.received_on, item.note = (
            update.state,
            update.requested_on,
            update.received_on,
            update.note,
        )
    complete = _recount(actor, request)
    db.session.flush()
    record(actor, "update", "second_opinion", request.id, f"records;complete={'yes' if complete else 'no'}")


def _line(request: SecondOpinionRequest, kind: RecordKind) -> RecordItem:
    item = next((item for item in request.records if item.kind is kind), None)
    if item is None:
        item = RecordItem(kind=kind)
        request.records.append(item)
    return item


def _recount(actor: Actor, request: SecondOpinionRequest) -> bool:
    """Start the clock when every record is in or not needed; stop it when one goes missing again."""
    complete = records_complete([item.state for item in request.records])
    if complete and request.complete_at is None:
        request.complete_at = actor.now
        if request.status is SecondOpinionStatus.OPEN:
            request.status = SecondOpinionStatus.RECORDS_COMPLETE
    elif not complete and request.status is SecondOpinionStatus.RECORDS_COMPLETE:
        request.complete_at = None
        request.status = SecondOpinionStatus.OPEN
    return complete


def attach_file(
    actor: Actor, request: SecondOpinionRequest, kind: RecordKind, checked: CheckedFile, content: bytes
) -> RecordFile:
    """Keep an outside record's file with the request (and so with its case); its checklist line is received today
    unless it was received already."""
    _require_open(request)
    attached = RecordFile(
        kind=kind, filename=checked.filename, media_type=checked.media_type, size=checked.size,
        sha256=hashlib.sha256(content).hexdigest(), content=content, uploaded_by_id=actor.id, uploaded_at=actor.now,
    )
    request.files.append(attached)
    item = _line(request, kind)
    if item.state is not RecordState.RECEIVED:
        item.state, item.received_on = RecordState.RECEIVED, program_today()
    complete = _recount(actor, request)
    db.session.flush()
    # The file's name may name the patient: the entry gives its number, kind and size only.
    record(actor, "attach", "second_opinion", request.id,
           f"file={attached.id};kind={kind.value};bytes={checked.size};complete={'yes' if complete else 'no'}")
    return attached


def record_download(actor: Actor, attached: RecordFile) -> None:
    """That the actor downloaded an outside record's file (the request's patient is its subject)."""
    record(actor, "download", "second_opinion", attached.request_id, f"file={attached.id};kind={attached.kind.value}")


def count_public_post(remote_addr: str | None, now: datetime, per_address: int, overall: int) -> int:
    """Count a post of a public form against its address and everyone's, each `per_address` / `overall` an hour:
    0 when counted, else the seconds until the address (or everyone) may post again (nothing counted). Rows are
    locked in key order, so two posts at once cannot both pass the last free place; old windows are deleted."""
    keys = sorted((f"addr:{(remote_addr or 'unknown')[:45]}", EVERYONE))
    db.session.execute(sa.delete(PublicFormCount).where(
        PublicFormCount.window_started_at < now - PUBLIC_WINDOW, PublicFormCount.key != EVERYONE
    ))
    rows = locked_rows(db.session, PublicFormCount.key,
                       [{"key": key, "window_started_at": now, "posts": 0} for key in keys])
    for row in rows:
        if row.window_started_at <= now - PUBLIC_WINDOW:
            row.window_started_at, row.posts = now, 0
    waits = [(row.window_started_at + PUBLIC_WINDOW - now).total_seconds() for row in rows
             if row.posts >= (overall if row.key == EVERYONE else per_address)]
    if waits:
        return int(max(waits) + 0.999)
    for row in rows:
        row.posts += 1
    db.session.flush()
    return 0


def cancel_request(actor: Actor, request: SecondOpinionRequest, reason: str) -> None:
    """The patient withdrew or the request cannot proceed."""
    _require_open(request)
    request.status = SecondOpinionStatus.CANCELLED
    db.session.flush()
    record(actor, "cancel", "second_opinion", request.id, f"reason={reason.strip()[:200]}")
