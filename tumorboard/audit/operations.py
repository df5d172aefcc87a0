"""Writing the audit log, and the guard that keeps it append-only."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db


def record(
    actor_id: int | None,
    action: str,
    entity_type: str,
    entity_id: int | None = None,
    detail: str = "",
    remote_addr: str | None = None,
) -> AuditEntry:
    """Add one audit entry to the session (the caller commits)."""
    entry = AuditEntry(
        user_id=actor_id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=detail,
        remote_addr=remote_addr,
    )
    db.session.add(entry)
    return entry


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit entry."""


def _refuse_changes(session: Session, _context: object, _instances: object) -> None:
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditEntry) and (obj in session.deleted or session.is_modified(obj)):
            raise AuditLogIsAppendOnly("audit entries cannot be changed or deleted")


def install_append_only_guard() -> None:
    """Refuse, in every session, any update or delete of an audit entry."""
    if not sa.event.contains(Session, "before_flush", _refuse_changes):
        sa.event.listen(Session, "before_flush", _refuse_changes)
