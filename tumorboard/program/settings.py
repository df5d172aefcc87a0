"""The program's settings row and its clock (the zone its dates are counted in)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.program.models import PROGRAM_SETTINGS_ID, ProgramSettings


def program_settings() -> ProgramSettings:
    """The stored settings, or the defaults when none were saved yet (never an error)."""
    stored = db.session.get(ProgramSettings, PROGRAM_SETTINGS_ID)
    if stored is not None:
        return stored
    defaults = ProgramSettings()
    for column in ProgramSettings.__table__.columns:
        if getattr(defaults, column.key) is None and column.default is not None:
            setattr(defaults, column.key, column.default.arg)
    return defaults


def program_zone() -> ZoneInfo:
    """The program's time zone."""
    return ZoneInfo(current_app.config["TIMEZONE"])


def program_today() -> date:
    """Today's date where the program is."""
    return utcnow().astimezone(program_zone()).date()


def local_time(moment: datetime | None, pattern: str = "%d %b %Y %H:%M") -> str:
    """Template filter: a UTC moment shown in the program's zone."""
    return moment.astimezone(program_zone()).strftime(pattern) if moment else ""
