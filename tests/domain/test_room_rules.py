"""Prospective presentations and quorum."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tumorboard.room.rules import closing_check, is_prospective, meeting_window, quorum, voters_needed
from tumorboard.vocab import COC_REQUIRED_SPECIALTIES, PresentationReason, Specialty

MEETING = date(2026, 11, 24)


@pytest.mark.parametrize(
    ("reason", "started", "prospective"),
    [
        (PresentationReason.PRE_TREATMENT, None, True),
        (PresentationReason.PRE_TREATMENT, date(2026, 12, 1), True),  # treatment planned after the meeting
        (PresentationReason.PRE_TREATMENT, MEETING, True),
        (PresentationReason.PRE_TREATMENT, date(2026, 11, 1), False),  # already started: not before treatment
        (PresentationReason.FURTHER_TREATMENT, date(2026, 10, 1), True),  # adjuvant decision after surgery
        (PresentationReason.RECURRENCE, date(2024, 1, 1), True),
        (PresentationReason.REVIEW, None, False),
        (PresentationReason.REVIEW, date(2026, 1, 1), False),
    ],
)
def test_prospective(reason, started, prospective):
    assert is_prospective(reason, started, MEETING) is prospective


def test_quorum_names_the_missing_specialties_in_order():
    q = quorum(COC_REQUIRED_SPECIALTIES, [Specialty.SURGERY, Specialty.PATHOLOGY, Specialty.GENETICS])
    assert not q.quorate
    assert q.missing == [Specialty.MEDICAL_ONCOLOGY, Specialty.RADIATION_ONCOLOGY, Specialty.DIAGNOSTIC_RADIOLOGY]


def test_quorate_with_everyone_and_a_series_extra():
    required = (*COC_REQUIRED_SPECIALTIES, Specialty.UROLOGY)
    assert not quorum(required, COC_REQUIRED_SPECIALTIES).quorate
    assert quorum(required, [*COC_REQUIRED_SPECIALTIES, Specialty.UROLOGY, Specialty.UROLOGY]).quorate


def test_the_room_opens_before_the_start_and_closes_hours_after_the_end():
    start = datetime(2026, 12, 8, 12, 0, tzinfo=UTC)
    window = meeting_window(start, 60)  # the defaults: 30 minutes before, 4 hours after the end
    assert (window.opens, window.closes) == (start - timedelta(minutes=30), start + timedelta(hours=5))
    assert [window.status(start + timedelta(minutes=m)) for m in (-31, -30, 0, 300, 301)] == [
        "early", "open", "open", "open", "over",
    ]
    assert meeting_window(start, 60, 0, 0).status(start + timedelta(minutes=61)) == "over"


@pytest.mark.parametrize(
    ("checked_in", "percent", "needed"),
    [
        (7, 50, 4),  # a majority of seven
        (4, 50, 3),  # half is not a majority
        (1, 50, 1),
        (0, 50, 1),  # nobody in the room: still one vote
        (7, 0, 1),  # any vote
        (10, 66, 7),
        (7, 100, 7),  # everyone
    ],
)
def test_voters_needed_is_more_than_the_share(checked_in, percent, needed):
    assert voters_needed(checked_in, percent) == needed


def test_closing_needs_quorum_and_enough_voters_and_says_what_is_missing():
    full = quorum(COC_REQUIRED_SPECIALTIES, COC_REQUIRED_SPECIALTIES)
    assert closing_check(full, 7, 4).met and not closing_check(full, 7, 3).met
    short = closing_check(full, 7, 2)
    assert short.problems() == [
        "2 of 7 checked-in physicians voted on this plan; closing needs more than 50% of them (4)."
    ]
    thin = closing_check(quorum(COC_REQUIRED_SPECIALTIES, [Specialty.SURGERY]), 7, 7)
    assert not thin.met and thin.problems()[0].startswith("The meeting is not quorate (missing: medical oncology")
    assert closing_check(full, 3, 2, percent=100).problems()[0].endswith("closing needs all of them (3).")
