"""What the user pages show."""

from __future__ import annotations

import sqlalchemy as sa

from tumorboard.auth.models import User, UserRole
from tumorboard.extensions import db
from tumorboard.vocab import Role


def list_users(role: Role | None, query: str) -> list[User]:
    """Every user (active first, by name), of one role and matching a name or username when given."""
    stmt = sa.select(User).order_by(User.active.desc(), User.full_name)
    if role is not None:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role)))
    if query:
        like = f"%{query}%"
        stmt = stmt.where(User.full_name.ilike(like) | User.username.ilike(like))
    return list(db.session.scalars(stmt))
