"""Program-wide settings: letterhead and the cancer committee's annual targets."""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tumorboard.extensions import db

PROGRAM_SETTINGS_ID = 1


class ProgramSettings(db.Model):
    """The single row of program settings (targets are fractions, 0.15 = 15%)."""

    __tablename__ = "program_settings"
    __table_args__ = (
        sa.CheckConstraint(f"id = {PROGRAM_SETTINGS_ID}", name="single_row"),
        sa.CheckConstraint(
            "target_case_presentation_rate BETWEEN 0 AND 1 AND target_prospective_rate BETWEEN 0 AND 1 "
            "AND target_attendance_rate BETWEEN 0 AND 1 AND target_discussion_rate BETWEEN 0 AND 1 "
            "AND target_frequency_rate BETWEEN 0 AND 1",
            name="targets_are_fractions",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=PROGRAM_SETTINGS_ID)
    letterhead_name: Mapped[str] = mapped_column(sa.String(200), default="")
    letterhead_address: Mapped[str] = mapped_column(sa.Text, default="")
    letterhead_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    logo_path: Mapped[str] = mapped_column(sa.String(300), default="")
    mrn_pattern: Mapped[str] = mapped_column(sa.String(120), default=r"^[A-Z0-9]{6,12}$")
    target_case_presentation_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.15"))
    target_prospective_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.80"))
    target_attendance_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.90"))
    target_discussion_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.90"))
    target_frequency_rate: Mapped[Decimal] = mapped_column(sa.Numeric(5, 4), default=Decimal("0.90"))
    napbc_enabled: Mapped[bool] = mapped_column(default=False)
    naprc_enabled: Mapped[bool] = mapped_column(default=False)
    second_opinion_days: Mapped[int] = mapped_column(default=7)
    # When on, a physician reads only the cases of the series they belong to (and those they present or manage).
    restrict_cases_to_series: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
