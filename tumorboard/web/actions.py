"""Running one change from a POST view: commit once, turn refusals into messages and NotAllowed into a 403."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, redirect
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from tumorboard.domain import NotAllowed
from tumorboard.extensions import db


def run_action(back: str, action: Callable[[], str | None], refusals: tuple[type[Exception], ...]) -> Response:
    """Run `action`, commit, flash its message and go `back`; a refusal rolls back and is shown, a wrong role is a 403.

    A row changed by someone else at the same moment (a versioned row, such as an agenda) is also a refusal.
    """
    try:
        message = action()
        db.session.commit()
        if message:
            flash(message, "success")
    except refusals as error:
        db.session.rollback()
        flash(str(error), "warning")
    except StaleDataError:
        db.session.rollback()
        flash(
            "Someone else changed this at the same moment. The page shows it as it is now; make your change again.",
            "warning",
        )
    except NotAllowed:
        db.session.rollback()
        abort(403)
    return redirect(back)
