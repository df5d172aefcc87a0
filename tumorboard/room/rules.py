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


# Closing a case: a result a surveyor accepts comes from a quorate room in which more than a share of the checked-in
# physicians voted on the plan as it stands (a series setting; 50: a majority). Otherwise the chair may still close,
# with a reason that the letter and the report show.
CLOSING_VOTER_PERCENT = 50


def voters_needed(checked_in: int, percent: int = CLOSING_VOTER_PERCENT) -> int:
    """How many checked-in physicians must have voted: more than `percent` of them (all of them at 100), at least
    one."""
    return max(1, min(checked_in, checked_in * percent // 100 + 1))


@dataclass(frozen=True)
class ClosingCheck:
    """Whether the room may close a case on its vote, and what is missing if not."""

    quorum: Quorum
    checked_in: int  # physicians checked in
    voted: int  # of them, those who voted (abstaining included) on the current version of the plan
    percent: int

    @property
    def needed(self) -> int:
        """Voters the rule asks for."""
        return voters_needed(self.checked_in, self.percent)

    @property
    def met(self) -> bool:
        """Quorate, and enough of the room voted."""
        return self.quorum.quorate and self.voted >= self.needed

    def problems(self) -> list[str]:
        """What keeps the rule from being met, in words."""
        problems = []
        if not self.quorum.quorate:
            problems.append("The meeting is not quorate (missing: " +
                            ", ".join(s.label.lower() for s in self.quorum.missing) + ").")
        if self.voted < self.needed:
            share = "all" if self.percent >= 100 else f"more than {self.percent}%"
            problems.append(f"{self.voted} of {self.checked_in} checked-in physicians voted on this plan; "
                            f"closing needs {share} of them ({self.needed}).")
        return problems


def closing_check(quorum: Quorum, checked_in: int, voted: int, percent: int = CLOSING_VOTER_PERCENT) -> ClosingCheck:
    """The closing rule applied to the room as it stands."""
    return ClosingCheck(quorum, checked_in, voted, percent)
