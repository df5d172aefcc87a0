"""Program settings, for admins."""

from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.audit.operations import record
from tumorboard.extensions import db
from tumorboard.program.forms import SettingsForm
from tumorboard.program.models import PROGRAM_SETTINGS_ID, ProgramSettings
from tumorboard.program.settings import program_settings
from tumorboard.vocab import Role
from tumorboard.web.access import allow

bp = Blueprint("program", __name__, url_prefix="/settings")

TARGETS = (
    "target_case_presentation_rate",
    "target_prospective_rate",
    "target_attendance_rate",
    "target_discussion_rate",
    "target_frequency_rate",
)
PLAIN = (
    "letterhead_name",
    "letterhead_address",
    "letterhead_phone",
    "mrn_pattern",
    "napbc_enabled",
    "naprc_enabled",
    "second_opinion_days",
    "restrict_cases_to_series",
)


@bp.route("/", methods=["GET", "POST"])
@allow(Role.ADMIN)
def edit() -> object:
    """Letterhead, MRN format and the annual targets (stored as fractions, shown as percentages)."""
    current = program_settings()
    form = SettingsForm()
    if request.method == "GET":
        for name in PLAIN:
            form[name].data = getattr(current, name)
        for name in TARGETS:
            form[name].data = getattr(current, name) * 100
    elif form.validate_on_submit():
        stored = db.session.get(ProgramSettings, PROGRAM_SETTINGS_ID) or ProgramSettings(id=PROGRAM_SETTINGS_ID)
        changed = [name for name in PLAIN if getattr(stored, name) != form[name].data]
        for name in PLAIN:
            setattr(stored, name, form[name].data.strip() if isinstance(form[name].data, str) else form[name].data)
        for name in TARGETS:
            fraction = (form[name].data / 100).quantize(Decimal("0.0001"))
            if getattr(stored, name) != fraction:
                changed.append(name)
            setattr(stored, name, fraction)
        db.session.add(stored)
        db.session.flush()
        record(
            current_user.id,
            "update",
            "program_settings",
            PROGRAM_SETTINGS_ID,
            f"fields={','.join(changed) or 'none'}",
            request.remote_addr,
        )
        db.session.commit()
        flash("Program settings saved.", "success")
        return redirect(url_for("program.edit"))
    return render_template("program/settings.html", form=form)
