"""Program settings, for admins."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for

from tumorboard.program.forms import SettingsForm
from tumorboard.program.operations import save_settings
from tumorboard.program.settings import program_settings
from tumorboard.vocab import Role
from tumorboard.web.access import allow
from tumorboard.web.actions import Done, run_form
from tumorboard.web.actor import current_actor

bp = Blueprint("program", __name__, url_prefix="/settings")


@bp.route("/", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit() -> object:
    """Letterhead, MRN format and the annual targets (stored as fractions, shown as percentages)."""
    form = SettingsForm()
    if request.method == "GET":
        form.fill(program_settings())

    def save() -> Done:
        save_settings(current_actor(), {name: form[name].data for name in form.data if name != "csrf_token"})
        return Done("Program settings saved.", url_for("program.edit"))

    return run_form(form, save, lambda: render_template("program/settings.html", form=form))
