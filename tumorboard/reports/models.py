"""The registry's annual analytic caseload, the denominator of the case presentation rate."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from tumorboard.db import UtcDateTime, enum_column, utcnow
from tumorboard.extensions import db
from tumorboard.vocab import SiteGroup


class AnalyticCaseload(db.Model):
    """Analytic cases the cancer registry accessioned for one year and site group."""

    __tablename__ = "analytic_caseload"
    __table_args__ = (
        sa.CheckConstraint("analytic_cases >= 0", name="cases_not_negative"),
        sa.CheckConstraint("year BETWEEN 1990 AND 2200", name="year_range"),
    )

    year: Mapped[int] = mapped_column(primary_key=True)
    site_group: Mapped[SiteGroup] = mapped_column(enum_column(SiteGroup, "site_group"), primary_key=True)
    analytic_cases: Mapped[int]
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    imported_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class ReportDataVersion(db.Model):
    """One row whose token changes, through database triggers, with every change to a table the report reads.

    See `reports.freshness`: a report computed under a token stays exact while the token is the same.
    """

    __tablename__ = "report_data_version"
    __table_args__ = (sa.CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    token: Mapped[str] = mapped_column(sa.String(36))
