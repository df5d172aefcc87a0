"""The migrations build exactly the schema the models describe, on SQLite and PostgreSQL."""

import warnings

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from tumorboard.cases.models import Case
from tumorboard.db import compared_by_autogenerate
from tumorboard.extensions import db
from tumorboard.vocab import SiteGroup


def _differences() -> list:
    with db.engine.connect() as connection, warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based index")  # SQLite
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression-based index")
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_object": compared_by_autogenerate}
        )
        return compare_metadata(context, db.metadata)


def test_autogenerate_finds_no_difference_after_upgrade():
    assert _differences() == []


def test_downgrade_to_empty_and_upgrade_again():
    db.session.remove()
    downgrade(revision="base")
    tables = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    upgrade()
    assert {t.name for t in db.metadata.sorted_tables} <= set(sa.inspect(db.engine).get_table_names())
    assert _differences() == []


def test_existing_series_are_anchored_on_their_creation_day():
    db.session.remove()
    downgrade(revision="b4557f1aa3f3")
    with db.engine.begin() as connection:
        connection.execute(
            sa.text(
                "INSERT INTO conference_series (name, rrule, start_time, duration_minutes, timezone, place, "
                "video_link, capacity, "
                "minutes_per_case, deadline_working_days, weeks_ahead, consensus_numerator, consensus_denominator, "
                "active, created_at) "
                "VALUES ('Old board', 'FREQ=WEEKLY;BYDAY=TU', '07:00:00', 60, 'UTC', '', '', 8, 5, 2, 8, 2, 3, "
                "true, '2025-03-04 16:30:00')"
            )
        )
    upgrade()
    with db.engine.connect() as connection:
        assert str(connection.execute(sa.text("SELECT starts_on FROM conference_series")).scalar_one()) == "2025-03-04"
        connection.execute(sa.text("DELETE FROM conference_series"))
        connection.commit()
    assert _differences() == []


def test_case_insensitive_logins_wait_for_users_who_differ_only_in_case(capfd):
    db.session.remove()
    downgrade(revision="f2a3b4c5d6e7")
    insert = sa.text(
        "INSERT INTO users (username, email, full_name, credentials, specialty, password_hash, active, created_at) "
        "VALUES (:name, :email, 'Someone', '', 'other', 'x', true, '2026-01-01 00:00:00')"
    )
    with db.engine.begin() as connection:
        connection.execute(insert, [{"name": "coordinator", "email": "a@example.org"},
                                    {"name": "Coordinator", "email": "b@example.org"}])
    with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits
        upgrade()
    assert "share a username but for its case (coordinator)" in capfd.readouterr().err
    with db.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one() == "f2a3b4c5d6e7"
    with db.engine.begin() as connection:
        connection.execute(sa.text("UPDATE users SET username = 'coordinator2' WHERE username = 'Coordinator'"))
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM users"))
    assert _differences() == []


def test_existing_entries_are_linked_to_their_patients_and_patients_get_their_name_key():
    db.session.remove()
    downgrade(revision="a3b4c5d6e7f8")
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO patients (id, mrn, last_name, first_name, birth_date, sex, created_at) VALUES "
            "(1, 'MR1', 'O''Connor-Nguyen', 'María', '1961-02-03', 'female', '2026-01-01 00:00:00')")
        connection.execute(Case.__table__.insert(), [  # the cases table is as it was then
            {"id": 5, "patient_id": 1, "site_group": SiteGroup.BREAST},
            {"id": 6, "patient_id": 1, "site_group": SiteGroup.THORACIC},
        ])
        run("INSERT INTO audit_log (id, at, action, entity_type, entity_id, detail) VALUES "
            "(1, '2026-01-02 00:00:00', 'view', 'case', 5, ''), "
            "(2, '2026-01-02 00:00:00', 'list', 'case', NULL, 'ids=5,6,999'), "
            "(3, '2026-01-02 00:00:00', 'assign', 'conference', 77, 'case=6'), "
            "(4, '2026-01-02 00:00:00', 'login', 'user', 1, '')")
    upgrade()
    with db.engine.begin() as connection:
        subjects = connection.execute(
            sa.text("SELECT audit_id, patient_id, case_id FROM audit_subjects ORDER BY audit_id, case_id")
        ).all()
        key = connection.execute(sa.text("SELECT name_key FROM patients")).scalar_one()
    assert [tuple(row) for row in subjects] == [(1, 1, 5), (2, 1, 5), (2, 1, 6), (3, 1, 6)]
    assert key == " o connor nguyen maria oconnornguyen "
    db.session.remove()
    downgrade(revision="base")  # the log refuses DELETE on PostgreSQL: start again from nothing
    upgrade()


def test_requests_keep_their_checklist_and_patient_and_still_move_the_report_token_when_the_mrn_becomes_optional():
    db.session.remove()
    downgrade(revision="b0c1d2e3f4a5")
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        run("INSERT INTO patients (id, mrn, last_name, first_name, birth_date, sex, created_at, name_key) VALUES "
            "(1, 'MR1', 'Ravenscroft', 'Helen', '1967-07-09', 'female', '2026-01-01 00:00:00', ' ravenscroft helen ')")
        run("INSERT INTO second_opinion_requests (id, patient_id, requester, contact_name, contact_phone,"
            " contact_email, referring_name, referring_practice, referring_address, diagnosis_as_stated,"
            " requested_specialty, visit_mode, insurance_status, status, received_at)"
            " VALUES (7, 1, 'patient', 'Self', '555-0100', '', '', '', '', 'Breast', 'surgery', 'virtual', 'pending',"
            " 'open', '2026-12-01 12:00:00')")
        run("INSERT INTO second_opinion_records (request_id, kind, state, note) VALUES (7, 'labs', 'received', ''),"
            " (7, 'images', 'needed', '')")
    upgrade()
    with db.engine.begin() as connection:
        run = lambda sql: connection.execute(sa.text(sql))  # noqa: E731
        assert run("SELECT count(*) FROM second_opinion_records WHERE request_id = 7").scalar_one() == 2
        row = run("SELECT patient_id, last_name, first_name, birth_date, sex, source, prior_authorization "
                  "FROM second_opinion_requests").one()
        assert (row[0], row[1], row[2], str(row[3]), row[4], row[5], row[6]) == (
            1, "Ravenscroft", "Helen", "1967-07-09", "female", "staff", "not_checked"
        )
        token = run("SELECT token FROM report_data_version").scalar_one()
        run("INSERT INTO second_opinion_requests (id, requester, contact_name, contact_phone, contact_email,"
            " referring_name, referring_practice, referring_address, diagnosis_as_stated, requested_specialty,"
            " visit_mode, insurance_status, status, received_at) VALUES (8, 'caregiver', 'Son', '555-0100', '', '',"
            " '', '', 'Lung', 'surgery', 'virtual', 'pending', 'open', '2026-12-02 12:00:00')")  # no patient yet
        assert run("SELECT token FROM report_data_version").scalar_one() != token or db.engine.dialect.name != "sqlite"
        with pytest.raises(sa.exc.IntegrityError), connection.begin_nested():
            run("UPDATE second_opinion_requests SET source = 'fax' WHERE id = 8")
        run("DELETE FROM second_opinion_records")
        run("DELETE FROM second_opinion_requests")
        run("DELETE FROM patients")
    assert _differences() == []
