"""Signing in and out, and a user's own account. Operations flush; the view commits (sign_in's one exception is
said where it stands)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import datetime

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from tumorboard.audit.operations import record
from tumorboard.auth import throttle
from tumorboard.auth.models import User, named
from tumorboard.auth.policy import password_problems
from tumorboard.domain import Actor, Refused
from tumorboard.extensions import db
from tumorboard.tokens import new_token


@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt: the user, or how long to wait (0: the username or password was wrong)."""

    user: User | None
    wait: int = 0

    @property
    def refusal(self) -> str:
        """What to tell someone not signed in (never which of the username and password was wrong)."""
        if self.wait:
            return f"Too many failed sign-in attempts. Wait {self.wait} seconds and try again."
        return "Unknown username or wrong password."


@functools.cache
def _unused_hash(method: str) -> str:
    """A hash no password matches, checked when the username is unknown, so
    the answer takes as long as for a real one.
    """
    return generate_password_hash("no account has this password", method=method)


def sign_in(actor: Actor, username: str, password: str, free_attempts: int, hash_method: str) -> SignIn:
    """Check a username and password, throttled per (address, username) and per username; every attempt is audited."""
    keys = throttle.throttle_keys(username, actor.remote_addr)
    wait = throttle.reserve_attempt(keys, actor.now, free_attempts)
    if wait:
        return SignIn(None, wait)
    # The one commit below the view: the attempt must count before the slow hash, or concurrent guesses all pass.
    db.session.commit()
    user = db.session.scalar(sa.select(User).where(named(username)))
    matches = (
        user.check_password(password) if user is not None else check_password_hash(_unused_hash(hash_method), password)
    )
    if user is None or not user.active or not matches:
        record(actor, "login_failed", "user", user.id if user else None)
        return SignIn(None)
    throttle.clear(keys)
    user.last_login_at = actor.now
    record(replace(actor, user=user), "login", "user", user.id)
    return SignIn(user)


def sign_out(actor: Actor) -> None:
    """End this session for good: a copy of its cookie replayed later no longer signs anyone in (every session of the
    user ends, since sessions live in cookies and the session version is what the server keeps)."""
    actor.user.end_sessions()
    record(actor, "logout", "user", actor.id)


def change_password(actor: Actor, current: str, new: str) -> str:
    """The user's own new password: it ends their other sessions and their calendar link. Returns what to say."""
    user = actor.user
    if not user.check_password(current):
        raise Refused(fields={"current_password": ["This is not your current password."]})
    if problems := password_problems(new, user.username, user.full_name, user.email):
        raise Refused(fields={"password": problems})
    revoked = user.calendar_token is not None
    user.set_password(new)
    record(actor, "password_changed", "user", user.id)
    return "Your password is changed and your other sessions are signed out." + (
        " Your calendar link was revoked too: make a new one below." if revoked else ""
    )


def set_calendar_token(actor: Actor, revoke: bool) -> str:
    """Make (or replace) the secret of the user's personal calendar feed, or revoke it. Returns what to say."""
    actor.user.calendar_token = None if revoke else new_token()
    record(actor, "calendar_token_revoked" if revoke else "calendar_token_created", "user", actor.id)
    if revoke:
        return "Your calendar link is revoked: calendars using it stop updating."
    return "Your new calendar link is ready. Any earlier link no longer works."


def command_actor(username: str | None, now: datetime) -> Actor:
    """Who runs a command: the user named by `--as` (audited as them), or nobody, the server's operator."""
    if not username:
        return Actor(user=None, remote_addr=None, now=now)
    user = db.session.scalar(sa.select(User).where(named(username)))
    if user is None:
        raise Refused(f"No user '{username}'.")
    return Actor(user=user, remote_addr=None, now=now)
