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
from tumorboard.auth.directory import (
    REFUSALS,
    Identity,
    Refusal,
    directory_roles,
    directory_specialty,
    display_name,
    username_candidates,
)
from tumorboard.auth.models import NO_PASSWORD, User, named
from tumorboard.auth.policy import password_problems
from tumorboard.config import SingleSignOn
from tumorboard.domain import Actor, Refused
from tumorboard.extensions import db
from tumorboard.tokens import new_token
from tumorboard.vocab import Specialty


@dataclass(frozen=True)
class SignIn:
    """The outcome of one sign-in attempt, with a password or through the hospital's provider: the user, or how long to
    wait, or why not (neither: the username or password was wrong)."""

    user: User | None
    wait: int = 0
    refused: Refusal | None = None  # a refusal that is not about the password (provider sign-in, local passwords off)

    @property
    def refusal(self) -> str:
        """What to tell someone not signed in (never which of the username and password was wrong)."""
        if self.refused:
            return self.refused.message
        if self.wait:
            return f"Too many failed sign-in attempts. Wait {self.wait} seconds and try again."
        return "Unknown username or wrong password."

    @property
    def status(self) -> int:
        """The HTTP status of a refused attempt's page."""
        return self.refused.status if self.refused else 429 if self.wait else 401


@functools.cache
def _unused_hash(method: str) -> str:
    """A hash no password matches, checked when the username is unknown, so
    the answer takes as long as for a real one.
    """
    return generate_password_hash("no account has this password", method=method)


def sign_in(actor: Actor, username: str, password: str, free_attempts: int, hash_method: str,
            sso: SingleSignOn | None = None) -> SignIn:
    """Check a username and password, throttled per (address, username) and per username; every attempt is audited.
    With hospital sign-in and local passwords off, only the break-glass accounts may use a password."""
    if sso is not None and not sso.password_allowed(username):
        user = db.session.scalar(sa.select(User).where(named(username)))
        record(actor, "login_failed", "user", user.id if user else None, "method=password; reason=local_off")
        return SignIn(None, refused=REFUSALS["local_off"])
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
        record(actor, "login_failed", "user", user.id if user else None, "method=password")
        return SignIn(None)
    throttle.clear(keys)
    user.last_login_at = actor.now
    record(replace(actor, user=user), "login", "user", user.id, "method=password")
    return SignIn(user)


def refuse_provider_sign_in(actor: Actor, reason: str, detail: str = "", user: User | None = None) -> SignIn:
    """Audit a refused sign-in through the provider (`detail`: what was wrong, without secrets) and say why."""
    record(actor, "login_failed", "user", user.id if user else None,
           "; ".join(filter(None, ("method=sso", f"reason={reason}", detail))))
    return SignIn(None, refused=REFUSALS[reason])


def sign_in_with_provider(actor: Actor, identity: Identity, sso: SingleSignOn) -> SignIn:
    """Sign in the person the provider vouched for: the user linked to their subject, else (first time) the user with
    their verified e-mail, who is linked, else a new user without roles when OIDC_CREATE_USERS is on. Roles and
    specialty follow the groups mapping at every sign-in; every attempt is audited with its method."""
    user = db.session.scalar(
        sa.select(User).where(User.sso_issuer == identity.issuer, User.sso_subject == identity.subject)
    )
    how = "subject"
    if user is None:
        if not identity.email or not identity.email_verified:
            return refuse_provider_sign_in(actor, "unverified_email", f"email={identity.email or '-'}")
        user = db.session.scalar(sa.select(User).where(sa.func.lower(User.email) == identity.email))
        how = "e-mail"
        if user is not None and user.sso_issuer == identity.issuer:  # linked to another subject: not this person
            return refuse_provider_sign_in(actor, "unknown", f"email={identity.email}; linked to another subject")
        if user is None and not sso.create_users:
            return refuse_provider_sign_in(actor, "unknown", f"email={identity.email}")
        if user is None:
            user, how = _create_from_directory(actor, identity), "created"
    if not user.active:
        return refuse_provider_sign_in(actor, "disabled", user=user)
    user.sso_issuer, user.sso_subject = identity.issuer, identity.subject
    user.roles = roles = directory_roles(user.roles, identity.groups, sso.group_roles)
    user.specialty = directory_specialty(user.specialty, identity.groups, sso.group_specialties)
    user.last_login_at = actor.now
    record(replace(actor, user=user), "login", "user", user.id,
           f"method=sso; matched by {how}; roles={','.join(sorted(roles)) or '-'}")
    return SignIn(user)


def _create_from_directory(actor: Actor, identity: Identity) -> User:
    """A user for someone the provider vouched for and TumorBoard does not know: no roles, no password."""
    candidates = list(username_candidates(identity))
    taken = set(db.session.scalars(sa.select(sa.func.lower(User.username)).where(
        sa.func.lower(User.username).in_(candidates)
    )))
    username = next(name for name in candidates if name not in taken)
    user = User(username=username, email=identity.email, full_name=display_name(identity),
                specialty=Specialty.OTHER, password_hash=NO_PASSWORD)
    db.session.add(user)
    db.session.flush()
    record(actor, "create", "user", user.id, "from hospital sign-in; roles=-")
    return user


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
