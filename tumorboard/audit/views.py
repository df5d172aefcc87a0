"""The audit log, read-only, for auditors and admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from tumorboard.access import allow
from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import User
from tumorboard.extensions import db
from tumorboard.vocab import Role

bp = Blueprint("audit", __name__, url_prefix="/audit")

PAGE_SIZE = 50


@bp.route("/")
@allow(Role.AUDITOR, Role.ADMIN)
def index() -> str:
    """The newest entries first, filterable by record type and action, paged."""
    entity_type = request.args.get("entity_type", "").strip()
    action = request.args.get("action", "").strip()
    page = request.args.get("page", 1, type=int) or 1
    stmt = db.select(AuditEntry, User.username).outerjoin(User, AuditEntry.user_id == User.id)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    total = db.session.scalar(db.select(db.func.count()).select_from(stmt.subquery()))
    rows = db.session.execute(
        stmt.order_by(AuditEntry.id.desc()).limit(PAGE_SIZE).offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "audit/index.html", rows=rows, total=total, page=page, pages=pages, entity_type=entity_type, action=action
    )
