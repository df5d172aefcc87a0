"""User management pages: list, create, edit, reset password, sign out everywhere, unlink the hospital account."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, abort, current_app, render_template, request, url_for

from tumorboard.auth.models import User
from tumorboard.extensions import db
from tumorboard.users import operations as ops
from tumorboard.users.forms import ButtonForm, NewUserForm, ResetPasswordForm, UserForm
from tumorboard.users.queries import list_users
from tumorboard.vocab import Role
from tumorboard.web.access import allow
from tumorboard.web.actions import Done, run_action, run_form
from tumorboard.web.actor import current_actor

bp = Blueprint("users", __name__, url_prefix="/users", cli_group=None)

MANAGERS = (Role.ADMIN, Role.COORDINATOR)


@bp.route("/")
@allow(*MANAGERS)
def index() -> str:
    """Every user, filterable by role and by name."""
    role, query = request.args.get("role", ""), request.args.get("q", "").strip()
    users = list_users(Role.from_code(role), query)
    return render_template("users/index.html", users=users, roles=Role, role=role, q=query)


@bp.route("/new", methods=["GET", "POST"])
@allow(*MANAGERS)
def new() -> object:
    """Create a user."""
    sso = current_app.config["SINGLE_SIGN_ON"]
    form = NewUserForm(provider=sso.name if sso else None)

    def create() -> Done:
        user = ops.create_user(current_actor(), form.as_data(), form.first_password)
        return Done(f"User {user.username} created.", url_for("users.index"))

    return run_form(form, create, lambda: render_template("users/form.html", form=form, title="New user"),
                    lambda: ops.user_problems(current_actor(), form.as_data(), None, form.first_password))


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@allow(*MANAGERS)
def edit(user_id: int) -> object:
    """Change a user's details, roles, or whether they may sign in."""
    user = db.get_or_404(User, user_id)
    form = UserForm.for_user(user, submitted=request.method == "POST")

    def save() -> Done:
        ops.update_user(current_actor(), user, form.as_data())
        return Done(f"User {user.username} saved.", url_for("users.index"))

    return run_form(form, save, lambda: _user_page(user, form, ResetPasswordForm()),
                    lambda: ops.user_problems(current_actor(), form.as_data(), user))


@bp.route("/<int:user_id>/password", methods=["POST"])
@allow(*MANAGERS)
def password(user_id: int) -> object:
    """Set a new password for a user."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()

    def reset() -> Done:
        ops.reset_password(current_actor(), user, form.password.data)
        return Done(f"New password set for {user.username}.", url_for("users.edit", user_id=user.id))

    return run_form(form, reset, lambda: (_user_page(user, UserForm.for_user(user, submitted=False), form), 400))


@bp.route("/<int:user_id>/sign-out", methods=["POST"])
@allow(Role.ADMIN)
def sign_out_everywhere(user_id: int) -> object:
    """End every session of a user (a lost device, a leaving colleague); they can sign in again."""
    return _user_button(user_id, lambda user: ops.sign_out_everywhere(current_actor(), user)
                        or f"{user.username} is signed out everywhere.")


@bp.route("/<int:user_id>/unlink-sso", methods=["POST"])
@allow(Role.ADMIN)
def unlink_sso(user_id: int) -> object:
    """Forget the hospital account linked to a user; their next hospital sign-in links by verified e-mail again."""
    return _user_button(user_id, lambda user: ops.unlink_hospital_account(current_actor(), user))


def _user_button(user_id: int, action: Callable[[User], str]) -> object:
    """A button on a user's page: the action runs on the user, and the page says what it did."""
    user = db.get_or_404(User, user_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    return run_action(url_for("users.edit", user_id=user.id), lambda: action(user))


def _user_page(user: User, form: UserForm, reset_form: ResetPasswordForm) -> str:
    return render_template(
        "users/form.html",
        form=form,
        title=f"Edit {user.full_name}",
        user=user,
        reset_form=reset_form,
        manageable=ops.may_manage(current_actor().user, user),
    )
