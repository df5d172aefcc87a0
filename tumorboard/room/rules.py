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


# Check-in is open from an hour before the start to an hour after the scheduled end; outside it, attendance is a
# correction the chair or the coordinator makes (it counts for the CME certificate and the attendance measures).
CHECK_IN_BEFORE = timedelta(hours=1)
CHECK_IN_AFTER = timedelta(hours=1)


@dataclass(frozen=True)
class CheckInWindow:
    """When people check themselves in to one meeting."""

    opens: datetime
    closes: datetime

    def status(self, now: datetime) -> str:
        """'early' before it opens, 'open', or 'over' once it has closed."""
        return "early" if now < self.opens else "over" if now > self.closes else "open"


def check_in_window(starts_at: datetime, duration_minutes: int) -> CheckInWindow:
    """The self check-in window of a meeting starting at `starts_at`."""
    return CheckInWindow(starts_at - CHECK_IN_BEFORE, starts_at + timedelta(minutes=duration_minutes) + CHECK_IN_AFTER)
