"""Error pages: 400, 403, 404, 405, 409, 500; a 500 is logged without patient data, and its page needs no database."""

from __future__ import annotations

import contextlib
import traceback
import uuid

from flask import Flask, current_app, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from tumorboard.domain import NotAllowed
from tumorboard.extensions import db

TITLES = {
    400: "The request could not be understood",
    403: "You do not have access to this page",
    404: "Page not found",
    405: "That action is not allowed here",
    409: "Someone saved the same record at the same moment",
    413: "The upload is too large",
    500: "Something went wrong on our side",
}


def _render(code: int, message: str = "", reference: str = "") -> tuple[str, int]:
    title = TITLES.get(code, "Error")
    return render_template("errors/error.html", code=code, title=title, message=message, reference=reference), code


def handle_http_error(error: HTTPException) -> tuple[str, int]:
    """Render a known HTTP error with our layout."""
    code = error.code or 500
    if code >= 500:
        return handle_unexpected(error)
    return _render(code, error.description if error.description != type(error).description else "")


def handle_csrf_error(error: CSRFError) -> tuple[str, int]:
    """An expired or missing form token: ask the user to reload, keep nothing half done."""
    return _render(400, "The form expired or was sent from elsewhere. Go back, reload the page and try again.")


def handle_not_allowed(error: NotAllowed) -> tuple[str, int]:
    """An operation refused because of who asks: nothing of it is kept, and the answer is the 403 page."""
    db.session.rollback()
    return _render(403, str(error))


def handle_conflict(error: IntegrityError) -> tuple[str, int]:
    """Two people saving the same new record at once (the same patient, say) meet in a unique constraint: say so."""
    db.session.rollback()
    current_app.logger.warning(
        "integrity conflict on %s %s", request.method, request.url_rule or "-"
    )  # no values: they may be PHI
    return _render(
        409,
        "Nothing of your change was saved. Go back: your input is still in the form; check the record and try again.",
    )


def handle_unexpected(error: Exception) -> tuple[str, int]:
    """Roll back, log the failure without its message (which may quote patient data), show a reference.

    The page stands alone: the database may be what failed, and asking it for the signed-in user would fail again
    (and log the second failure whole).
    """
    with contextlib.suppress(Exception):  # the connection may be what is gone; the session is removed at teardown
        db.session.rollback()
    reference = uuid.uuid4().hex[:10]
    original = getattr(error, "original_exception", None) or error
    # Where it failed, not what the values were: file, line and function only.
    frames = "\n".join(f"  {f.filename}:{f.lineno} in {f.name}" for f in traceback.extract_tb(original.__traceback__))
    current_app.logger.error(
        "unhandled %s on %s %s (reference %s)\n%s",
        type(original).__name__,
        request.method,
        request.url_rule or "-",
        reference,
        frames,
    )
    # Straight from the Jinja environment: render_template's context processors would load the signed-in user.
    page = current_app.jinja_env.get_template("errors/500.html").render(
        code=500, title=TITLES[500], reference=reference
    )
    return page, 500


def init_app(app: Flask) -> None:
    """Register the error handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(IntegrityError, handle_conflict)
    app.register_error_handler(NotAllowed, handle_not_allowed)
    app.register_error_handler(Exception, handle_unexpected)
