"""Writing the audit log, and the guard that keeps it append-only."""

from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy.orm import Session

from tumorboard.audit.models import AuditEntry
from tumorboard.db import insert_rows
from tumorboard.domain import Actor
from tumorboard.extensions import db


def record(actor: Actor, action: str, entity_type: str, entity_id: int | None = None, detail: str = "") -> AuditEntry:
    """Add one audit entry (who, from where, what; `detail` without patient data) to the session; the caller commits."""
    entry = AuditEntry(
        user_id=actor.id,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        detail=detail,
        remote_addr=actor.remote_addr,
    )
    db.session.add(entry)
    return entry


def record_many(actor: Actor, action: str, entity_type: str, entity_ids: Iterable[int], detail: str = "") -> None:
    """One audit entry per record (an import's cases), written in one statement; the caller commits."""
    rows = [
        {"user_id": actor.id, "action": action, "entity_type": entity_type, "entity_id": entity_id, "detail": detail,
         "remote_addr": actor.remote_addr}
        for entity_id in entity_ids
    ]
    insert_rows(db.session, AuditEntry.__table__, rows)


def record_read(actor: Actor, entity_type: str, read: int | Iterable[int], detail: str = "") -> None:
    """That the actor read one record (a "view" entry) or the records a list showed (one "list" entry, if any)."""
    if isinstance(read, int):
        record(actor, "view", entity_type, read, detail)
    elif ids := [str(entity_id) for entity_id in read]:
        record(actor, "list", entity_type, None, (f"{detail};" if detail else "") + "ids=" + ",".join(ids))


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
