"""The second-opinion promise: a plan within N days of the complete request. Pure."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo


@dataclass(frozen=True)
class PromiseClock:
    """Where a request stands against the promise."""

    started: bool
    due_at: datetime | None
    days_left: int | None  # negative when overdue
    breached: bool
    met: bool
    sent: bool = False  # the plan went out: the clock stopped


    @property
    def label(self) -> str:
        """Short text for lists."""
        if not self.started:
            return "waiting for records"
        if self.met:
            return "plan sent in time"
        if self.breached:
            late = f"{-self.days_left} day{'s' if self.days_left != -1 else ''}"
            return f"plan sent {late} late" if self.sent else f"{late} overdue"
        if self.days_left == 0:
            return "due today"
        return f"{self.days_left} day{'s' if self.days_left != 1 else ''} left"


def promise_clock(
    complete_at: datetime | None, plan_sent_at: datetime | None, now: datetime, days: int = 7
) -> PromiseClock:
    """The clock starts when the records are complete and stops when the plan letter goes out."""
    if complete_at is None:
        return PromiseClock(False, None, None, False, False)
    due = complete_at + timedelta(days=days)
    end = plan_sent_at or now
    # Days left round up (7 hours left is "1 day left"); days overdue count whole days late, at least one.
    days_left = (
        math.ceil((due - end) / timedelta(days=1))
        if end <= due
        else -max(1, math.floor((end - due) / timedelta(days=1)))
    )
    breached = end > due
    sent = plan_sent_at is not None
    return PromiseClock(True, due, days_left, breached, sent and not breached, sent)


def sent_moment(sent_on: date, zone: tzinfo) -> datetime:
    """Dispatches record the day a letter went out, not the hour: the clock stops at noon of that day, program time."""
    return datetime.combine(sent_on, time(12), zone)
