"""Creating, changing and moving cases. Operations flush; the view commits once."""

from __future__ import annotations

from dataclasses import fields
from datetime import date, datetime, timedelta

import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.audit.operations import record, record_many
from tumorboard.auth.models import User, UserRole
from tumorboard.cases.importer import (
    MAX_CASE_UPLOAD_ROWS,
    ImportCheck,
    ImportContext,
    KnownPatient,
    PlannedCase,
    case_key,
    check_rows,
    read_table,
)
from tumorboard.cases.models import Case, CaseBiomarker, CaseStatusChange, Patient
from tumorboard.cases.permissions import CaseChange, Standing, change_of_move, may, refusal, standing
from tumorboard.cases.queries import FoundPatient, find_patients
from tumorboard.cases.search import parse_patient_query
from tumorboard.cases.validation import CaseInput, PatientIdentity, Problems, validate_case
from tumorboard.cases.visibility import readable_cases
from tumorboard.cases.workflow import EDITABLE, check_move, may_move_by_hand
from tumorboard.conferences.models import ConferenceSeries, SeriesMember
from tumorboard.db import insert_returning, insert_rows
from tumorboard.domain import Actor, NotAllowed, Refused
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.vocab import CaseStatus, Role, SecondOpinionStatus, SiteGroup, Specialty

PATIENT_FIELDS = ("mrn", "last_name", "first_name", "birth_date", "sex")
# "Find patient" by MRN, per user: enough for a coordinator entering a clinic list, too few to harvest identities.
LOOKUPS_PER_MINUTE = 10
SEARCHES_PER_MINUTE = 30  # "Find a patient" by name, date of birth, MRN or case number
CLOSED = (CaseStatus.WITHDRAWN, CaseStatus.LETTER_SENT)  # a case that no longer takes a new question
CASE_FIELDS = tuple(f.name for f in fields(CaseInput) if f.name not in (*PATIENT_FIELDS, "biomarkers"))
# Codes and stages: stored as NULL when left empty.
NULL_WHEN_EMPTY = frozenset(
    name for name in CASE_FIELDS
    if name in ("primary_site", "class_of_case") or name.startswith(("clinical_", "pathologic_"))
)


class CaseError(Refused):
    """A change to a case that is refused, with messages by field."""

    def __init__(self, problems: Problems) -> None:
        super().__init__("; ".join(m for msgs in problems.by_field.values() for m in msgs), problems.by_field)
        self.problems = problems


def find_patient(mrn: str) -> Patient | None:
    """The patient with this MRN, if the program knows them."""
    return db.session.scalar(sa.select(Patient).where(Patient.mrn == mrn.strip()))


def _in_the_last_minute(actor: Actor, action: str) -> int:
    """How many times the actor did this (by the audit log) in the last minute."""
    return db.session.scalar(
        sa.select(sa.func.count(AuditEntry.id)).where(
            AuditEntry.user_id == actor.id,
            AuditEntry.action == action,
            AuditEntry.at > actor.now - timedelta(minutes=1),
        )
    )


def search_patients(actor: Actor, text: str) -> tuple[list[FoundPatient], bool]:
    """'Find a patient' from the header: the patients the actor may read, with their cases; every search audited with
    its kind and the patients shown, never its text (throttled like the MRN lookup, against harvesting)."""
    if _in_the_last_minute(actor, "search") >= SEARCHES_PER_MINUTE:
        record(actor, "search", "patient", None, "refused: too many")
        raise Refused(f"You searched {SEARCHES_PER_MINUTE} times in the last minute. Wait a minute, then try again.")
    query = parse_patient_query(text)
    found, more = find_patients(query, actor.now, program_zone(), readable_cases(actor.user))
    record(actor, "search", "patient", None, f"kind={query.kind};found={len(found)}{'+' if more else ''}",
           patients=[patient.id for patient in found])
    return found, more


def look_up_patient(actor: Actor, mrn: str) -> Patient | None:
    """'Find patient' on the case form: a returning patient the actor may read (throttled, every lookup audited)."""
    if _in_the_last_minute(actor, "patient_lookup") >= LOOKUPS_PER_MINUTE:
        record(actor, "patient_lookup", "patient", None, "refused: too many")
        problems = Problems()
        problems.add(
            "mrn", f"You looked up {LOOKUPS_PER_MINUTE} MRNs in the last minute. Wait a minute, then try again."
        )
        raise CaseError(problems)
    patient = find_patient(mrn)
    condition = readable_cases(actor.user)
    if (
        patient is not None
        and condition is not None
        and db.session.scalar(sa.select(Case.id).where(Case.patient_id == patient.id, condition).limit(1)) is None
    ):
        patient = None  # under "own boards only" a patient of other boards is not theirs to look up
    record(
        actor,
        "patient_lookup",
        "patient",
        patient.id if patient else None,
        "found" if patient else "not found",
    )
    return patient


def resolve_patient(data: PatientIdentity) -> Patient:
    """The returning patient with this MRN (whose identity must match), or a new one."""
    patient = find_patient(data.mrn)
    if patient is None:
        patient = Patient(**{name: getattr(data, name) for name in PATIENT_FIELDS})
        db.session.add(patient)
        return patient
    same = (
        patient.last_name.casefold() == data.last_name.casefold()
        and patient.first_name.casefold() == data.first_name.casefold()
        and patient.birth_date == data.birth_date
    )
    if not same:
        problems = Problems()
        problems.add(
            "mrn",
            "This MRN belongs to a patient with another name or date of birth. Check the MRN, or use 'Find patient' "
            "to load their details.",
        )
        raise CaseError(problems)
    return patient


def assign_patient(owner: Case | object, data: PatientIdentity) -> None:
    """Point a case (or request) at the patient the input names, returning or new."""
    patient = resolve_patient(data)
    if patient is not owner.patient:
        owner.patient = patient


def input_from_case(case: Case) -> CaseInput:
    """A stored case as input again (to check it is complete before it is submitted)."""
    values = {name: getattr(case.patient, name) for name in PATIENT_FIELDS}
    for name in CASE_FIELDS:
        value = getattr(case, name)
        values[name] = "" if value is None and isinstance(CaseInput.__dataclass_fields__[name].default, str) else value
    return CaseInput(**values, biomarkers=tuple((m.name, m.value) for m in case.biomarkers))


def case_columns(data: CaseInput) -> dict[str, object]:
    """The case's columns from the input (codes and stages left empty are stored as NULL)."""
    given = vars(data)  # every field at once (an import runs this for every row)
    return {name: (given[name] or None) if name in NULL_WHEN_EMPTY else given[name] for name in CASE_FIELDS}


def _apply(case: Case, data: CaseInput) -> list[str]:
    """Copy the input onto the case; return the names of the fields that changed."""
    changed = []
    for name, value in case_columns(data).items():
        if getattr(case, name) != value:
            setattr(case, name, value)
            changed.append(name)
    wanted = dict(data.biomarkers)
    current = {marker.name: marker for marker in case.biomarkers}
    if {n: m.value for n, m in current.items()} != wanted:
        case.biomarkers = [CaseBiomarker(name=name, value=value) for name, value in data.biomarkers]
        changed.append("biomarkers")
    return changed


def set_status(actor: Actor, case: Case, new: CaseStatus, reason: str = "") -> None:
    """Move a case along the workflow (refused with IllegalMove when the move does not exist) and keep the history."""
    check_move(case.status, new)
    case.status_changes.append(
        CaseStatusChange(
            from_status=case.status, to_status=new, at=actor.now, by_id=actor.id if actor else None, reason=reason
        )
    )
    if new is CaseStatus.SUBMITTED:
        case.submitted_at = actor.now
    case.status = new


def create_case(actor: Actor, data: CaseInput, submit: bool) -> Case:
    """A new case from validated input: a draft, or submitted to the queue."""
    case = Case(patient=resolve_patient(data), status=CaseStatus.DRAFT, created_by_id=actor.id, created_at=actor.now)
    _apply(case, data)
    case.status_changes.append(
        CaseStatusChange(from_status=None, to_status=CaseStatus.DRAFT, at=actor.now, by_id=actor.id)
    )
    db.session.add(case)
    if submit:
        set_status(actor, case, CaseStatus.SUBMITTED)
    db.session.flush()
    record(actor, "create", "case", case.id, f"status={case.status.value}")
    return case


def open_cases_like(mrn: str, site_group: SiteGroup) -> list[Case]:
    """The patient's open cases (not withdrawn, no letter sent yet) in the site group: what a new case may repeat."""
    return list(db.session.scalars(
        sa.select(Case).join(Patient, Case.patient_id == Patient.id)
        .where(Patient.mrn == mrn, Case.site_group == site_group, Case.status.not_in(CLOSED))
        .order_by(Case.id)
    ))


def save_case(actor: Actor, case: Case | None, data: CaseInput, submit: bool, another_confirmed: bool = False) -> Case:
    """Check the input against the program's rules (complete when it is submitted), then create or change the case."""
    data, problems = case_problems(case, data, submit, another_confirmed)
    if problems:
        raise CaseError(problems)
    return create_case(actor, data, submit) if case is None else update_case(actor, case, data, submit)


def case_problems(
    case: Case | None, data: CaseInput, submit: bool, another_confirmed: bool = False
) -> tuple[CaseInput, Problems]:
    """The input cleaned, and every problem with it by the program's rules (complete when it is submitted). A new case
    for a patient with an open case in the same site group needs `another_confirmed` (a new primary or a new
    question)."""
    data, problems = validate_case(data, program_today(), program_settings().mrn_pattern, complete=submit)
    if case is None and not another_confirmed and data.site_group is not None and "mrn" not in problems.by_field:
        if same := open_cases_like(data.mrn, data.site_group):
            listed = ", ".join(f"#{other.id} ({other.status.label.lower()})" for other in same)
            problems.add("another_case", f"This patient already has an open {data.site_group.label.lower()} case: "
                         f"{listed}. Open it instead, or tick the box if this is a new primary or a new question.")
    return data, problems


def missing_for_submission(case: Case) -> list[str]:
    """What a stored draft still lacks before it can be submitted (empty when it is complete)."""
    _, problems = validate_case(input_from_case(case), program_today(), program_settings().mrn_pattern, complete=True)
    return [message for messages in problems.by_field.values() for message in messages]


def may_hand_over(actor: User, case: Case) -> bool:
    """Who changes the managing physician (who signs the letter): a coordinator, the managing physician handing the case
    over, or, while nobody manages it yet, whoever entered the case."""
    if actor.has_role(Role.COORDINATOR) or actor.id == case.managing_physician_id:
        return True
    return case.managing_physician_id is None and actor.id == case.created_by_id


def case_standing(user: User, case: Case) -> frozenset[Standing]:
    """How the user stands to the case (one query, for board membership, when the case asks for a series)."""
    on_board = case.requested_series_id is not None and db.session.scalar(
        sa.select(sa.exists().where(
            SeriesMember.series_id == case.requested_series_id, SeriesMember.user_id == user.id
        ))
    )
    return standing(user.id, user.has_role(Role.COORDINATOR), bool(on_board), case.presenting_physician_id,
                    case.managing_physician_id, case.created_by_id, case.status)


def require_standing(actor: Actor, case: Case, change: CaseChange) -> None:
    """NotAllowed, with who may, unless the actor may make this change to the case."""
    if actor.user is not None and not may(change, case_standing(actor.user, case)):
        raise NotAllowed(refusal(change))


def update_case(actor: Actor, case: Case, data: CaseInput, submit: bool) -> Case:
    """Change a case that is still open for editing; submit it if asked."""
    require_standing(actor, case, CaseChange.EDIT)
    if case.status not in EDITABLE:
        raise Refused(f"A {case.status.label.lower()} case can no longer be edited.")
    handed_over = data.managing_physician_id != case.managing_physician_id
    if handed_over and not may_hand_over(actor.user, case):
        problems = Problems()
        problems.add(
            "managing_physician_id",
            "Only a coordinator or the current managing physician changes who manages this case.",
        )
        raise CaseError(problems)
    if handed_over:
        record(
            actor,
            "managing_physician",
            "case",
            case.id,
            f"{case.managing_physician_id or '-'}->{data.managing_physician_id or '-'}",
        )
    assign_patient(case, data)
    changed = _apply(case, data)
    if submit and case.status is CaseStatus.DRAFT:
        set_status(actor, case, CaseStatus.SUBMITTED)
        changed.append("status")
    db.session.flush()
    record(actor, "update", "case", case.id, f"fields={','.join(changed) or 'none'}")
    return case


def move_case(actor: Actor, case: Case, new: CaseStatus, reason: str) -> None:
    """A status change made by hand from the case page."""
    if not may_move_by_hand(case.status, new, actor.user.roles):
        check_move(case.status, new)  # an illegal move gets the workflow's message
        raise NotAllowed(f"Your role cannot make a {case.status.label.lower()} case {new.label.lower()}.")
    require_standing(actor, case, change_of_move(case.status, new))
    old = case.status
    set_status(actor, case, new, reason[:300])
    db.session.flush()
    record(actor, "status", "case", case.id, f"{old.value}->{new.value}")


READY_BY = {"imaging": Specialty.DIAGNOSTIC_RADIOLOGY, "pathology": Specialty.PATHOLOGY}


def may_mark_ready(user: User, material: str) -> bool:
    """Radiology marks the imaging, pathology the slides, ready for review; a coordinator may do either."""
    return material in READY_BY and (user.specialty is READY_BY[material] or user.has_role(Role.COORDINATOR))


def mark_ready(actor: Actor, case: Case, material: str, ready: bool) -> None:
    """Mark a case's imaging or pathology ready for review (or not ready again)."""
    if not may_mark_ready(actor.user, material):
        raise NotAllowed(f"Only the matching specialty or a coordinator marks the {material} ready.")
    setattr(case, f"{material}_ready_at", actor.now if ready else None)
    setattr(case, f"{material}_ready_by_id", actor.id if ready else None)
    db.session.flush()
    record(actor, "update", "case", case.id, f"{material}_ready={'yes' if ready else 'no'}")


def check_import(content: bytes, filename: str) -> ImportCheck:
    """Read an uploaded file (at most MAX_CASE_UPLOAD_ROWS rows) and check every row; nothing is written here."""
    rows = read_table(content, filename, MAX_CASE_UPLOAD_ROWS)
    context = import_context({row.get("mrn", "") for row in rows}, program_today(), program_settings().mrn_pattern)
    return check_rows(rows, context)


def import_context(mrns: set[str], today: date, mrn_pattern: str) -> ImportContext:
    """What an import file refers to, in four queries whatever its size."""
    physicians = db.session.execute(
        sa.select(User.username, User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.PHYSICIAN)
    ).all()
    series = db.session.execute(sa.select(ConferenceSeries.name, ConferenceSeries.id)).all()
    patients = db.session.execute(
        sa.select(Patient.mrn, Patient.last_name, Patient.first_name, Patient.birth_date).where(Patient.mrn.in_(mrns))
    ).all()
    keys = db.session.execute(
        sa.select(Patient.mrn, Case.site_group, Case.diagnosis_date)
        .join(Case, Case.patient_id == Patient.id)
        .where(Patient.mrn.in_(mrns))
    ).all()
    return ImportContext(
        today=today,
        mrn_pattern=mrn_pattern,
        physicians={username.casefold(): id for username, id in physicians},
        series={name.casefold(): id for name, id in series},
        patients={mrn: KnownPatient(last, first, born) for mrn, last, first, born in patients},
        existing_keys=frozenset(case_key(*key) for key in keys),
    )


def insert_patients(rows: list[dict[str, object]], now: datetime) -> dict[str, int]:
    """Create patients (each row: mrn, names, date of birth, sex) with multi-row inserts; their ids by MRN."""
    table = Patient.__table__
    rows = [row | {"created_at": now} for row in rows]
    return dict(insert_returning(db.session, table, rows, (table.c.mrn, table.c.id)))


def insert_cases(rows: list[dict[str, object]]) -> list[int]:
    """Create cases with multi-row inserts; their ids in the rows' order. Each row must be a different case (patient,
    site group and diagnosis date): the ids come back matched on that key (a multi-row INSERT ... RETURNING
    promises no order)."""
    table = Case.__table__
    key = (table.c.patient_id, table.c.site_group, table.c.diagnosis_date)
    made = {tuple(found): case_id for case_id, *found in insert_returning(db.session, table, rows, (table.c.id, *key))}
    if len(made) != len(rows):
        raise ValueError("insert_cases needs one case a patient, site group and diagnosis date")
    return [made[(row["patient_id"], row["site_group"], row.get("diagnosis_date"))] for row in rows]


def import_cases(actor: Actor, planned: list[PlannedCase]) -> list[int]:
    """Write checked cases, with one Core insert a table (thousands of plain rows; nothing reads them back as objects
    here); the caller's commit makes the import all or nothing. Returns the new cases' ids."""
    if not planned:
        return []
    mrns = {p.data.mrn for p in planned}
    patient_ids: dict[str, int] = dict(
        db.session.execute(sa.select(Patient.mrn, Patient.id).where(Patient.mrn.in_(mrns))).all()
    )
    people = {p.data.mrn: p.data for p in reversed(planned) if p.data.mrn not in patient_ids}  # the first row wins
    patient_ids |= insert_patients(
        [{name: getattr(data, name) for name in PATIENT_FIELDS} for data in people.values()], actor.now
    )
    actor_id = actor.id if actor else None
    rows = [
        case_columns(p.data) | {
            "patient_id": patient_ids[p.data.mrn],
            "status": p.status,
            "submitted_at": actor.now if p.status is CaseStatus.SUBMITTED else None,
            "created_by_id": actor_id,
            "created_at": actor.now,
            "updated_at": actor.now,  # given: the default would be a moment a row, each converted on its own
        }
        for p in planned
    ]
    ids = insert_cases(rows)
    # One change a case: it arrives in its status (a submitted case was never a draft here).
    changes = [
        {"case_id": case_id, "from_status": None, "to_status": p.status, "at": actor.now, "by_id": actor_id,
         "reason": "imported"}
        for case_id, p in zip(ids, planned, strict=True)
    ]
    biomarkers = [
        {"case_id": case_id, "name": name, "value": value}
        for case_id, p in zip(ids, planned, strict=True)
        for name, value in p.data.biomarkers
    ]
    for model, values in ((CaseStatusChange, changes), (CaseBiomarker, biomarkers)):
        insert_rows(db.session, model.__table__, values)
    for status in {p.status for p in planned}:
        record_many(actor, "import", {
            case_id: row["patient_id"]
            for case_id, row, p in zip(ids, rows, planned, strict=True) if p.status is status
        }, f"status={status.value}")
    return ids


def link_second_opinion(actor: Actor, request: SecondOpinionRequest, case: Case) -> None:
    """The case made for a second-opinion request: the request moves on, the case is in the queue (or a draft)."""
    request.case = case
    request.patient = case.patient  # registered with the case, if it was not before
    request.status = SecondOpinionStatus.CASE_CREATED
    db.session.flush()
    record(actor, "case_created", "second_opinion", request.id, f"case={case.id}")
