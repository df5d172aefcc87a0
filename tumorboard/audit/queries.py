"""What the audit pages show: entries matching a search, newest first and paged, or oldest first for the export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pandas as pd
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.audit.operations import in_batches
from tumorboard.audit.search import AuditFilter
from tumorboard.auth.models import User, named
from tumorboard.cases.models import Patient
from tumorboard.extensions import db
from tumorboard.paging import Page, page_of
from tumorboard.program.settings import program_zone
from tumorboard.reports.exports import without_formulas

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = ["at", "user", "action", "record_type", "record_id", "cases", "patient_mrns", "detail", "from"]


def _matching(f: AuditFilter) -> sa.Select:
    """Entries matching the filter, with the acting user's username; dates are the program's days."""
    stmt = sa.select(AuditEntry, User.username).outerjoin(User, AuditEntry.user_id == User.id)
    if f.username:
        stmt = stmt.where(named(f.username))
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.entity_type:
        stmt = stmt.where(AuditEntry.entity_type == f.entity_type)
    if f.entity_id is not None:
        stmt = stmt.where(AuditEntry.entity_id == f.entity_id)
    for column, wanted in ((AuditSubject.patient_id, f.patient_id), (AuditSubject.case_id, f.case_id)):
        if wanted is not None:
            stmt = stmt.where(AuditEntry.id.in_(sa.select(AuditSubject.audit_id).where(column == wanted)))
    if f.date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(f.date_from, time(0), program_zone()))
    if f.date_to:
        stmt = stmt.where(AuditEntry.at < datetime.combine(f.date_to + timedelta(days=1), time(0), program_zone()))
    return stmt


@dataclass(frozen=True)
class AuditRow:
    """One entry as the audit page and its export show it."""

    entry: AuditEntry
    username: str
    cases: list[int]  # the cases it concerns
    patients: list[str]  # the MRNs of the patients it concerns


def _rows(found: list[tuple[AuditEntry, str | None]]) -> list[AuditRow]:
    """The entries with the cases and patients they concern: one more query for the lot."""
    cases: dict[int, set[int]] = {}
    mrns: dict[int, set[str]] = {}
    for ids in in_batches([entry.id for entry, _ in found]):
        for audit_id, case_id, mrn in db.session.execute(
            sa.select(AuditSubject.audit_id, AuditSubject.case_id, Patient.mrn)
            .join(Patient, AuditSubject.patient_id == Patient.id)
            .where(AuditSubject.audit_id.in_(ids))
        ):
            mrns.setdefault(audit_id, set()).add(mrn)
            if case_id is not None:
                cases.setdefault(audit_id, set()).add(case_id)
    return [
        AuditRow(entry, username or "system", sorted(cases.get(entry.id, ())), sorted(mrns.get(entry.id, ())))
        for entry, username in found
    ]


def search(f: AuditFilter, requested_page: int) -> Page:
    """The page of matching entries, newest first, with the acting user's username and what each concerns."""
    stmt = _matching(f)
    count = sa.select(sa.func.count()).select_from(stmt.subquery())
    found = page_of(count, stmt.order_by(AuditEntry.id.desc()), requested_page, PAGE_SIZE)
    return Page(rows=_rows(found.rows), total=found.total, page=found.page, pages=found.pages)


def patient_named(patient_id: int | None) -> Patient | None:
    """The patient the log is filtered by, for the page's heading."""
    return db.session.get(Patient, patient_id) if patient_id is not None else None


def export_frame(f: AuditFilter) -> pd.DataFrame:
    """The matching entries (at most EXPORT_LIMIT, oldest first) as a formula-safe table for the CSV export, times in
    the program's zone."""
    zone = program_zone()
    rows = _rows(db.session.execute(_matching(f).order_by(AuditEntry.id).limit(EXPORT_LIMIT)).all())
    values = [
        (row.entry.at.astimezone(zone).isoformat(), row.username, row.entry.action, row.entry.entity_type,
         row.entry.entity_id, " ".join(map(str, row.cases)), " ".join(row.patients), row.entry.detail,
         row.entry.remote_addr or "")
        for row in rows
    ]
    return without_formulas(pd.DataFrame(values, columns=EXPORT_COLUMNS))
