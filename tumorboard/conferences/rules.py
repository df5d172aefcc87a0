"""What a conference series must be. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from itertools import islice
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tumorboard.cases.validation import Problems
from tumorboard.conferences.recurrence import Repeat, build_rrule
from tumorboard.conferences.schedule import MAX_OCCURRENCES, parse_rrule
from tumorboard.text import ONE_LINE, as_sentence, is_one_line
from tumorboard.vocab import ConferenceStatus, SiteGroup, Specialty

ATTENDANCE_TARGETS = {"none": (0, 1), "1/2": (1, 2), "2/3": (2, 3), "3/4": (3, 4)}
CONSENSUS_CHOICES = {"1/2": (1, 2), "3/5": (3, 5), "2/3": (2, 3), "3/4": (3, 4), "4/5": (4, 5), "1/1": (1, 1)}


@dataclass(frozen=True)
class SeriesInput:
    """A series as the coordinator describes it."""

    name: str
    site_groups: frozenset[SiteGroup]
    required_specialties: frozenset[Specialty]
    repeat: Repeat
    starts_on: date | None
    start_time: time | None
    end_time: time | None
    timezone: str
    place: str = ""
    video_link: str = ""
    capacity: int | None = 12
    minutes_per_case: int | None = 5
    deadline_working_days: int | None = 2
    weeks_ahead: int | None = 12
    consensus: str = "2/3"
    active: bool = True
    disagree_needs_comment: bool = True
    opens_minutes_before: int | None = 30
    closes_hours_after: int | None = 4
    closing_voter_percent: int | None = 50
    attendance_target: str = "2/3"
    confirm_schedule: bool = False  # the coordinator has seen the meetings a new schedule cancels


def validate_series(data: SeriesInput) -> tuple[str, Problems]:
    """The RRULE of a series and the problems with it, by field."""
    problems = Problems()
    rule = ""
    if not data.name.strip():
        problems.add("name", "Give the series a name.")
    if not data.site_groups:
        problems.add("site_groups", "Choose at least one site group.")
    if not data.required_specialties:
        problems.add("required_specialties", "Choose the specialties a quorum needs.")
    try:
        ZoneInfo(data.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problems.add("timezone", "Choose a time zone such as America/New_York.")
    if data.starts_on is None:
        problems.add("starts_on", "Give the date of the first meeting.")
    else:
        try:
            rule = build_rrule(data.repeat, data.starts_on)
        except ValueError as error:
            problems.add("pattern", as_sentence(error))
    if data.start_time is None:
        problems.add("start_time", "Give the start time.")
    if data.end_time is None:
        problems.add("end_time", "Give the end time.")
    elif data.start_time is not None and data.end_time <= data.start_time:
        problems.add("end_time", "The meeting must end after it starts (on the same day).")
    for name, low, high, what in (
        ("capacity", 0, 200, "Capacity"),
        ("minutes_per_case", 1, 120, "Minutes per case"),
        ("deadline_working_days", 0, 20, "The deadline"),
        ("weeks_ahead", 1, 104, "Weeks ahead"),
        ("opens_minutes_before", 0, 240, "Opening before the start (minutes)"),
        ("closes_hours_after", 0, 24, "Closing after the end (hours)"),
        ("closing_voter_percent", 0, 100, "The share of voters"),
    ):
        value = getattr(data, name)
        if value is None or not low <= value <= high:
            problems.add(name, f"{what} must be from {low} to {high}.")
    if data.video_link and not data.video_link.startswith(("https://", "http://")):
        problems.add("video_link", "Give the full link, starting with https://.")
    if data.consensus not in CONSENSUS_CHOICES:
        problems.add("consensus", "Choose a consensus threshold.")
    if data.attendance_target not in ATTENDANCE_TARGETS:
        problems.add("attendance_target", "Choose an attendance target.")
    if rule and data.starts_on and data.weeks_ahead and too_many_meetings(rule, data.starts_on, data.weeks_ahead):
        problems.add("pattern", f"This rule makes more than {MAX_OCCURRENCES} meetings in {data.weeks_ahead} weeks: "
                                "choose fewer weeks ahead or a rarer rhythm.")
    for name in ("name", "place", "video_link"):  # they go into calendar lines and page headings
        if not is_one_line(getattr(data, name)):
            problems.add(name, ONE_LINE)
    return rule, problems


def duration_minutes(start: time, end: time) -> int:
    """Minutes from start to end on one day."""
    return int((datetime.combine(date.min, end) - datetime.combine(date.min, start)).total_seconds() // 60)


def agenda_open(status: ConferenceStatus, starts_at: datetime, now: datetime) -> bool:
    """Whether the agenda can still be changed: a scheduled meeting that has not started."""
    return status is ConferenceStatus.SCHEDULED and starts_at > now


def may_carry_over(status: ConferenceStatus, starts_at: datetime, now: datetime) -> bool:
    """Whether cases not reached can be carried over: a meeting that has started and was not cancelled."""
    return status is not ConferenceStatus.CANCELLED and starts_at <= now


def too_many_meetings(rule: str, starts_on: date, weeks_ahead: int) -> bool:
    """Whether `rule` makes more than MAX_OCCURRENCES meetings in `weeks_ahead` weeks (more than one request makes)."""
    start = datetime.combine(starts_on, time(0))
    meetings = parse_rrule(rule, start, until=start + timedelta(weeks=weeks_ahead))
    return sum(1 for _ in islice(meetings, MAX_OCCURRENCES + 1)) > MAX_OCCURRENCES
