"""An agenda's timing and flags: projected times, capacity, late and unready cases. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


def submission_deadline(meeting_day: date, working_days: int) -> date:
    """The last day to submit: `working_days` Monday-to-Friday days before the meeting."""
    day = meeting_day
    remaining = working_days
    while remaining > 0:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            remaining -= 1
    return day


def is_late(submitted_on: date | None, meeting_day: date, working_days: int) -> bool:
    """Whether a case submitted on `submitted_on` missed the deadline of the meeting."""
    return submitted_on is not None and submitted_on > submission_deadline(meeting_day, working_days)


@dataclass(frozen=True)
class AgendaEntry:
    """One case on an agenda, in order."""

    presentation_id: int
    minutes: int
    ready: bool
    late: bool


@dataclass(frozen=True)
class AgendaSlot:
    """Where an entry falls in the meeting."""

    entry: AgendaEntry
    number: int  # 1-based
    starts_at: datetime
    ends_at: datetime
    over_capacity: bool
    past_end: bool  # projected to run past the meeting's scheduled end


@dataclass(frozen=True)
class AgendaPlan:
    """The agenda's projection and what to flag before the meeting."""

    slots: list[AgendaSlot]
    projected_end: datetime
    scheduled_end: datetime
    total_minutes: int
    capacity: int
    over_capacity: int
    late: int
    unready: int

    @property
    def overrun_minutes(self) -> int:
        """Minutes the agenda runs past the scheduled end (0 when it fits)."""
        return max(0, int((self.projected_end - self.scheduled_end).total_seconds() // 60))


def plan_agenda(starts_at: datetime, duration_minutes: int, capacity: int, entries: list[AgendaEntry]) -> AgendaPlan:
    """Project each case's time from the meeting start and flag what does not fit."""
    scheduled_end = starts_at + timedelta(minutes=duration_minutes)
    clock = starts_at
    slots = []
    for number, entry in enumerate(entries, start=1):
        end = clock + timedelta(minutes=entry.minutes)
        slots.append(AgendaSlot(entry, number, clock, end, number > capacity, end > scheduled_end))
        clock = end
    return AgendaPlan(
        slots=slots,
        projected_end=clock,
        scheduled_end=scheduled_end,
        total_minutes=sum(e.minutes for e in entries),
        capacity=capacity,
        over_capacity=max(0, len(entries) - capacity),
        late=sum(e.late for e in entries),
        unready=sum(not e.ready for e in entries),
    )


def stage_summary(
    clinical_tnm: tuple[str | None, str | None, str | None], clinical_stage: str | None,
    pathologic_tnm: tuple[str | None, str | None, str | None], pathologic_stage: str | None, not_staged: bool,
) -> str:
    """A case's stage in one line for the agenda: the pathologic one when there is one, else the clinical one
    ("pT2 N1 M0, stage IIB"), or "not yet staged"."""
    for tnm, group in ((pathologic_tnm, pathologic_stage), (clinical_tnm, clinical_stage)):
        categories = " ".join(part for part in tnm if part)
        if categories or group:
            return ", ".join(part for part in (categories, f"stage {group}" if group else "") if part)
    return "not yet staged" if not_staged else ""
