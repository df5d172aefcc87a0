"""Turning what a coordinator picks (weekly on Tuesday, every 2 weeks, 2nd Wednesday) into an RRULE and back. Pure."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from tumorboard.conferences.schedule import SEARCH_YEARS, parse_rrule
from tumorboard.vocab import Vocabulary

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", -1: "last"}
_PARTS = re.compile(r"^[A-Z]+=[A-Z0-9,+-]+$")


class RepeatPattern(Vocabulary):
    """How a series repeats."""

    WEEKLY = "weekly"
    EVERY_TWO_WEEKS = "every_two_weeks"
    MONTHLY = "monthly"
    CUSTOM = "custom"


@dataclass(frozen=True)
class Repeat:
    """A repeat pattern as the form shows it."""

    pattern: RepeatPattern
    weekday: int | None = None  # 0 = Monday
    nth: int | None = None  # 1-4, or -1 for the last
    custom: str = ""


def build_rrule(repeat: Repeat, starts_on: date) -> str:
    """The RRULE for a repeat pattern; ValueError with a message a coordinator understands."""
    if repeat.pattern is RepeatPattern.CUSTOM:
        rule = repeat.custom.strip().upper().removeprefix("RRULE:")
        if not rule or any(not _PARTS.match(part) for part in rule.split(";")):
            raise ValueError("Write the rule as RFC 5545 parts, e.g. FREQ=WEEKLY;INTERVAL=2;BYDAY=TU.")
        if "DTSTART" in rule:
            raise ValueError("The first meeting date gives the start; leave DTSTART out of the rule.")
    else:
        if repeat.weekday is None or not 0 <= repeat.weekday <= 6:
            raise ValueError("Choose the weekday the board meets on.")
        day = WEEKDAYS[repeat.weekday]
        if repeat.pattern is RepeatPattern.WEEKLY:
            rule = f"FREQ=WEEKLY;BYDAY={day}"
        elif repeat.pattern is RepeatPattern.EVERY_TWO_WEEKS:
            rule = f"FREQ=WEEKLY;INTERVAL=2;BYDAY={day}"
        else:
            if repeat.nth not in ORDINALS:
                raise ValueError("Choose which week of the month: 1st, 2nd, 3rd, 4th or last.")
            rule = f"FREQ=MONTHLY;BYDAY={repeat.nth}{day}"
    recurrence = parse_rrule(rule, datetime.combine(starts_on, datetime.min.time()))
    if recurrence.after(datetime.combine(starts_on, datetime.min.time()), inc=True) is None:
        raise ValueError(f"This rule has no meeting on or after the first meeting date (within {SEARCH_YEARS} years).")
    return rule


def read_rrule(rule: str) -> Repeat:
    """The form's view of a stored rule (a rule the simple patterns cannot say is shown as custom)."""
    if match := re.fullmatch(r"FREQ=WEEKLY;BYDAY=(MO|TU|WE|TH|FR|SA|SU)", rule):
        return Repeat(RepeatPattern.WEEKLY, WEEKDAYS.index(match.group(1)))
    if match := re.fullmatch(r"FREQ=WEEKLY;INTERVAL=2;BYDAY=(MO|TU|WE|TH|FR|SA|SU)", rule):
        return Repeat(RepeatPattern.EVERY_TWO_WEEKS, WEEKDAYS.index(match.group(1)))
    if match := re.fullmatch(r"FREQ=MONTHLY;BYDAY=(-1|[1-4])(MO|TU|WE|TH|FR|SA|SU)", rule):
        return Repeat(RepeatPattern.MONTHLY, WEEKDAYS.index(match.group(2)), int(match.group(1)))
    return Repeat(RepeatPattern.CUSTOM, custom=rule)


def describe_rrule(rule: str) -> str:
    """'Weekly on Tuesday', 'Every 2 weeks on Friday', 'Monthly on the 2nd Wednesday', or the rule itself."""
    repeat = read_rrule(rule)
    if repeat.pattern is RepeatPattern.WEEKLY:
        return f"Weekly on {WEEKDAY_NAMES[repeat.weekday]}"
    if repeat.pattern is RepeatPattern.EVERY_TWO_WEEKS:
        return f"Every 2 weeks on {WEEKDAY_NAMES[repeat.weekday]}"
    if repeat.pattern is RepeatPattern.MONTHLY:
        return f"Monthly on the {ORDINALS[repeat.nth]} {WEEKDAY_NAMES[repeat.weekday]}"
    return rule
