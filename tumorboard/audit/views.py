"""The audit log, read-only, for auditors and admins: search it, page through it, export it."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pandas as pd
import sqlalchemy as sa
from flask import Blueprint, Response, flash, render_template, request
from flask_login import current_user

from tumorboard.audit.models import AuditEntry
from tumorboard.audit.operations import record
from tumorboard.audit.search import AuditFilter, parse_audit_filter
from tumorboard.auth.models import User
from tumorboard.extensions import db
from tumorboard.program.settings import program_zone
from tumorboard.reports.exports import without_formulas
from tumorboard.vocab import Role
from tumorboard.web.access import allow

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50
EXPORT_LIMIT = 100_000
READERS = (Role.AUDITOR, Role.ADMIN)


def _matching(f: AuditFilter) -> sa.Select:
    """Entries matching the filter, with the acting user's username; dates are the program's days."""
    stmt = sa.select(AuditEntry, User.username).outerjoin(User, AuditEntry.user_id == User.id)
    if f.username:
        stmt = stmt.where(User.username == f.username)
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


@bp.route("/")
@allow(*READERS)
def index() -> str:
    """The newest entries first, searchable by who, what, which record and when, paged."""
    f, problems = parse_audit_filter(request.args)
    for problem in problems:
        flash(problem, "warning")
    stmt = _matching(f)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery()))
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(max(request.args.get("page", 1, type=int) or 1, 1), pages)  # a page past the end shows the last
    rows = db.session.execute(stmt.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return render_template(
        "audit/index.html",
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        f=f,
        args=f.as_args(),
        export_limit=EXPORT_LIMIT,
    )


@bp.route("/export.csv")
@allow(*READERS)
def export() -> Response:
    """The matching entries as CSV, oldest first (at most EXPORT_LIMIT); the export is itself audited."""
    f, _ = parse_audit_filter(request.args)
    rows = db.session.execute(_matching(f).order_by(AuditEntry.id).limit(EXPORT_LIMIT)).all()
    frame = pd.DataFrame(
        [
            (
                e.at.isoformat(),
                username or "system",
                e.action,
                e.entity_type,
                e.entity_id,
                e.detail,
                e.remote_addr or "",
            )
            for e, username in rows
        ],
        columns=["at_utc", "user", "action", "entity_type", "entity_id", "detail", "from"],
    )
    record(
        current_user.id,
        "export",
        "audit_log",
        None,
        f"rows={len(rows)};" + ";".join(f"{k}={v}" for k, v in f.as_args().items()),
        request.remote_addr,
    )
    db.session.commit()
    return Response(
        without_formulas(frame).to_csv(index=False),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
    )
