"""Taking in second-opinion requests and working their records. Operations flush; the view commits."""

from __future__ import annotations

from dataclasses import fields
from datetime import UTC, datetime, time

import sqlalchemy as sa

from tumorboard.audit.operations import record
from tumorboard.cases.operations import assign_patient, resolve_patient
from tumorboard.domain import Actor, Refused
from tumorboard.extensions import db
from tumorboard.letters.models import LetterDispatch, PlanLetter
from tumorboard.program.settings import program_settings, program_today
from tumorboard.room.models import Presentation
from tumorboard.second_opinions.intake import RecordUpdate, RequestInput, records_complete, validate_request
from tumorboard.second_opinions.models import RecordItem, SecondOpinionRequest
from tumorboard.vocab import LetterKind, RecordKind, SecondOpinionStatus

REQUEST_FIELDS = tuple(
    f.name
    for f in fields(RequestInput)
    if f.name not in ("mrn", "last_name", "first_name", "birth_date", "sex", "received_on")
)
OPEN_STATUSES = (SecondOpinionStatus.OPEN, SecondOpinionStatus.RECORDS_COMPLETE, SecondOpinionStatus.CASE_CREATED)


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
    changed = []
    for name in REQUEST_FIELDS:
        if getattr(request, name) != getattr(data, name):
            setattr(request, name, getattr(data, name))
            changed.append(name)
    return changed


def request_problems(data: RequestInput) -> dict[str, list[str]]:
    """The intake's problems by the program's rules, by field."""
    return validate_request(data, program_today(), program_settings().mrn_pattern).by_field


def save_request(actor: Actor, existing: SecondOpinionRequest | None, data: RequestInput) -> SecondOpinionRequest:
    """Check the intake against the program's rules, then record a new request or change this one."""
    if problems := request_problems(data):
        raise Refused(fields=problems)
    if existing is None:
        return create_request(actor, data)
    update_request(actor, existing, data)
    return existing


def create_request(actor: Actor, data: RequestInput) -> SecondOpinionRequest:
    """Record a request with its full records checklist (everything needed until marked otherwise)."""
    received = (
        datetime.combine(data.received_on, time(12), UTC)
        if data.received_on and data.received_on != actor.now.date()
        else actor.now
    )
    request = SecondOpinionRequest(patient=resolve_patient(data), received_at=received, status=SecondOpinionStatus.OPEN)
    _apply(request, data)
    request.records = [RecordItem(kind=kind) for kind in RecordKind]
    db.session.add(request)
    db.session.flush()
    record(actor, "create", "second_opinion", request.id)
    return request


def update_request(actor: Actor, request: SecondOpinionRequest, data: RequestInput) -> None:
    """Change the intake details (contact, insurance, navigator, ...)."""
    if request.status not in OPEN_STATUSES:
        raise RequestClosed(f"A {request.status.label.lower()} request cannot change.")
    assign_patient(request, data)
    changed = _apply(request, data)
    db.session.flush()
    record(actor, "update", "second_opinion", request.id, f"fields={','.join(changed) or 'none'}")


def update_records(
    actor: Actor,
    request: SecondOpinionRequest,
    updates: list[RecordUpdate],
) -> None:
    """Save the checklist; the 7-day clock starts when every record is in
    or not needed (and stops if one goes missing).
    """
    if request.status not in OPEN_STATUSES:
        raise RequestClosed(f"A {request.status.label.lower()} request cannot change.")
    lines = {item.kind: item for item in request.records}
    for update in updates:
        item = lines.get(update.kind)
        if item is None:
            item = RecordItem(kind=update.kind)
            request.records.append(item)
        item.state, item.requested_on, item.received_on, item.note = (
            update.state,
            update.requested_on,
            update.received_on,
            update.note,
        )
    complete = records_complete([item.state for item in request.records])
    if complete and request.complete_at is None:
        request.complete_at = actor.now
        if request.status is SecondOpinionStatus.OPEN:
            request.status = SecondOpinionStatus.RECORDS_COMPLETE
    elif not complete and request.status is SecondOpinionStatus.RECORDS_COMPLETE:
        request.complete_at = None
        request.status = SecondOpinionStatus.OPEN
    db.session.flush()
    record(actor, "update", "second_opinion", request.id, f"records;complete={'yes' if complete else 'no'}")


def cancel_request(actor: Actor, request: SecondOpinionRequest, reason: str) -> None:
    """The patient withdrew or the request cannot proceed."""
    if request.status not in OPEN_STATUSES:
        raise RequestClosed(f"A {request.status.label.lower()} request cannot change.")
    request.status = SecondOpinionStatus.CANCELLED
    db.session.flush()
    record(actor, "cancel", "second_opinion", request.id, f"reason={reason.strip()[:200]}")
