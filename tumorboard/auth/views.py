"""Sign in, sign out, and the profile page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from tumorboard.audit.operations import record
from tumorboard.auth.forms import CalendarTokenForm, ChangePasswordForm, LoginForm
from tumorboard.auth.models import User
from tumorboard.auth.operations import new_calendar_token, sign_in, sign_out
from tumorboard.auth.policy import password_problems
from tumorboard.db import utcnow
from tumorboard.extensions import db, login_manager
from tumorboard.web.access import public, signed_in

bp = Blueprint("auth", __name__, cli_group=None)

FAILED_LOGIN = "Unknown username or wrong password."


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login: the user of a session, unless the user has since been signed out everywhere."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit() or int(user_id) >= 2**31:
        return None
    user = db.session.get(User, int(user_id))
    return user if user is not None and (user.session_version or 0) == int(version) else None


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site and is a plain path (no control characters, no other host)."""
    if target and target.isprintable():
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith(("//", "/\\")):
            return target
    return url_for("dashboard.index")


@bp.route("/login", methods=["GET", "POST"])
@public
def login() -> object:
    """Sign in; repeated failures for a username (and from one address for it) must wait longer each time."""
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("auth/login.html", form=form)
    config = current_app.config
    outcome = sign_in(
        form.username.data,
        form.password.data,
        request.remote_addr,
        utcnow(),
        config["LOGIN_FREE_ATTEMPTS"],
        config["PASSWORD_HASH_METHOD"],
    )
    db.session.commit()
    if outcome.wait:
        flash(f"Too many failed sign-in attempts. Wait {outcome.wait} seconds and try again.", "warning")
        return render_template("auth/login.html", form=form), 429
    if outcome.user is None:
        flash(FAILED_LOGIN, "danger")
        return render_template("auth/login.html", form=form), 401
    login_user(outcome.user)
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
@public
def logout() -> object:
    """Sign out (POST only, so a link or an image cannot sign someone out); the session cannot be replayed."""
    if current_user.is_authenticated:
        sign_out(current_user, request.remote_addr)
        db.session.commit()
        logout_user()
    flash("You are signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def profile() -> object:
    """The signed-in user's details, and changing their own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append("This is not your current password.")
        else:
            problems = password_problems(
                form.password.data, current_user.username, current_user.full_name, current_user.email
            )
            if problems:
                form.password.errors.extend(problems)
            else:
                revoked = current_user.calendar_token is not None
                current_user.set_password(form.password.data)  # ends the user's other sessions and the calendar link
                record(current_user.id, "password_changed", "user", current_user.id, remote_addr=request.remote_addr)
                db.session.commit()
                login_user(current_user._get_current_object())  # this one continues under the new version
                flash(
                    "Your password is changed and your other sessions are signed out."
                    + (" Your calendar link was revoked too: make a new one below." if revoked else ""),
                    "success",
                )
                return redirect(url_for("auth.profile"))
    feed = (
        url_for("calendar.personal_feed", token=current_user.calendar_token, _external=True)
        if current_user.calendar_token
        else None
    )
    return render_template("auth/profile.html", form=form, user=current_user, feed=feed, token_form=CalendarTokenForm())


@bp.route("/profile/calendar", methods=["POST"])
@signed_in
def calendar_token() -> object:
    """Create (or replace) the secret of the personal calendar feed, or revoke it."""
    form = CalendarTokenForm()
    if not form.validate_on_submit():
        abort(400)
    revoke = form.action.data == "revoke"
    current_user.calendar_token = None if revoke else new_calendar_token()
    record(
        current_user.id,
        "calendar_token_revoked" if revoke else "calendar_token_created",
        "user",
        current_user.id,
        remote_addr=request.remote_addr,
    )
    db.session.commit()
    flash(
        "Your calendar link is revoked: calendars using it stop updating."
        if revoke
        else "Your new calendar link is ready. Any earlier link no longer works.",
        "success",
    )
    return redirect(url_for("auth.profile"))
