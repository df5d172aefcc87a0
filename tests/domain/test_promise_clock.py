"""The 7-day second-opinion promise."""

from datetime import UTC, datetime, timedelta

import pytest

from tumorboard.second_opinions.clock import promise_clock

COMPLETE = datetime(2026, 11, 2, 15, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("elapsed", "sent_after", "days_left", "breached", "met", "label"),
    [
        (timedelta(hours=1), None, 7, False, False, "7 days left"),
        (timedelta(days=6, hours=1), None, 1, False, False, "1 day left"),
        (timedelta(days=7), None, 0, False, False, "due today"),
        (timedelta(days=7, hours=1), None, -1, True, False, "1 day overdue"),
        (timedelta(days=10), None, -3, True, False, "3 days overdue"),
        (timedelta(days=9, minutes=5), None, -2, True, False, "2 days overdue"),
        (timedelta(days=30), timedelta(days=5), 2, False, True, "plan sent in time"),
        (timedelta(days=30), timedelta(days=9), -2, True, False, "plan sent 2 days late"),
    ],
)
def test_clock(elapsed, sent_after, days_left, breached, met, label):
    clock = promise_clock(COMPLETE, COMPLETE + sent_after if sent_after else None, COMPLETE + elapsed)
    assert (clock.days_left, clock.breached, clock.met, clock.label) == (days_left, breached, met, label)
    assert clock.due_at == COMPLETE + timedelta(days=7)


def test_the_clock_waits_for_complete_records():
    clock = promise_clock(None, None, COMPLETE)
    assert not clock.started and not clock.breached and clock.label == "waiting for records"


def test_the_promise_length_is_the_programs():
    assert promise_clock(COMPLETE, None, COMPLETE + timedelta(days=9), days=10).days_left == 1
