"""Repeat patterns to RRULE and back; agenda projection, capacity, deadlines."""

from datetime import UTC, date, datetime, timedelta

import pytest

from tumorboard.conferences.agenda import AgendaEntry, is_late, plan_agenda, submission_deadline
from tumorboard.conferences.recurrence import Repeat, RepeatPattern, build_rrule, describe_rrule, read_rrule

START = date(2026, 1, 6)


@pytest.mark.parametrize(
    ("repeat", "rule", "description"),
    [
        (Repeat(RepeatPattern.WEEKLY, 1), "FREQ=WEEKLY;BYDAY=TU", "Weekly on Tuesday"),
        (Repeat(RepeatPattern.EVERY_TWO_WEEKS, 4), "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "Every 2 weeks on Friday"),
        (Repeat(RepeatPattern.MONTHLY, 2, 2), "FREQ=MONTHLY;BYDAY=2WE", "Monthly on the 2nd Wednesday"),
        (Repeat(RepeatPattern.MONTHLY, 3, -1), "FREQ=MONTHLY;BYDAY=-1TH", "Monthly on the last Thursday"),
        (
            Repeat(RepeatPattern.CUSTOM, custom="rrule:freq=weekly;byday=mo,th"),
            "FREQ=WEEKLY;BYDAY=MO,TH",
            "FREQ=WEEKLY;BYDAY=MO,TH",
        ),
    ],
)
def test_patterns_round_trip(repeat, rule, description):
    assert build_rrule(repeat, START) == rule
    assert describe_rrule(rule) == description
    if repeat.pattern is not RepeatPattern.CUSTOM:
        assert read_rrule(rule) == repeat


@pytest.mark.parametrize(
    ("repeat", "message"),
    [
        (Repeat(RepeatPattern.WEEKLY, None), "weekday"),
        (Repeat(RepeatPattern.WEEKLY, 7), "weekday"),
        (Repeat(RepeatPattern.MONTHLY, 1, 5), "which week"),
        (Repeat(RepeatPattern.CUSTOM, custom=""), "RFC 5545"),
        (Repeat(RepeatPattern.CUSTOM, custom="FREQ=WEEKLY;BYDAY=XX"), "not a valid recurrence rule"),
        (Repeat(RepeatPattern.CUSTOM, custom="FREQ=WEEKLY;DTSTART=20260101"), "RFC 5545|DTSTART"),
        (Repeat(RepeatPattern.CUSTOM, custom="FREQ=WEEKLY;BYDAY=TU;UNTIL=20250101"), "no meeting"),
        (Repeat(RepeatPattern.CUSTOM, custom="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"), "no meeting|not a valid"),
    ],
)
def test_rules_that_cannot_work_are_refused(repeat, message):
    with pytest.raises(ValueError, match=message):
        build_rrule(repeat, START)


@pytest.mark.parametrize(
    ("meeting", "working_days", "deadline"),
    [
        (date(2026, 11, 24), 2, date(2026, 11, 20)),  # Tuesday -> the Friday before
        (date(2026, 11, 26), 2, date(2026, 11, 24)),  # Thursday -> Tuesday
        (date(2026, 11, 23), 1, date(2026, 11, 20)),  # Monday -> Friday
        (date(2026, 11, 24), 0, date(2026, 11, 24)),
    ],
)
def test_submission_deadline_counts_working_days(meeting, working_days, deadline):
    assert submission_deadline(meeting, working_days) == deadline


def test_late_submissions():
    assert not is_late(date(2026, 11, 20), date(2026, 11, 24), 2)
    assert is_late(date(2026, 11, 21), date(2026, 11, 24), 2)
    assert not is_late(None, date(2026, 11, 24), 2)


def test_plan_projects_times_and_flags_capacity_overrun_late_and_unready():
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    entries = [
        AgendaEntry(1, 10, True, False),
        AgendaEntry(2, 15, False, False),
        AgendaEntry(3, 20, True, True),
        AgendaEntry(4, 20, True, False),
    ]
    plan = plan_agenda(start, 60, 3, entries)
    assert [(s.number, s.starts_at.minute, s.over_capacity, s.past_end) for s in plan.slots] == [
        (1, 0, False, False),
        (2, 10, False, False),
        (3, 25, False, False),
        (4, 45, True, True),
    ]
    assert plan.projected_end == start + timedelta(minutes=65) and plan.overrun_minutes == 5
    assert (plan.over_capacity, plan.late, plan.unready, plan.total_minutes) == (1, 1, 1, 65)


def test_an_empty_agenda():
    start = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    plan = plan_agenda(start, 60, 8, [])
    assert plan.slots == [] and plan.projected_end == start and plan.overrun_minutes == 0
