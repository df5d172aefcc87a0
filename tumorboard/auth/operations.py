"""Signing in and out, and a user's own account. Operations flush; the view commits (sign_in's one exception is
said where it stands)."""

from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from tumorboard.audit.operations import record
from tumorboard.auth import throttle
from tumorboard.auth.models import User
from tumorboard.extensions import db


@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt: the user, or how long to wait (0: the username or password was wrong)."""

    user: User | None
    wait: int = 0


@functools.cache
def _unused_hash(method: str) -> str:
    """A hash no password matches, checked when the username is unknown, so
    the answer takes as long as for a real one.
    """
    return generate_password_hash("no account has this password", method=method)


def sign_in(
    username: str, password: str, remote_addr: str | None, now: datetime, free_attempts: int, hash_method: str
) -> SignIn:
    """Check a username and password, throttled per (address, username) and per username; every attempt is audited."""
    keys = throttle.throttle_keys(username, remote_addr)
    wait = throttle.reserve_attempt(keys, now, free_attempts)
    if wait:
        return SignIn(None, wait)
    # The one commit below the view: the attempt must count before the slow hash, or concurrent guesses all pass.
    db.session.commit()
    user = db.session.scalar(sa.select(User).where(User.username == username.strip()))
    matches = (
        user.check_password(password) if user is not None else check_password_hash(_unused_hash(hash_method), password)
    )
    if user is None or not user.active or not matches:
        record(None, "login_failed", "user", user.id if user else None, remote_addr=remote_addr)
        return SignIn(None)
    throttle.clear(keys)
    user.last_login_at = now
    record(user.id, "login", "user", user.id, remote_addr=remote_addr)
    return SignIn(user)


def sign_out(user: User, remote_addr: str | None) -> None:
    """End this session for good: a copy of its cookie replayed later no longer signs anyone in (every session of the
    user ends, since sessions live in cookies and the session version is what the server keeps)."""
    user.end_sessions()
    record(user.id, "logout", "user", user.id, remote_addr=remote_addr)


def new_calendar_token() -> str:
    """A fresh secret for a personal feed URL."""
    return secrets.token_urlsafe(32)
