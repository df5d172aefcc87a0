"""Changing the program settings."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from tumorboard.audit.operations import record
from tumorboard.domain import Actor
from tumorboard.extensions import db
from tumorboard.program.models import PROGRAM_SETTINGS_ID, ProgramSettings

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


def save_settings(actor: Actor, values: Mapping[str, object]) -> None:
    """Store the settings (targets given as percentages, kept as fractions); the audit entry names what changed."""
    stored = db.session.get(ProgramSettings, PROGRAM_SETTINGS_ID) or ProgramSettings(id=PROGRAM_SETTINGS_ID)
    changed = [name for name in PLAIN if getattr(stored, name) != values[name]]
    for name in PLAIN:
        setattr(stored, name, values[name].strip() if isinstance(values[name], str) else values[name])
    for name in TARGETS:
        fraction = (Decimal(values[name]) / 100).quantize(Decimal("0.0001"))
        if getattr(stored, name) != fraction:
            changed.append(name)
        setattr(stored, name, fraction)
    db.session.add(stored)
    db.session.flush()
    record(actor, "update", "program_settings", PROGRAM_SETTINGS_ID, f"fields={','.join(changed) or 'none'}")
