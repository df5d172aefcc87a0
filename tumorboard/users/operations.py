"""Creating and changing users. Operations flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from tumorboard.audit.operations import record
from tumorboard.auth.models import NO_PASSWORD, User, UserRole, named
from tumorboard.auth.policy import password_problems
from tumorboard.domain import Actor, NotAllowed, Refused
from tumorboard.extensions import db
from tumorboard.text import ONE_LINE, is_one_line
from tumorboard.vocab import Role, Specialty

# Roles only an admin hands out or takes away: admin rights, and the surveyor's read-only access to the audit log.
ADMIN_GRANTED = frozenset({Role.ADMIN, Role.AUDITOR})


class UserError(Refused):
    """A change to a user that is refused; `fields` maps a form field to its messages."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__("; ".join(m for msgs in fields.values() for m in msgs), fields)


@dataclass(frozen=True)
class UserData:
    """The editable details of a user."""

    username: str
    full_name: str
    email: str
    specialty: Specialty
    roles: frozenset[Role] = field(default_factory=frozenset)
    credentials: str = ""
    active: bool = True


def _check(actor: User | None, data: UserData, user: User | None) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    username, email = data.username.strip(), data.email.strip().lower()
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        problems["username"] = ["Use letters, digits, dots, dashes or underscores."]
    for key, taken in (("username", named(username)), ("email", sa.func.lower(User.email) == sa.func.lower(email))):
        clash = db.session.scalar(sa.select(User.id).where(taken, User.id != (user.id if user else None)))
        if clash is not None:
            problems.setdefault(key, []).append(f"Another user already has this {key} (letter case aside).")
    for name in ("full_name", "credentials", "email"):  # a name goes into calendar feeds, letters and the audit export
        if not is_one_line(getattr(data, name)):
            problems.setdefault(name, []).append(ONE_LINE)
    if not data.roles:
        problems["roles"] = ["Give the user at least one role."]
    # Actor None is the command line, run by whoever runs the server.
    before = user.roles if user else frozenset()
    if actor is not None and not actor.has_role(Role.ADMIN):
        for role in sorted(role for role in ADMIN_GRANTED if (role in data.roles) != (role in before)):
            problems.setdefault("roles", []).append(f"Only an admin can grant or remove the {role.value} role.")
    if actor is not None and user is not None and user.id == actor.id:
        if not data.active:
            problems["active"] = ["You cannot deactivate your own account."]
        if Role.ADMIN in before and Role.ADMIN not in data.roles:
            problems.setdefault("roles", []).append("You cannot remove your own admin role.")
        elif data.roles != before:
            problems.setdefault("roles", []).append("You cannot change your own roles: ask an admin.")
    if (
        user is not None
        and Role.ADMIN in before
        and user.active
        and (Role.ADMIN not in data.roles or not data.active)
        and _last_admin(user)
    ):
        problems.setdefault("roles" if data.active else "active", []).append(
            "This is the only active admin: make someone else an admin first."
        )
    return problems


def _last_admin(user: User) -> bool:
    """Whether `user` is the only active admin (locked, so two admins cannot demote each other at once)."""
    admins = db.session.scalars(
        sa.select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.ADMIN, User.active.is_(True))
        .order_by(User.id)
        .with_for_update()
    ).all()
    return set(admins) <= {user.id}


def may_manage(actor: User | None, user: User) -> bool:
    """Only an admin edits, deactivates, resets or signs out an admin (coordinators manage everyone else)."""
    return actor is None or actor.has_role(Role.ADMIN) or not user.has_role(Role.ADMIN)


def _require_manager(actor: User | None, user: User) -> None:
    if not may_manage(actor, user):
        raise NotAllowed("Only an admin changes an admin's account.")


def _apply(user: User, data: UserData) -> None:
    user.username = data.username.strip()
    user.full_name = data.full_name.strip()
    user.email = data.email.strip().lower()
    user.credentials = data.credentials.strip()
    user.specialty = data.specialty
    user.roles = data.roles
    user.active = data.active


def user_problems(actor: Actor, data: UserData, user: User | None, password: str | None = None) -> dict[str, list[str]]:
    """Every problem with a user's details (and, for a new user, the password), by field."""
    problems = _check(actor.user, data, user)
    if password is not None and (pw := password_problems(password, data.username, data.full_name, data.email)):
        problems["password"] = pw
    return problems


def create_user(actor: Actor, data: UserData, password: str | None) -> User:
    """Create a user after checking the details and the password policy (None: no password, the user signs in with
    the hospital's provider)."""
    if problems := user_problems(actor, data, None, password):
        raise UserError(problems)
    user = User(password_hash=NO_PASSWORD)
    _apply(user, data)
    if password is not None:
        user.set_password(password)
    db.session.add(user)
    db.session.flush()
    record(actor, "create", "user", user.id, f"roles={','.join(sorted(data.roles))}")
    return user


def update_user(actor: Actor, user: User, data: UserData) -> User:
    """Change a user's details and roles."""
    _require_manager(actor.user, user)
    if problems := user_problems(actor, data, user):
        raise UserError(problems)
    _apply(user, data)
    db.session.flush()
    record(actor, "update", "user", user.id, f"roles={','.join(sorted(data.roles))};active={data.active}")
    return user


def reset_password(actor: Actor, user: User, password: str) -> None:
    """Set a new password for a user (an admin or coordinator helping a locked-out colleague)."""
    _require_manager(actor.user, user)
    if problems := password_problems(password, user.username, user.full_name, user.email):
        raise UserError({"password": problems})
    user.set_password(password)
    db.session.flush()
    record(actor, "password_reset", "user", user.id)


def sign_out_everywhere(actor: Actor, user: User) -> None:
    """End every session of a user (a lost device, a leaving colleague); they can sign in again."""
    _require_manager(actor.user, user)
    user.sign_out_everywhere()
    record(actor, "sign_out_everywhere", "user", user.id)


def unlink_hospital_account(actor: Actor, user: User) -> str:
    """Forget which hospital account is this user (a wrong link, a new account at the provider): their next hospital
    sign-in links them by verified e-mail again. Their sessions end, in case the wrong person holds one. Returns what
    to say."""
    _require_manager(actor.user, user)
    if user.sso_subject is None:
        raise Refused(f"{user.username} is not linked to a hospital account.")
    user.sso_issuer = user.sso_subject = None
    user.end_sessions()
    record(actor, "sso_unlinked", "user", user.id)
    return f"{user.username} is no longer linked to a hospital account and is signed out everywhere."
