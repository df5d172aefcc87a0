"""Expanding a series' RRULE into occurrence start times: pure functions.

Occurrences keep their wall-clock time in the series' zone across daylight-saving
changes (a 07:00 board stays at 07:00), and are returned in UTC.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from itertools import islice
from zoneinfo import ZoneInfo

from dateutil.rrule import rrule, rruleset, rrulestr

# A series meets at most once a day, at its start time; one expansion (a request, a generation run) makes at most
# MAX_OCCURRENCES meetings, and a rule is searched at most SEARCH_YEARS ahead for its next meeting.
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
TIME_PARTS = ("BYHOUR", "BYMINUTE", "BYSECOND")
PARTS = ("FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST")
MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # in a leap year: every day that ever exists
MAX_OCCURRENCES = 400
SEARCH_YEARS = 5


def parse_rrule(rule: str, dtstart: datetime, until: datetime | None = None) -> rrule | rruleset:
    """The dateutil rule for an RFC 5545 RRULE value, never past `until` (default: SEARCH_YEARS after `dtstart`), so
    iterating it is bounded even when it has no meeting at all; ValueError when it cannot work."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    if not text or "\n" in text:
        raise ValueError("a recurrence rule is a single RRULE line, e.g. FREQ=WEEKLY;BYDAY=TU")
    parts = dict(part.split("=", 1) if "=" in part else (part, "") for part in text.upper().split(";"))
    frequency = parts.get("FREQ", "").strip()
    if frequency not in FREQUENCIES:
        raise ValueError("a board meets at most once a day: use FREQ=DAILY, WEEKLY, MONTHLY or YEARLY")
    if set(parts) & set(TIME_PARTS):
        raise ValueError("the start time gives the hour: leave BYHOUR, BYMINUTE and BYSECOND out of the rule")
    if unknown := sorted(set(parts) - set(PARTS)):
        raise ValueError(f"{', '.join(unknown)} cannot be used in a board's rule (use {', '.join(PARTS)})")
    _require_possible(parts, frequency)
    try:
        recurrence = rrulestr(f"RRULE:{text}", dtstart=dtstart)
    except (ValueError, TypeError) as error:
        raise ValueError(f"not a valid recurrence rule: {error}") from None
    bound = until or dtstart.replace(year=dtstart.year + SEARCH_YEARS)
    # dateutil keeps the rule's own COUNT and UNTIL as _count and _until: iterate up to the bound, whatever they say.
    count, own_until = recurrence._count, recurrence._until  # noqa: SLF001
    bounded = recurrence.replace(count=None, until=min(own_until, bound) if own_until else bound)
    if count is None:
        return bounded
    first = rruleset()  # a COUNT rule: its first COUNT meetings, those up to the bound
    for moment in islice(bounded, min(count, MAX_OCCURRENCES)):
        first.rdate(moment)
    return first


def _require_possible(parts: dict[str, str], frequency: str) -> None:
    """Refuse the day filters no date can pass (dateutil would search every day up to the year 9999 for one)."""
    try:
        months = [int(m) for m in parts["BYMONTH"].split(",")] if "BYMONTH" in parts else list(range(1, 13))
        days = [int(d) for d in parts["BYMONTHDAY"].split(",")] if "BYMONTHDAY" in parts else [1]
    except ValueError:
        raise ValueError("BYMONTH and BYMONTHDAY take numbers, e.g. BYMONTH=3;BYMONTHDAY=15") from None
    if not any(1 <= m <= 12 and 1 <= abs(d) <= MONTH_DAYS[m - 1] for m in months for d in days):
        raise ValueError("no meeting can fall on that day, no month has it: check BYMONTH and BYMONTHDAY")
    if "BYSETPOS" in parts:
        if frequency not in ("MONTHLY", "YEARLY") or "BYDAY" not in parts:
            raise ValueError("BYSETPOS picks among the days of a month or a year: use it with MONTHLY or YEARLY, BYDAY")
        most = (5 if frequency == "MONTHLY" else 53) * len(parts["BYDAY"].split(","))  # the days a period can hold
        try:
            positions = [int(n) for n in parts["BYSETPOS"].split(",")]
        except ValueError:
            raise ValueError("BYSETPOS takes numbers, e.g. BYSETPOS=-1 for the last") from None
        if not all(1 <= abs(n) <= most for n in positions):
            raise ValueError(f"BYSETPOS can pick from 1 to {most} (or -1 to -{most}) here")


def occurrences(
    rule: str, start_time: time, timezone: str, first_day: date, window_start: datetime, window_end: datetime
) -> list[datetime]:
    """UTC start times of the occurrences from `first_day` on that fall within [window_start, window_end] (at most
    MAX_OCCURRENCES of them)."""
    zone = ZoneInfo(timezone)
    local_start = window_start.astimezone(zone).replace(tzinfo=None)
    local_end = window_end.astimezone(zone).replace(tzinfo=None)
    recurrence = parse_rrule(rule, datetime.combine(first_day, start_time), until=local_end)
    within = (moment for moment in recurrence if moment >= local_start)
    return [moment.replace(tzinfo=zone).astimezone(UTC) for moment in islice(within, MAX_OCCURRENCES)]
