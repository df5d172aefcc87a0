"""User management pages: list, create, edit, reset password."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.audit.operations import record
from tumorboard.auth.models import User, UserRole
from tumorboard.domain import NotAllowed
from tumorboard.extensions import db
from tumorboard.forms import show_problems
from tumorboard.users.forms import NewUserForm, ResetPasswordForm, SignOutForm, UserForm
from tumorboard.users.operations import UserData, UserError, create_user, may_manage, reset_password, update_user
from tumorboard.vocab import Role, Specialty
from tumorboard.web.access import allow

bp = Blueprint("users", __name__, url_prefix="/users", cli_group=None)

MANAGERS = (Role.ADMIN, Role.COORDINATOR)


def _data(form: UserForm) -> UserData:
    return UserData(
        username=form.username.data,
        full_name=form.full_name.data,
        email=form.email.data,
        credentials=form.credentials.data or "",
        specialty=Specialty(form.specialty.data),
        roles=frozenset(Role(code) for code in form.roles.data or ()),
        active=form.active.data,
    )


def _edit_form(user: User, submitted: bool) -> UserForm:
    """The edit form: from the request when it was submitted, else filled from the user."""
    if submitted:
        return UserForm(obj=user)
    form = UserForm(formdata=None, obj=user)
    form.specialty.data = user.specialty.value
    form.roles.data = [role.value for role in user.roles]
    return form


@bp.route("/")
@allow(*MANAGERS)
def index() -> str:
    """Every user, filterable by role and by name."""
    role = request.args.get("role", "")
    query = request.args.get("q", "").strip()
    stmt = sa.select(User).order_by(User.active.desc(), User.full_name)
    if Role.from_code(role) is not None:
        stmt = stmt.where(User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == Role(role))))
    if query:
        like = f"%{query}%"
        stmt = stmt.where(User.full_name.ilike(like) | User.username.ilike(like))
    users = db.session.scalars(stmt).all()
    return render_template("users/index.html", users=users, roles=Role, role=role, q=query)


@bp.route("/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def new() -> object:
    """Create a user."""
    form = NewUserForm()
    if form.validate_on_submit():
        try:
            user = create_user(current_user, _data(form), form.password.data, request.remote_addr)
        except UserError as error:
            show_problems(form, error.fields)
        else:
            db.session.commit()
            flash(f"User {user.username} created.", "success")
            return redirect(url_for("users.index"))
    return render_template("users/form.html", form=form, title="New user")


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@allow(*MANAGERS)
def edit(user_id: int) -> object:
    """Change a user's details, roles, or whether they may sign in."""
    user = db.get_or_404(User, user_id)
    form = _edit_form(user, submitted=request.method == "POST")
    if form.validate_on_submit():
        try:
            update_user(current_user, user, _data(form), request.remote_addr)
        except NotAllowed:
            abort(403)
        except UserError as error:
            db.session.rollback()
            show_problems(form, error.fields)
        else:
            db.session.commit()
            flash(f"User {user.username} saved.", "success")
            return redirect(url_for("users.index"))
    return render_template(
        "users/form.html",
        form=form,
        title=f"Edit {user.full_name}",
        user=user,
        reset_form=ResetPasswordForm(),
        manageable=may_manage(current_user, user),
    )


@bp.route("/<int:user_id>/password", methods=["POST"])
@allow(*MANAGERS)
def password(user_id: int) -> object:
    """Set a new password for a user."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            reset_password(current_user, user, form.password.data, request.remote_addr)
        except NotAllowed:
            abort(403)
        except UserError as error:
            form.password.errors = error.messages
        else:
            db.session.commit()
            flash(f"New password set for {user.username}.", "success")
            return redirect(url_for("users.edit", user_id=user.id))
    return render_template(
        "users/form.html",
        form=_edit_form(user, submitted=False),
        title=f"Edit {user.full_name}",
        user=user,
        reset_form=form,
        manageable=True,
    ), 400


@bp.route("/<int:user_id>/sign-out", methods=["POST"])
@allow(Role.ADMIN)
def sign_out_everywhere(user_id: int) -> object:
    """End every session of a user (a lost device, a leaving colleague); they can sign in again."""
    user = db.get_or_404(User, user_id)
    if not SignOutForm().validate_on_submit():
        abort(400)
    user.sign_out_everywhere()
    record(current_user.id, "sign_out_everywhere", "user", user.id, remote_addr=request.remote_addr)
    db.session.commit()
    flash(f"{user.username} is signed out everywhere.", "success")
    return redirect(url_for("users.edit", user_id=user.id))
