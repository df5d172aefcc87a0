"""Sign in, sign out, and the profile page."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy.orm import joinedload

from tumorboard.auth import operations as ops
from tumorboard.auth import sso
from tumorboard.auth.forms import CalendarTokenForm, ChangePasswordForm, LoginForm
from tumorboard.auth.models import User
from tumorboard.auth.queries import boards_of
from tumorboard.config import SingleSignOn
from tumorboard.extensions import db, login_manager
from tumorboard.web.access import public, signed_in
from tumorboard.web.actions import Done, run_action, run_form
from tumorboard.web.actor import current_actor
from tumorboard.web.security import begin_session

bp = Blueprint("auth", __name__, cli_group=None)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """Flask-Login: the user of a session, unless the user has since been signed out everywhere."""
    user_id, _, version = session_id.partition(".")
    if not user_id.isdigit() or not version.isdigit() or int(user_id) >= 2**31:
        return None
    user = db.session.get(User, int(user_id), options=[joinedload(User.role_rows)])  # one statement, every request
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
        return _login_page(form)
    config = current_app.config
    outcome = ops.sign_in(current_actor(), form.username.data, form.password.data, config["LOGIN_FREE_ATTEMPTS"],
                          config["PASSWORD_HASH_METHOD"], config["SINGLE_SIGN_ON"])
    db.session.commit()
    if outcome.user is None:
        flash(outcome.refusal, "warning" if outcome.wait else "danger")
        return _login_page(form), outcome.status
    begin_session(outcome.user, "password")
    return redirect(_safe_next(request.args.get("next")))


@bp.route("/login/sso")
@public
def sso_start() -> object:
    """Off to the hospital's sign-in page (state, nonce and PKCE verifier kept in this session)."""
    settings = _single_sign_on()
    session["sso_next"] = _safe_next(request.args.get("next"))
    try:
        return sso.start(settings, url_for("auth.sso_callback", _external=True))
    except sso.CallbackProblem as problem:
        return _sso_refused(ops.refuse_provider_sign_in(current_actor(), problem.reason, problem.detail))


@bp.route("/login/sso/callback")
@public
def sso_callback() -> object:
    """The provider's answer: every check passed and a TumorBoard user matched, or a page saying why not."""
    settings = _single_sign_on()
    try:
        outcome = ops.sign_in_with_provider(current_actor(), sso.finish(settings), settings)
    except sso.CallbackProblem as problem:
        outcome = ops.refuse_provider_sign_in(current_actor(), problem.reason, problem.detail)
    if outcome.user is None:
        return _sso_refused(outcome)
    db.session.commit()
    begin_session(outcome.user, "sso")
    return redirect(session.pop("sso_next", None) or url_for("dashboard.index"))


@bp.route("/logout", methods=["POST"])
@public
def logout() -> object:
    """Sign out (POST only, so a link or an image cannot sign someone out); the session cannot be replayed. Someone
    who signed in at the hospital's provider goes on to sign out there too, when it offers that."""
    provider_logout = None
    if current_user.is_authenticated:
        if session.get("method") == "sso" and (settings := current_app.config["SINGLE_SIGN_ON"]):
            provider_logout = sso.logout_url(settings, url_for("auth.login", _external=True))
        ops.sign_out(current_actor())
        db.session.commit()
        logout_user()
    flash("You are signed out.", "info")
    return redirect(provider_logout or url_for("auth.login"))


def _single_sign_on() -> SingleSignOn:
    """The hospital sign-in settings (a 404 when it is not set up)."""
    if (settings := current_app.config["SINGLE_SIGN_ON"]) is None:
        abort(404)
    return settings


def _sso_refused(outcome: ops.SignIn) -> tuple[str, int]:
    """The page saying why the provider's answer signed nobody in (the refusal is audited)."""
    db.session.commit()
    return render_template("auth/sso_refused.html", refusal=outcome.refused), outcome.status


def _login_page(form: LoginForm) -> str:
    return render_template("auth/login.html", form=form, sso=current_app.config["SINGLE_SIGN_ON"],
                           next=request.args.get("next"))


@bp.route("/profile", methods=["GET", "POST"])
@signed_in
def profile() -> object:
    """The signed-in user's details, and changing their own password."""
    form = ChangePasswordForm()

    def change() -> Done:
        message = ops.change_password(current_actor(), form.current_password.data, form.password.data)
        login_user(current_user._get_current_object())  # this session continues under the new version
        return Done(message, url_for("auth.profile"))

    return run_form(form, change, lambda: _profile_page(form))


@bp.route("/profile/calendar", methods=["POST"])
@signed_in
def calendar_token() -> object:
    """Create (or replace) the secret of the personal calendar feed, or revoke it."""
    form = CalendarTokenForm()
    if not form.validate_on_submit():
        abort(400)
    return run_action(
        url_for("auth.profile"), lambda: ops.set_calendar_token(current_actor(), form.action.data == "revoke")
    )


def _profile_page(form: ChangePasswordForm) -> str:
    token = current_user.calendar_token
    feed = url_for("calendar.personal_feed", token=token, _external=True) if token else None
    return render_template("auth/profile.html", form=form, user=current_user, feed=feed, token_form=CalendarTokenForm(),
                           boards=boards_of(current_user))
