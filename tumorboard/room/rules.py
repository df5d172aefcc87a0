"""Rules of the conference room: prospective presentations and quorum. Pure."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from tumorboard.vocab import PresentationReason, Specialty


def is_prospective(reason: PresentationReason, first_course_started_on: date | None, conference_day: date) -> bool:
    """Commission on Cancer: before first-course treatment started, while further first-course treatment is decided,
    or for recurrence/progression; retrospective when presented after treatment for review or education only."""
    if reason is PresentationReason.REVIEW:
        return False
    if reason in (PresentationReason.FURTHER_TREATMENT, PresentationReason.RECURRENCE):
        return True
    return first_course_started_on is None or first_course_started_on >= conference_day


@dataclass(frozen=True)
class Quorum:
    """Which required specialties are in the room."""

    required: tuple[Specialty, ...]
    present: frozenset[Specialty]

    @property
    def missing(self) -> list[Specialty]:
        """Required specialties nobody present represents, in the required order."""
        return [s for s in self.required if s not in self.present]

    @property
    def quorate(self) -> bool:
        """Every required specialty is present."""
        return not self.missing


def quorum(required: Iterable[Specialty], attending: Iterable[Specialty]) -> Quorum:
    """The quorum of a meeting from its required specialties and the specialties of those checked in."""
    return Quorum(tuple(required), frozenset(attending))


# A meeting's room is open (check-in, discussion, votes, closing) from a while before its start to some hours after
# its scheduled end, both series settings; outside it, attendance is a correction the chair or the coordinator makes,
# and nothing else can be done: a meeting is held only when it takes place.
OPENS_MINUTES_BEFORE = 30
CLOSES_HOURS_AFTER = 4


@dataclass(frozen=True)
class MeetingWindow:
    """When the room of one meeting is open."""

    opens: datetime
    closes: datetime

    def status(self, now: datetime) -> str:
        """'early' before it opens, 'open', or 'over' once it has closed."""
        return "early" if now < self.opens else "over" if now > self.closes else "open"


def meeting_window(
    starts_at: datetime, duration_minutes: int, opens_minutes_before: int = OPENS_MINUTES_BEFORE,
    closes_hours_after: int = CLOSES_HOURS_AFTER,
) -> MeetingWindow:
    """The window of a meeting starting at `starts_at`."""
    end = starts_at + timedelta(minutes=duration_minutes)
    return MeetingWindow(starts_at - timedelta(minutes=opens_minutes_before), end + timedelta(hours=closes_hours_after))
