"""Expanding a series' RRULE into occurrence start times: pure functions.

Occurrences keep their wall-clock time in the series' zone across daylight-saving
changes (a 07:00 board stays at 07:00), and are returned in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr


def parse_rrule(rule: str, dtstart: datetime) -> object:
    """The dateutil rule for an RFC 5545 RRULE value; ValueError when it cannot work."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or "\n" in text:
        raise ValueError("a recurrence rule is a single RRULE line, e.g. FREQ=WEEKLY;BYDAY=TU")
    try:
        return rrulestr(f"RRULE:{text}", dtstart=dtstart)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not a valid recurrence rule: {error}") from None


def occurrences(
    rule: str, start_time: time, timezone: str, first_day: date, window_start: datetime, window_end: datetime
) -> list[datetime]:
    """UTC start times of the occurrences from `first_day` on that fall within [window_start, window_end]."""
    zone = ZoneInfo(timezone)
    recurrence = parse_rrule(rule, datetime.combine(first_day, start_time))
    local_start = window_start.astimezone(zone).replace(tzinfo=None)
    local_end = window_end.astimezone(zone).replace(tzinfo=None)
    return [
        moment.replace(tzinfo=zone).astimezone(UTC) for moment in recurrence.between(local_start, local_end, inc=True)
    ]
