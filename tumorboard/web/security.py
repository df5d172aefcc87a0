"""What every response carries (security headers) and how long a session lives (idle and absolute limits)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Flask, Response, abort, current_app, flash, redirect, request, session, url_for
from flask_login import UserMixin, current_user, login_user, logout_user

from tumorboard.audit.operations import record
from tumorboard.config import SingleSignOn
from tumorboard.extensions import db
from tumorboard.web.access import View
from tumorboard.web.actor import current_actor

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",  # no inline script anywhere: room.js and Bootstrap are files
        "style-src 'self' 'unsafe-inline'",  # the charts' SVG carries style attributes; styles cannot run code
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'{provider}",  # the provider: signing out there follows the sign-out form's redirect
        "frame-ancestors 'none'",
    )
)
# Requests a page makes on its own (the live tally poll): they do not count as the user being active.
PASSIVE_ENDPOINTS = frozenset({"room.state"})


def init_app(app: Flask) -> None:
    """Install the NUL-byte check and the session limits (before access is checked) and the headers."""
    app.before_request(limit_body)
    app.before_request(refuse_nul_bytes)
    app.before_request(end_stale_session)
    app.after_request(secure_headers)


def secure_headers(response: Response) -> Response:
    """CSP, no sniffing, no framing, no Referer (URLs of case pages stay
    here), no caching of any page but static files.
    """
    policy = _content_security_policy(current_app.config.get("SINGLE_SIGN_ON"))
    response.headers.setdefault("Content-Security-Policy", policy)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    if hsts := current_app.config.get("HSTS_SECONDS"):  # production: HTTPS only, for this long, here and below
        response.headers.setdefault("Strict-Transport-Security", f"max-age={hsts}; includeSubDomains")
    if request.endpoint != "static":  # every page: asking who is signed in here would reload the user after a commit
        response.headers["Cache-Control"] = "no-store"
    return response


@functools.cache
def _content_security_policy(sso: SingleSignOn | None) -> str:
    """The policy, naming the identity provider's origin when hospital sign-in is on."""
    if sso is None:
        return CONTENT_SECURITY_POLICY.format(provider="")
    issuer = urlsplit(sso.issuer)
    return CONTENT_SECURITY_POLICY.format(provider=f" {issuer.scheme}://{issuer.netloc}")


def begin_session(user: UserMixin, method: str) -> None:
    """Sign `user` in on this session: its limits count from now, and it remembers how (password or sso), for signing
    out at the provider."""
    login_user(user)
    session["started"] = session["seen"] = time.time()
    session["method"] = method


def small_body(config_key: str) -> Callable[[View], View]:
    """Mark a view whose requests may be at most `config_key` bytes (a public form's): a longer one is a 413 before any
    of it is read."""
    def mark(view: View) -> View:
        view.max_body = config_key  # type: ignore[attr-defined]
        return view

    return mark


def limit_body() -> None:
    """Apply the view's own body limit (`small_body`), before anything reads the form."""
    view = current_app.view_functions.get(request.endpoint or "")
    if (key := getattr(view, "max_body", None)) is not None:
        request.max_content_length = current_app.config[key]


def refuse_nul_bytes() -> None:
    """A NUL byte in the path, the query or a form is a 400 with a message: no field holds one, and PostgreSQL
    refuses one in any query, which would be a 500."""
    fields = [request.args] + ([request.form] if request.method in ("POST", "PUT", "PATCH") else [])
    texts = [request.path, *(f.filename or "" for f in request.files.values())]
    texts += [text for multi in fields for key, values in multi.lists() for text in (key, *values)]
    if any("\x00" in text for text in texts):
        abort(
            400, description="The request holds a NUL character (\\0), which no field accepts. Remove it and try again."
        )


def end_stale_session() -> object | None:
    """Sign out a session idle for SESSION_IDLE_MINUTES or older than PERMANENT_SESSION_LIFETIME; otherwise note the
    activity.
    """
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = time.time()
    idle_limit = current_app.config["SESSION_IDLE_MINUTES"] * 60
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"].total_seconds()
    seen, started = session.get("seen", now), session.setdefault("started", now)
    if now - seen > idle_limit or now - started > lifetime:
        why = "idle" if now - seen > idle_limit else "expired"
        record(current_actor(), "logout", "user", current_user.id, f"session {why}")
        db.session.commit()
        logout_user()
        session.clear()
        if request.endpoint in PASSIVE_ENDPOINTS:
            abort(401)
        flash(
            f"You were signed out after {current_app.config['SESSION_IDLE_MINUTES']} minutes without activity. Sign "
            f"in again."
            if why == "idle"
            else "Your session has ended. Sign in again.",
            "info",
        )
        back = request.full_path.rstrip("?") if request.method == "GET" else None
        return redirect(url_for("auth.login", next=back))
    if request.endpoint not in PASSIVE_ENDPOINTS:
        session["seen"] = now
    return None
