"""Users, their roles, and login throttling."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from tumorboard.db import UtcDateTime, enum_column, utcnow
from tumorboard.extensions import db
from tumorboard.tokens import token_digest
from tumorboard.vocab import Role, Specialty

NO_PASSWORD = "!"  # the hash of a user who signs in only with the hospital's provider: no password matches it


def hash_password(password: str) -> str:
    """A salted hash of `password` with the configured method (full-strength scrypt outside tests)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


class User(UserMixin, db.Model):
    """A person who logs in: physician, coordinator, navigator, admin or auditor."""

    __tablename__ = "users"
    __table_args__ = (  # a user name or an address is one whatever its case (migration a3b4c5d6e7f8)
        sa.Index("ux_users_username_lower", sa.text("lower(username)"), unique=True),
        sa.Index("ux_users_email_lower", sa.text("lower(email)"), unique=True),
        sa.Index("ux_users_sso", "sso_issuer", "sso_subject", unique=True),  # migration f8a9b0c1d2e3
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(120))
    credentials: Mapped[str] = mapped_column(sa.String(40), default="")  # e.g. "MD, PhD"
    specialty: Mapped[Specialty] = mapped_column(enum_column(Specialty, "specialty"))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Secret in the personal calendar feed URL; None when revoked. The feed finds it by its digest (tokens.py).
    calendar_token: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    calendar_token_digest: Mapped[str | None] = mapped_column(sa.String(64), unique=True, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Part of the id kept in the session: raising it ends every session of the user ("sign out everywhere").
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")
    # Who the hospital's identity provider says this is (its issuer and its "sub"), once linked by a sign-in.
    sso_issuer: Mapped[str | None] = mapped_column(sa.String(255))
    sso_subject: Mapped[str | None] = mapped_column(sa.String(255))

    role_rows: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> frozenset[Role]:
        """The roles this user holds."""
        return frozenset(row.role for row in self.role_rows)

    @roles.setter
    def roles(self, wanted: set[Role] | frozenset[Role]) -> None:
        current = {row.role: row for row in self.role_rows}
        for role, row in current.items():
            if role not in wanted:
                self.role_rows.remove(row)
        for role in sorted(wanted - current.keys()):
            self.role_rows.append(UserRole(role=role))

    def has_role(self, *roles: Role) -> bool:
        """Whether the user holds any of `roles`."""
        return not self.roles.isdisjoint(roles)

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users.
        """Whether the account may log in."""
        return self.active

    @property
    def display_name(self) -> str:
        """Name with credentials, as on a letter."""
        return f"{self.full_name}, {self.credentials}" if self.credentials else self.full_name

    def set_password(self, password: str) -> None:
        """Store a salted hash of `password` (PASSWORD_HASH_METHOD: scrypt); the user is signed out everywhere."""
        self.password_hash = hash_password(password)
        self.sign_out_everywhere()

    def end_sessions(self) -> None:
        """End every session of the user: cookies carrying the old version no longer load the user."""
        self.session_version = (self.session_version or 0) + 1

    def sign_out_everywhere(self) -> None:
        """Every session ends and the personal calendar link stops working (a lost phone, a password set anew)."""
        self.end_sessions()
        self.calendar_token = None

    @validates("calendar_token")
    def _keep_digest(self, _key: str, token: str | None) -> str | None:
        self.calendar_token_digest = token_digest(token)
        return token

    def get_id(self) -> str:
        """Flask-Login: what the session keeps, the id and the session version."""
        return f"{self.id}.{self.session_version or 0}"

    @property
    def has_password(self) -> bool:
        """Whether a password was ever set (users created for hospital sign-in have none)."""
        return self.password_hash != NO_PASSWORD

    def check_password(self, password: str) -> bool:
        """Whether `password` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserRole(db.Model):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)

    user: Mapped[User] = relationship(back_populates="role_rows")


class LoginThrottle(db.Model):
    """Failed login attempts for one key (a username or an address).

    Keyed by the name typed, not by user, so unknown usernames slow down too and
    the answer gives no hint whether an account exists.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(sa.String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    blocked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


def named(username: str) -> sa.ColumnElement[bool]:
    """The condition for the user of this name whatever its case (one index: ux_users_username_lower)."""
    return sa.func.lower(User.username) == sa.func.lower(username.strip())
