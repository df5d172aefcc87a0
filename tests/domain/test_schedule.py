"""Recurrence expansion keeps wall-clock time across daylight-saving changes."""

from datetime import UTC, date, datetime, time

import pytest

from tumorboard.conferences.rules import too_many_meetings
from tumorboard.conferences.schedule import MAX_OCCURRENCES, occurrences, parse_rrule


def _utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "tz", "first_day", "window", "expected"),
    [
        # New York springs forward on 8 March 2026: 07:00 EST = 12:00 UTC, 07:00 EDT = 11:00 UTC.
        (
            "FREQ=WEEKLY;BYDAY=TU",
            "America/New_York",
            date(2026, 1, 6),
            (_utc(2026, 3, 1), _utc(2026, 3, 15)),
            [_utc(2026, 3, 3, 12), _utc(2026, 3, 10, 11)],
        ),
        # ... and falls back on 1 November 2026.
        (
            "FREQ=WEEKLY;BYDAY=TU",
            "America/New_York",
            date(2026, 1, 6),
            (_utc(2026, 10, 25), _utc(2026, 11, 8)),
            [_utc(2026, 10, 27, 11), _utc(2026, 11, 3, 12)],
        ),
        # Europe changes on other dates (29 March 2026).
        (
            "FREQ=WEEKLY;BYDAY=MO",
            "Europe/Berlin",
            date(2026, 1, 5),
            (_utc(2026, 3, 22), _utc(2026, 4, 1)),
            [_utc(2026, 3, 23, 6), _utc(2026, 3, 30, 5)],
        ),
        # Every two weeks, counted from the first day.
        (
            "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR",
            "UTC",
            date(2026, 1, 2),
            (_utc(2026, 1, 1), _utc(2026, 2, 1)),
            [_utc(2026, 1, 2, 7), _utc(2026, 1, 16, 7), _utc(2026, 1, 30, 7)],
        ),
        # Monthly on the second Wednesday.
        (
            "FREQ=MONTHLY;BYDAY=2WE",
            "UTC",
            date(2026, 1, 1),
            (_utc(2026, 1, 1), _utc(2026, 3, 31)),
            [_utc(2026, 1, 14, 7), _utc(2026, 2, 11, 7), _utc(2026, 3, 11, 7)],
        ),
    ],
)
def test_occurrences(rule, tz, first_day, window, expected):
    assert occurrences(rule, time(7, 0), tz, first_day, *window) == expected


@pytest.mark.parametrize("rule", ["", "FREQ=SOMETIMES", "FREQ=WEEKLY;BYDAY=XX", "FREQ=WEEKLY\nFREQ=DAILY"])
def test_rules_that_cannot_work_are_refused(rule):
    with pytest.raises(ValueError):
        occurrences(rule, time(7, 0), "UTC", date(2026, 1, 1), _utc(2026, 1, 1), _utc(2026, 2, 1))


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=SECONDLY", "at most once a day"),  # hung a worker for minutes before
        ("FREQ=MINUTELY", "at most once a day"),  # 80,641 meetings in 8 weeks before
        ("FREQ=HOURLY;INTERVAL=24", "at most once a day"),
        ("FREQ=DAILY;BYHOUR=7,8,9", "leave BYHOUR"),
        ("FREQ=WEEKLY;BYWEEKNO=60", "BYWEEKNO cannot be used"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "no month has it"),  # dateutil searched every day to the year 9999
        ("FREQ=DAILY;COUNT=5;BYMONTH=4;BYMONTHDAY=31", "no month has it"),
        ("FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6", "BYSETPOS can pick from 1 to 5"),
        ("FREQ=DAILY;BYSETPOS=2", "use it with MONTHLY or YEARLY"),
    ],
)
def test_rules_that_would_make_unbounded_work_are_refused_at_once(rule, words):
    with pytest.raises(ValueError, match=words):
        parse_rrule(rule, datetime(2026, 1, 1))


def test_one_expansion_makes_at_most_the_cap_and_a_count_rule_keeps_its_count():
    daily = occurrences("FREQ=DAILY", time(7, 0), "UTC", date(2026, 1, 1), _utc(2026, 1, 1), _utc(2029, 1, 1))
    assert len(daily) == MAX_OCCURRENCES
    window = (_utc(2026, 1, 1), _utc(2027, 1, 1))
    counted = occurrences("FREQ=WEEKLY;BYDAY=TU;COUNT=3", time(7, 0), "UTC", date(2026, 1, 1), *window)
    assert counted == [_utc(2026, 1, 6, 7), _utc(2026, 1, 13, 7), _utc(2026, 1, 20, 7)]


def test_a_rule_making_more_meetings_ahead_than_one_request_makes_is_too_many():
    assert too_many_meetings("FREQ=DAILY", date(2026, 1, 1), 104)
    assert not too_many_meetings("FREQ=WEEKLY;BYDAY=TU", date(2026, 1, 1), 104)
