"""Recurrence expansion keeps wall-clock time across daylight-saving changes."""

from datetime import UTC, date, datetime, time

import pytest

from tumorboard.conferences.schedule import occurrences


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
