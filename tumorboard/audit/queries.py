"""What the audit pages show: entries matching a search, newest first and paged, or oldest first for the export."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.audit.search import AuditFilter
from tumorboard.auth.models import User, named
from tumorboard.extensions import db
from tumorboard.paging import Page, page_of
from tumorboard.program.settings import program_zone
from tumorboard.reports.exports import without_formulas

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
EXPORT_COLUMNS = ["at_utc", "user", "action", "entity_type", "entity_id", "detail", "from"]


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
    if f.date_from:
        stmt = stmt.where(AuditEntry.at >= datetime.combine(f.date_from, time(0), program_zone()))
    if f.date_to:
        stmt = stmt.where(AuditEntry.at < datetime.combine(f.date_to + timedelta(days=1), time(0), program_zone()))
    return stmt


def search(f: AuditFilter, requested_page: int) -> Page:
    """The page of matching entries, newest first, with the acting user's username."""
    stmt = _matching(f)
    count = sa.select(sa.func.count()).select_from(stmt.subquery())
    return page_of(count, stmt.order_by(AuditEntry.id.desc()), requested_page, PAGE_SIZE)


def export_frame(f: AuditFilter) -> pd.DataFrame:
    """The matching entries (at most EXPORT_LIMIT, oldest first) as a formula-safe table for the CSV export."""
    rows = db.session.execute(_matching(f).order_by(AuditEntry.id).limit(EXPORT_LIMIT)).all()
    values = [
        (e.at.isoformat(), username or "system", e.action, e.entity_type, e.entity_id, e.detail, e.remote_addr or "")
        for e, username in rows
    ]
    return without_formulas(pd.DataFrame(values, columns=EXPORT_COLUMNS))
