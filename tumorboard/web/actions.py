"""Running one change from a POST view: commit once, or roll back and say why (NotAllowed is a 403: web/errors.py).

`run_action` serves buttons (a message, then back to the page); `run_form` serves forms (the same page again with
each field's errors and the user's input kept, or on to the next page).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import NamedTuple

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.wrappers import Response

from tumorboard.domain import Notice, Refused
from tumorboard.extensions import db
from tumorboard.forms import show_problems

STALE = "Someone else changed this at the same moment. The page shows it as it is now; make your change again."


class Done(NamedTuple):
    """What a form's action answers: the message to show, and where to go next."""

    message: str | None
    then: str


def run_action(back: str, action: Callable[[], str | None], said: str | None = None) -> Response:
    """Run `action`, commit, flash its message (or `said`) and go `back`; a refusal (or a row someone else changed at
    the same moment) rolls back and is shown."""
    try:
        _commit(action() or said)
    except (Refused, StaleDataError) as error:
        _refused(error)
    return redirect(back)


def run_form(
    form: FlaskForm,
    action: Callable[[], Done],
    page: Callable[[], ResponseReturnValue],
    rules: Callable[[], Mapping[str, list[str]]] | None = None,
) -> ResponseReturnValue:
    """Validate `form` and run `action`: on to its next page, or `page()` again with the problems next to the fields.
    `rules`: the domain's problems with what could be read of a form that did not validate, shown with the form's
    own (next to fields without one), so that one submit says everything."""
    if not form.validate_on_submit():
        if rules is not None and form.is_submitted():
            try:
                found = rules()
            except (AttributeError, TypeError, ValueError, OverflowError):  # an unread field trips a rule: it is said
                found = {}
            general = show_problems(form, {name: messages for name, messages in found.items()
                                           if name not in form or not form[name].errors})
            if general:
                flash(" ".join(general), "warning")
        return page()
    try:
        done = action()
        _commit(done.message)
    except (Refused, StaleDataError) as error:
        _refused(error, form)
        return page()
    return redirect(done.then)


def _commit(message: str | None) -> None:
    db.session.commit()
    if message:
        flash(message, "warning" if isinstance(message, Notice) else "success")


def _refused(error: Refused | StaleDataError, form: FlaskForm | None = None) -> None:
    db.session.rollback()
    if not isinstance(error, Refused):  # a versioned row someone else changed at the same moment
        flash(STALE, "warning")
        return
    general = show_problems(form, error.fields) if error.fields else [str(error)] if str(error) else []
    if general:
        flash(" ".join(general), "warning")
