"""The report is served again only while its data is unchanged: the database's triggers say when it changes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from tumorboard.demo.seed import wipe
from tumorboard.extensions import db
from tumorboard.reports.freshness import REPORT_TABLES, data_token
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.reports.queries import identified_report, program_report
from tumorboard.room.models import Presentation
from tumorboard.vocab import ConferenceStatus, PresentationStatus, SiteGroup

YEAR = date.today().year - 1


def postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def held_presentation(make):
    start = datetime(YEAR, 5, 5, 12, tzinfo=UTC)
    conference = make.conference(
        series=make.series(), starts_at=start, occurrence_start=start, status=ConferenceStatus.HELD
    )
    return make.presentation(
        conference=conference, case=make.case(), status=PresentationStatus.CLOSED, prospective=True
    )


def test_every_table_the_report_reads_has_its_triggers():
    if postgresql():
        rows = db.session.execute(
            sa.text(
                "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname "
                "LIKE 'report_data_%'"
            )
        )
        expected = {
            (table, name) for table in REPORT_TABLES for name in ("report_data_changed", "report_data_truncated")
        }
    else:
        rows = db.session.execute(
            sa.text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'report_data_%'")
        )
        expected = {
            (table, f"report_data_{operation}_{table}")
            for table in REPORT_TABLES
            for operation in ("insert", "update", "delete")
        }
    assert set(map(tuple, rows)) == expected


def test_the_report_reads_no_table_without_triggers(make):
    held_presentation(make)
    statements: list[str] = []

    def keep(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", keep)
    try:
        program_report(YEAR)
        identified_report(YEAR)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", keep)
    read = {table for table in db.metadata.tables if any(re.search(rf"\b{table}\b", sql) for sql in statements)}
    assert {"presentations", "conferences", "cases", "patients"} <= read
    assert read - {"report_data_version"} <= set(REPORT_TABLES)


def test_every_kind_of_write_to_a_report_table_changes_the_token(make):
    presentation = held_presentation(make)
    tokens = [data_token()]

    def changed() -> bool:
        db.session.commit()
        tokens.append(data_token())
        return tokens[-1] != tokens[-2]

    assert tokens[0] is not None
    db.session.add(AnalyticCaseload(year=YEAR, site_group=SiteGroup.BREAST, analytic_cases=10))  # ORM insert
    assert changed()
    presentation.stage_discussed = not presentation.stage_discussed  # ORM update
    assert changed()
    db.session.execute(sa.update(AnalyticCaseload).values(analytic_cases=20))  # Core update
    assert changed()
    db.session.execute(sa.text("DELETE FROM analytic_caseload"))  # SQL by hand
    assert changed()
    make.user()  # a table the report does not read
    db.session.execute(sa.text("UPDATE users SET full_name = 'Someone Else'"))
    assert not changed()


def test_a_conflict_policy_of_the_firing_statement_does_not_skip_the_new_token(make):
    if postgresql():
        pytest.skip("SQLite's INSERT OR IGNORE: PostgreSQL has no such policy")
    make.series()
    before = data_token()
    db.session.execute(
        sa.text(
            f"INSERT OR IGNORE INTO analytic_caseload (year, site_group, analytic_cases, imported_at) "
            f"VALUES ({YEAR}, 'breast', 5, '2026-01-01 00:00:00')"
        )
    )
    db.session.commit()
    assert data_token() not in (before, None)


def test_a_report_is_served_again_until_its_data_changes(make):
    first = held_presentation(make)
    report = program_report(YEAR)
    assert program_report(YEAR) is report  # served again
    make.presentation(conference=first.conference, case=make.case(), status=PresentationStatus.CLOSED, position=1)
    changed = program_report(YEAR)
    assert changed is not report
    assert (report.cases_presented, changed.cases_presented) == (1, 2)
    assert program_report(YEAR) is changed


def test_a_change_rolled_back_is_never_served(make):
    first = held_presentation(make)
    other = make.case()
    assert program_report(YEAR).cases_presented == 1
    db.session.add(
        Presentation(conference_id=first.conference_id, case_id=other.id, position=1, status=PresentationStatus.CLOSED)
    )
    db.session.flush()
    assert program_report(YEAR).cases_presented == 2  # the writing transaction sees its own change
    db.session.rollback()
    assert program_report(YEAR).cases_presented == 1


def test_on_postgresql_truncate_forgets_the_token(make):
    if not postgresql():
        pytest.skip("TRUNCATE is PostgreSQL's")
    held_presentation(make)
    assert data_token() is not None
    db.session.execute(sa.text("TRUNCATE analytic_caseload"))
    db.session.commit()
    assert data_token() is None


def test_after_every_table_is_emptied_a_report_is_still_served_again(make):
    """`seed-demo --force` empties every table: the token changes, and the cache works again with the new data
    (SQLite's triggers only update the token row, so emptying must keep it)."""
    held_presentation(make)
    before = data_token()
    wipe()
    db.session.commit()
    assert data_token() != before
    held_presentation(make)
    report = program_report(YEAR)
    assert report.cases_presented == 1 and program_report(YEAR) is report
