"""Rules the database itself enforces, whatever the application code does."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tumorboard.cases.models import Patient
from tumorboard.extensions import db
from tumorboard.room.models import Attendance, Vote
from tumorboard.vocab import Sex, Specialty, VoteChoice


def _fails(statement_or_obj) -> None:
    with pytest.raises(IntegrityError):
        if isinstance(statement_or_obj, sa.TextClause):
            db.session.execute(statement_or_obj)
        else:
            db.session.add(statement_or_obj)
        db.session.flush()
    db.session.rollback()


def test_mrn_is_unique(make):
    make.patient(mrn="A1234567")
    _fails(
        Patient(
            mrn="A1234567", last_name="Roe", first_name="Ann", birth_date=datetime(1970, 1, 1).date(), sex=Sex.FEMALE
        )
    )


def test_one_vote_per_physician_per_presentation(make):
    presentation, voter = make.presentation(), make.user()
    db.session.add(Vote(presentation_id=presentation.id, voter_id=voter.id, choice=VoteChoice.AGREE))
    db.session.commit()
    _fails(Vote(presentation_id=presentation.id, voter_id=voter.id, choice=VoteChoice.DISAGREE))


def test_one_attendance_row_per_person_per_conference(make):
    conference, user = make.conference(), make.user()
    db.session.add(
        Attendance(
            conference_id=conference.id, user_id=user.id, attendee_name=user.full_name, specialty=Specialty.SURGERY
        )
    )
    db.session.commit()
    _fails(
        Attendance(
            conference_id=conference.id, user_id=user.id, attendee_name="Someone else", specialty=Specialty.SURGERY
        )
    )


def test_a_case_is_on_one_conference_agenda_once(make):
    presentation = make.presentation()
    _fails(
        sa.text(
            f"INSERT INTO presentations (conference_id, case_id, position, minutes_allotted, status, track, "
            f"standard_of_care, "
            f"late_submission, reason, prospective_override_reason, stage_discussed, guideline_discussed, "
            f"guideline_name, "
            f"guideline_version, trials_discussed, trials_named, genetics_considered, palliative_considered, "
            f"psychosocial_considered, created_at) VALUES ({presentation.conference_id}, {presentation.case_id}, 1, 5, "
            f"'planned', 'discussed', '', false, 'pre_treatment', '', false, false, '', '', false, '', false, "
            f"false, false, "
            f"'2026-01-01 00:00:00')"
        )
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE users SET specialty = 'astrology'",
        "UPDATE cases SET ecog = 7",
        "UPDATE cases SET status = 'lost'",
        "UPDATE cases SET class_of_case = '55'",
        "UPDATE conference_series SET capacity = -1",
        "UPDATE conference_series SET consensus_numerator = 4, consensus_denominator = 3",
    ],
)
def test_closed_vocabularies_and_ranges_are_checked(make, statement):
    make.user()
    make.case()
    make.series()
    _fails(sa.text(statement))


def test_foreign_keys_are_enforced(make):
    _fails(sa.text("INSERT INTO user_roles (user_id, role) VALUES (999999, 'physician')"))


def test_timestamps_come_back_aware_in_utc(make):
    user = make.user()
    user.last_login_at = datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    db.session.commit()
    db.session.expire_all()
    assert user.last_login_at == datetime(2026, 7, 1, 9, 30, tzinfo=UTC)
    assert user.last_login_at.tzinfo is not None


def test_naive_timestamps_are_refused(make):
    user = make.user()
    user.last_login_at = datetime(2026, 7, 1, 9, 30)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.flush()
    db.session.rollback()
