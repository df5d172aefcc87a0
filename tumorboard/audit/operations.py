"""Writing the audit log, and the guard that keeps it append-only."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.cases.models import Case, Patient
from tumorboard.db import insert_rows
from tumorboard.domain import Actor
from tumorboard.extensions import db
from tumorboard.letters.models import PlanLetter
from tumorboard.room.models import Presentation
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.vocab import RecordType

LINK_BATCH = 5_000  # ids bound in one statement: PostgreSQL takes at most 65,535 parameters, SQLite 32,766


def in_batches(ids: list[int]) -> list[list[int]]:
    """The ids in lists small enough to bind in one statement."""
    return [ids[start:start + LINK_BATCH] for start in range(0, len(ids), LINK_BATCH)]


def _concerned(entity_type: str, ids: list[int]) -> sa.Select | None:
    """The (patient, case) pairs of the records an entry names, for the record types that concern patients."""
    case = sa.select(Case.patient_id, Case.id)
    presented = case.join(Presentation, Presentation.case_id == Case.id)
    of_type: dict[str, Callable[[], sa.Select]] = {
        "case": lambda: case.where(Case.id.in_(ids)),
        "patient": lambda: sa.select(Patient.id, sa.cast(sa.null(), sa.Integer)).where(Patient.id.in_(ids)),
        # A request's patient once registered (before, the program has no patient to name).
        "second_opinion": lambda: sa.select(SecondOpinionRequest.patient_id, SecondOpinionRequest.case_id).where(
            SecondOpinionRequest.id.in_(ids), SecondOpinionRequest.patient_id.is_not(None)
        ),
        "presentation": lambda: presented.where(Presentation.id.in_(ids)),
        "letter": lambda: presented.join(PlanLetter, PlanLetter.presentation_id == Presentation.id).where(
            PlanLetter.id.in_(ids)
        ),
    }
    return of_type[entity_type]() if entity_type in of_type and ids else None


def _link(entry: AuditEntry, entity_type: str, ids: list[int]) -> None:
    """Write the subjects of the records an entry names: one INSERT ... SELECT for each few thousand (none when the
    record type concerns no patient)."""
    for batch in in_batches(ids):
        if (concerned := _concerned(entity_type, batch)) is None:
            return
        db.session.flush()  # the entry's id
        pairs = concerned.subquery()
        db.session.execute(sa.insert(AuditSubject).from_select(
            ["audit_id", "patient_id", "case_id"], sa.select(sa.literal(entry.id), *pairs.c).distinct()
        ))


def record(
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    detail: str = "",
    cases: Iterable[int] = (),
    patients: Iterable[int] = (),
) -> AuditEntry:
    """Add one audit entry (who, from where, what; `detail` without patient data) to the session, with the patients
    it concerns (the record's own, those of `cases`, and `patients`); the caller commits."""
    entry = AuditEntry(
        user_id=actor.id,
        action=action,
        entity_type=RecordType(entity_type).value,  # ValueError for a type the audit log's filter does not know
        entity_id=entity_id,
        detail=detail,
        remote_addr=actor.remote_addr,
    )
    db.session.add(entry)
    _link(entry, entity_type, [entity_id] if entity_id is not None else [])
    _link(entry, "case", [*cases])
    _link(entry, "patient", [*patients])
    return entry


def record_many(actor: Actor, action: str, cases: dict[int, int], detail: str = "") -> None:
    """One audit entry for many cases written at once (an import), naming each case and its patient (`cases`: patient
    id by case id) in its subjects; the caller commits."""
    if not cases:
        return
    entry = record(actor, action, "case", None, f"{detail};cases={len(cases)}" if detail else f"cases={len(cases)}")
    db.session.flush()
    insert_rows(db.session, AuditSubject.__table__, [
        {"audit_id": entry.id, "patient_id": patient_id, "case_id": case_id} for case_id, patient_id in cases.items()
    ])


def record_read(actor: Actor, entity_type: str, read: int | Iterable[int], detail: str = "") -> None:
    """That the actor read one record (a "view" entry) or the records a list showed (one "list" entry, if any), with
    the patients they concern."""
    if isinstance(read, int):
        record(actor, "view", entity_type, read, detail)
    elif ids := [*read]:
        entry = record(actor, "list", entity_type, None, (f"{detail};" if detail else "") + f"shown={len(ids)}")
        _link(entry, entity_type, ids)


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit entry."""


def _refuse_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry | AuditSubject) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted")


def install_append_only_guard() -> None:
    """Refuse, in every session, any update or delete of an audit entry."""
    if not sa.event.contains(Session, "before_flush", _refuse_changes):
        sa.event.listen(Session, "before_flush", _refuse_changes)
