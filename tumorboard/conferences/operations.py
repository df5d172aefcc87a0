"""Series, occurrences and agendas. Operations flush; the view commits once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tumorboard.audit.operations import record
from tumorboard.auth.models import User, named
from tumorboard.cases.models import Case
from tumorboard.cases.operations import set_status
from tumorboard.cases.queries import promise_due, second_opinion_of
from tumorboard.conferences.agenda import is_late
from tumorboard.conferences.models import (
    Conference,
    ConferenceSeries,
    SeriesMember,
    SeriesRequiredSpecialty,
    SeriesSiteGroup,
)
from tumorboard.conferences.queries import soonest_conference
from tumorboard.conferences.rules import (
    ATTENDANCE_TARGETS,
    CONSENSUS_CHOICES,
    SeriesInput,
    duration_minutes,
    validate_series,
)
from tumorboard.conferences.schedule import occurrences
from tumorboard.domain import Actor, Notice, Refused
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings
from tumorboard.room.models import Presentation
from tumorboard.tokens import new_token
from tumorboard.vocab import BoardRole, CaseStatus, ConferenceStatus, PresentationReason, PresentationStatus, Role

MAX_MINUTES_PER_CASE = 60


class ConferenceError(Refused):
    """A change to a series, conference or agenda that is refused, with a message for the user."""


class StaleAgenda(ConferenceError):
    """The agenda changed since the user loaded it."""


# Series -------------------------------------------------------------------


def save_series(actor: Actor, series: ConferenceSeries | None, data: SeriesInput) -> ConferenceSeries:
    """Create or change a series (checked by rules.validate_series), then generate its occurrences ahead."""
    rule, problems = validate_series(data)
    if problems:
        raise ConferenceError(fields=problems.by_field)
    clash = db.session.scalar(
        sa.select(ConferenceSeries).where(sa.func.lower(ConferenceSeries.name) == data.name.strip().lower())
    )
    if clash is not None and clash is not series:
        raise ConferenceError(fields={"name": ["Another series already has this name."]})
    creating = series is None
    series = series or ConferenceSeries()
    rule_changed = not creating and (series.rrule, series.starts_on, series.start_time, series.timezone) != (
        rule,
        data.starts_on,
        data.start_time,
        data.timezone,
    )
    before = None if creating else (series.place, series.video_link, series.duration_minutes)
    numerator, denominator = CONSENSUS_CHOICES[data.consensus]
    series.name, series.rrule, series.starts_on, series.start_time = (
        data.name.strip(),
        rule,
        data.starts_on,
        data.start_time,
    )
    series.duration_minutes = duration_minutes(data.start_time, data.end_time)
    series.timezone, series.place, series.video_link = data.timezone, data.place.strip(), data.video_link.strip()
    series.capacity, series.minutes_per_case = data.capacity, data.minutes_per_case
    series.deadline_working_days, series.weeks_ahead = data.deadline_working_days, data.weeks_ahead
    series.consensus_numerator, series.consensus_denominator, series.active = numerator, denominator, data.active
    series.disagree_needs_comment = data.disagree_needs_comment
    series.opens_minutes_before, series.closes_hours_after = data.opens_minutes_before, data.closes_hours_after
    series.closing_voter_percent = data.closing_voter_percent
    series.attendance_target_numerator, series.attendance_target_denominator = ATTENDANCE_TARGETS[
        data.attendance_target
    ]
    series.site_group_rows = [SeriesSiteGroup(site_group=g) for g in sorted(data.site_groups)]
    series.required_specialty_rows = [SeriesRequiredSpecialty(specialty=s) for s in sorted(data.required_specialties)]
    db.session.add(series)
    db.session.flush()
    if rule_changed and (dropped := _off_schedule(series, actor.now)):
        if not data.confirm_schedule:
            _refuse_unconfirmed(series, dropped)
        for conference in dropped:
            cancel_conference(actor, conference, SCHEDULE_CHANGED)
    if before is not None:
        _follow_series(series, before, actor.now)
    generate_occurrences(series, actor.now)
    record(actor, "create" if creating else "update", "series", series.id, f"rrule={rule}")
    return series


def _expected_starts(series: ConferenceSeries, now: datetime) -> list[datetime]:
    return occurrences(
        series.rrule,
        series.start_time,
        series.timezone,
        series.starts_on,
        now - timedelta(hours=12),
        now + timedelta(weeks=series.weeks_ahead),
    )


def generate_occurrences(series: ConferenceSeries, now: datetime) -> int:
    """Create the occurrences of the coming `weeks_ahead` weeks that do not exist yet; return how many."""
    if not series.active:
        return 0
    existing = set(db.session.scalars(sa.select(Conference.occurrence_start).where(Conference.series_id == series.id)))
    created = 0
    for start in _expected_starts(series, now):
        if start not in existing:
            db.session.add(
                Conference(
                    series_id=series.id,
                    occurrence_start=start,
                    starts_at=start,
                    duration_minutes=series.duration_minutes,
                    place=series.place,
                    video_link=series.video_link,
                )
            )
            created += 1
    db.session.flush()
    return created


def _follow_series(series: ConferenceSeries, before: tuple[str, str, int], now: datetime) -> None:
    """Future occurrences that still have the series' old room, link or length take the new ones (calendars see a new
    SEQUENCE).
    """
    old_place, old_link, old_minutes = before
    future = db.session.scalars(
        sa.select(Conference).where(
            Conference.series_id == series.id,
            Conference.starts_at > now,
            Conference.status == ConferenceStatus.SCHEDULED,
        )
    )
    for conference in future:
        changed = False
        for name, old, new in (
            ("place", old_place, series.place),
            ("video_link", old_link, series.video_link),
            ("duration_minutes", old_minutes, series.duration_minutes),
        ):
            if old != new and getattr(conference, name) == old:  # an occurrence changed on its own keeps its change
                setattr(conference, name, new)
                changed = True
        if changed:
            conference.sequence += 1


SCHEDULE_CHANGED = "The series' schedule changed"


def _off_schedule(series: ConferenceSeries, now: datetime) -> list[Conference]:
    """The future meetings the series' (new) rule no longer has, moved by hand or not, in time order."""
    wanted = set(_expected_starts(series, now))
    future = db.session.scalars(
        sa.select(Conference).where(
            Conference.series_id == series.id,
            Conference.starts_at > now,
            Conference.status == ConferenceStatus.SCHEDULED,
        ).order_by(Conference.starts_at)
    )
    return [conference for conference in future if conference.occurrence_start not in wanted]


def _refuse_unconfirmed(series: ConferenceSeries, dropped: list[Conference]) -> None:
    """A schedule change that would cancel meetings is said, with each meeting and the cases on its agenda, and
    waits for the coordinator's confirmation."""
    cases: dict[int, list[int]] = {}
    for conference_id, case_id in db.session.execute(
        sa.select(Presentation.conference_id, Presentation.case_id)
        .where(Presentation.conference_id.in_([c.id for c in dropped])).order_by(Presentation.position)
    ):
        cases.setdefault(conference_id, []).append(case_id)
    zone = ZoneInfo(series.timezone)
    listed = "; ".join(
        f"{c.starts_at.astimezone(zone):%a %d %b %Y %H:%M}"
        + (" (moved by hand)" if c.starts_at != c.occurrence_start else "")
        + (f", cases {', '.join(f'#{n}' for n in cases[c.id])} back to the queue" if c.id in cases else "")
        for c in dropped
    )
    raise ConferenceError(fields={"confirm_schedule": [
        f"The new schedule cancels {len(dropped)} meeting{'s' if len(dropped) != 1 else ''}: {listed}. "
        "Tick the box to save it and cancel them, or change the schedule back."
    ]})


# One occurrence -------------------------------------------------------------


def _require_upcoming(conference: Conference, now: datetime, action: str) -> None:
    if conference.status is ConferenceStatus.CANCELLED:
        raise ConferenceError(f"This conference is cancelled; it cannot be {action}.")
    if conference.status is ConferenceStatus.HELD or conference.starts_at <= now:
        raise ConferenceError(f"This conference has already taken place; it cannot be {action}.")


def cancel_conference(actor: Actor, conference: Conference, reason: str) -> int:
    """Cancel one occurrence, for a reason; the cases on its agenda go back to the queue (and are kept in mind for
    `restore_conference`). Returns how many went back."""
    _require_upcoming(conference, actor.now, "cancelled")
    if not reason.strip():
        raise ConferenceError("Say why the meeting is cancelled: the reason goes to every calendar and the agenda.")
    returned = []
    for item in _agenda(conference):
        set_status(actor, item.case, CaseStatus.SUBMITTED, "conference cancelled")
        db.session.delete(item)
        returned.append(item.case_id)
    conference.status = ConferenceStatus.CANCELLED
    conference.cancel_reason = reason.strip()[:300]
    conference.returned_case_ids = ",".join(map(str, returned))
    conference.sequence += 1
    db.session.flush()
    record(actor, "cancel", "conference", conference.id, f"cases_returned={len(returned)}", cases=returned)
    return len(returned)


def restore_conference(actor: Actor, conference: Conference) -> str:
    """Undo a cancellation while the meeting is still ahead: it is scheduled again (calendars are told) and the
    cases it sent back to the queue return to its agenda, those still waiting there."""
    if conference.status is not ConferenceStatus.CANCELLED:
        raise ConferenceError("This meeting is not cancelled.")
    if conference.starts_at <= actor.now:
        raise ConferenceError("This meeting's time has passed: it cannot be restored.")
    if _clash(conference, conference.starts_at):
        raise ConferenceError("The series already meets at that time: move this meeting, or cancel the other one.")
    conference.status, conference.cancel_reason = ConferenceStatus.SCHEDULED, ""
    conference.sequence += 1
    wanted = [int(case_id) for case_id in conference.returned_case_ids.split(",") if case_id]
    conference.returned_case_ids = ""
    db.session.flush()
    queued = {case.id: case for case in db.session.scalars(
        sa.select(Case).where(Case.id.in_(wanted), Case.status == CaseStatus.SUBMITTED)
    )}
    back = [queued[case_id] for case_id in wanted if case_id in queued]
    for case in back:
        assign_case(actor, conference, case)
    record(actor, "restore", "conference", conference.id, f"cases_back={len(back)}", cases=[c.id for c in back])
    left = len(wanted) - len(back)
    return (f"The meeting is scheduled again, with {len(back)} of its cases back on the agenda"
            + (f" ({left} had moved on meanwhile)." if left else "."))


def _clash(conference: Conference, start: datetime) -> bool:
    """Whether another meeting of the series, not cancelled, starts then."""
    return db.session.scalar(
        sa.select(Conference.id).where(
            Conference.series_id == conference.series_id,
            Conference.id != conference.id,
            Conference.status != ConferenceStatus.CANCELLED,
            Conference.starts_at == start,
        )
    ) is not None


def move_conference(actor: Actor, conference: Conference, new_start: datetime) -> str | None:
    """Move one occurrence to another time; the others keep theirs. The same time is no change (no calendar update):
    said so."""
    _require_upcoming(conference, actor.now, "moved")
    if new_start == conference.starts_at:
        return "The meeting is already at that time: nothing changed."
    if new_start <= actor.now:
        raise ConferenceError("Move it to a time in the future.")
    if _clash(conference, new_start):
        raise ConferenceError("The series already meets at that time.")
    conference.starts_at = new_start
    conference.sequence += 1
    db.session.flush()
    record(actor, "move", "conference", conference.id, f"starts_at={new_start.isoformat()}")


# The agenda -----------------------------------------------------------------


def _agenda(conference: Conference) -> list[Presentation]:
    return list(
        db.session.scalars(
            sa.select(Presentation)
            .where(Presentation.conference_id == conference.id)
            .order_by(Presentation.position, Presentation.id)
        )
    )


def _touch(conference: Conference, expected_version: int | None, now: datetime) -> None:
    """Refuse a change made on a stale view of the agenda, then mark the agenda changed (the version check guards
    races).
    """
    if expected_version is not None and expected_version != conference.agenda_version:
        raise StaleAgenda(
            "Someone else changed this agenda since you opened it. The page shows it as it is now; make your change "
            "again."
        )
    conference.updated_at = now


def assign_case(
    actor: Actor,
    conference: Conference,
    case: Case,
    expected_version: int | None = None,
) -> Presentation:
    """Put a queued case at the end of an upcoming agenda; late submissions are flagged, not dropped."""
    _require_upcoming(conference, actor.now, "given cases")
    if db.session.scalar(
        sa.select(Presentation.id).where(Presentation.conference_id == conference.id, Presentation.case_id == case.id)
    ):
        raise ConferenceError(f"Case #{case.id} is already on this agenda.")
    if case.status is not CaseStatus.SUBMITTED:
        raise ConferenceError(
            f"Case #{case.id} is {case.status.label.lower()}; only submitted cases are put on an agenda."
        )
    _touch(conference, expected_version, actor.now)
    series = conference.series
    zone = ZoneInfo(series.timezone)
    submitted_on = case.submitted_at.astimezone(zone).date() if case.submitted_at else None
    position = 1 + max((item.position for item in _agenda(conference)), default=-1)
    item = Presentation(
        conference_id=conference.id,
        case=case,
        position=position,
        minutes_allotted=series.minutes_per_case,
        presenter_id=case.presenting_physician_id,
        reason=PresentationReason.PRE_TREATMENT,
        late_submission=is_late(
            submitted_on, conference.starts_at.astimezone(zone).date(), series.deadline_working_days
        ),
    )
    db.session.add(item)
    set_status(actor, case, CaseStatus.SCHEDULED, f"on the agenda of conference {conference.id}")
    db.session.flush()
    record(actor, "assign", "conference", conference.id, f"case={case.id}", cases=[case.id])
    return item


def assign_cases(actor: Actor, conference: Conference, case_ids: list[int], expected_version: int | None) -> str:
    """Put several queued cases at the end of the agenda, in the order given (all or none); says what was done."""
    if not case_ids:
        raise ConferenceError("Tick the cases to add, or use a case's Add button.")
    cases = {case.id: case for case in db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids)))}
    if missing := [case_id for case_id in case_ids if case_id not in cases]:
        raise ConferenceError(f"Case #{missing[0]} does not exist.")
    unique = list(dict.fromkeys(case_ids))
    late = 0
    for number, case_id in enumerate(unique):  # the agenda version is the one the page showed: checked once
        item = assign_case(actor, conference, cases[case_id], expected_version if number == 0 else None)
        late += item.late_submission
    what = f"Case #{unique[0]} added" if len(unique) == 1 else f"{len(unique)} cases added"
    said = what + (f" ({late} submitted after the deadline: flagged late)." if late else ".")
    warnings = [promise_warning(conference, cases[case_id], actor.now) for case_id in unique]
    if warnings := [warning for warning in warnings if warning]:
        return Notice(" ".join([said, *warnings]))
    return said


def promise_warning(conference: Conference, case: Case, now: datetime) -> str | None:
    """What to say when a second opinion goes on a meeting after its promise: the date, and the meeting that can
    take it soonest (None when the promise holds, or the case is no second opinion with its records complete)."""
    request = second_opinion_of(case.id)
    due = promise_due(request.complete_at if request else None, program_settings().second_opinion_days)
    if due is None or conference.starts_at <= due:
        return None
    zone = ZoneInfo(conference.series.timezone)
    day = "%a %d %b"
    said = (f"Case #{case.id} is a second opinion promised by {due.astimezone(zone):{day}}; this meeting "
            f"({conference.starts_at.astimezone(zone):{day}}) is after it.")
    soonest = soonest_conference(case, now)
    if soonest is None or soonest[0].id == conference.id:
        return f"{said} No other meeting that takes it is sooner: tell the patient, or add a meeting."
    return f"{said} The soonest meeting that takes it: {soonest[1]} on {soonest[0].starts_at.astimezone(zone):{day}}."


def _planned_item(conference: Conference, presentation_id: int) -> Presentation:
    item = db.session.get(Presentation, presentation_id)
    if item is None or item.conference_id != conference.id:
        raise ConferenceError("That case is not on this agenda.")
    if item.status is not PresentationStatus.PLANNED:
        raise ConferenceError("That case has already been discussed; its place on the agenda is kept.")
    return item


def remove_case(
    actor: Actor,
    conference: Conference,
    presentation_id: int,
    expected_version: int | None = None,
) -> None:
    """Take a case off an upcoming agenda; it goes back to the queue."""
    _require_upcoming(conference, actor.now, "changed")
    item = _planned_item(conference, presentation_id)
    _touch(conference, expected_version, actor.now)
    if item.case.status is CaseStatus.SCHEDULED:  # a case deferred or withdrawn meanwhile keeps its status
        set_status(actor, item.case, CaseStatus.SUBMITTED, "taken off the agenda")
    db.session.delete(item)
    _renumber(conference, exclude=item.id)
    db.session.flush()
    record(actor, "unassign", "conference", conference.id, f"case={item.case_id}", cases=[item.case_id])


def _renumber(conference: Conference, exclude: int | None = None) -> None:
    for position, item in enumerate(i for i in _agenda(conference) if i.id != exclude):
        item.position = position


def move_case(
    actor: Actor,
    conference: Conference,
    presentation_id: int,
    offset: int = 0,
    expected_version: int | None = None,
    to_position: int | None = None,
) -> str | None:
    """Move a case up (offset -1) or down (+1) the agenda, or to a position (1 is first); the others close up."""
    _require_upcoming(conference, actor.now, "reordered")
    item = _planned_item(conference, presentation_id)
    agenda = _agenda(conference)
    index = agenda.index(item)
    if to_position is not None and not 1 <= to_position <= len(agenda):
        raise ConferenceError(f"Give a position from 1 to {len(agenda)}.")
    target = to_position - 1 if to_position is not None else index + offset
    if target == index or not 0 <= target < len(agenda):
        return None  # already there (first or last): nothing to do
    _touch(conference, expected_version, actor.now)
    agenda.insert(target, agenda.pop(index))
    for position, entry in enumerate(agenda):
        entry.position = position
    db.session.flush()
    record(actor, "reorder", "conference", conference.id, f"case={item.case_id};to={target + 1}",
           cases=[item.case_id])
    return f"Case #{item.case_id} is now number {target + 1}."


def set_minutes(
    actor: Actor,
    conference: Conference,
    presentation_id: int,
    minutes: int,
    expected_version: int | None = None,
) -> None:
    """Change the minutes allotted to one case."""
    _require_upcoming(conference, actor.now, "changed")
    if not 1 <= minutes <= MAX_MINUTES_PER_CASE:
        raise ConferenceError(f"Allot from 1 to {MAX_MINUTES_PER_CASE} minutes to a case.")
    item = _planned_item(conference, presentation_id)
    _touch(conference, expected_version, actor.now)
    item.minutes_allotted = minutes
    db.session.flush()
    record(actor, "minutes", "conference", conference.id, f"case={item.case_id};minutes={minutes}",
           cases=[item.case_id])


def next_occurrence(conference: Conference, now: datetime) -> Conference | None:
    """The series' next upcoming, not cancelled occurrence after this one (generated if needed)."""
    query = (
        sa.select(Conference)
        .where(
            Conference.series_id == conference.series_id,
            Conference.starts_at > max(now, conference.starts_at),
            Conference.status == ConferenceStatus.SCHEDULED,
        )
        .order_by(Conference.starts_at)
        .limit(1)
    )
    found = db.session.scalar(query)
    if found is None and generate_occurrences(conference.series, now):
        found = db.session.scalar(query)
    return found


def put_first_at_next(conference: Conference, items: list[Presentation], now: datetime) -> Conference:
    """Put these cases, in order, at the top of the series' next meeting (after not being reached, or to be re-
    presented).
    """
    target = next_occurrence(conference, now)
    if target is None:
        raise ConferenceError("The series has no upcoming conference to take the cases.")
    _touch(target, None, now)
    for waiting in _agenda(target):
        waiting.position += len(items)
    for position, item in enumerate(items):
        db.session.add(
            Presentation(
                conference_id=target.id,
                case_id=item.case_id,
                position=position,
                minutes_allotted=item.minutes_allotted,
                presenter_id=item.presenter_id,
                reason=item.reason,
                late_submission=False,
                carried_over_from_id=item.id,
            )
        )
    return target


def carry_over(actor: Actor, conference: Conference) -> tuple[Conference, int]:
    """After the meeting: cases not reached go to the top of the next occurrence, in their order."""
    if conference.status is ConferenceStatus.CANCELLED:
        raise ConferenceError("A cancelled conference has no cases to carry over.")
    if conference.starts_at > actor.now:
        raise ConferenceError("Cases are carried over after the meeting has started.")
    left = [
        item
        for item in _agenda(conference)
        if item.status in (PresentationStatus.PLANNED, PresentationStatus.IN_DISCUSSION)
    ]
    if not left:
        raise ConferenceError("Every case on this agenda was discussed: nothing to carry over.")
    for item in left:
        item.status = PresentationStatus.NOT_REACHED
    target = put_first_at_next(conference, left, actor.now)
    if conference.status is ConferenceStatus.SCHEDULED:
        conference.status = ConferenceStatus.HELD
    conference.updated_at = actor.now
    db.session.flush()
    record(actor, "carry_over", "conference", conference.id, f"to={target.id};cases={len(left)}",
           cases=[item.case_id for item in left])
    return target, len(left)


def set_series_feed(actor: Actor, series: ConferenceSeries, revoke: bool) -> str:
    """Make (or replace) the secret calendar link of a series, or revoke it; the old link stops working at once."""
    series.feed_token = None if revoke else new_token()
    record(actor, "series_feed_revoked" if revoke else "series_feed_created", "series", series.id)
    if revoke:
        return "The board's calendar link is revoked: calendars using it stop updating."
    return "The board's new calendar link is ready. Any earlier link no longer works."


# Members -------------------------------------------------------------------


def _member(series: ConferenceSeries, user_id: int) -> SeriesMember | None:
    return db.session.get(SeriesMember, (series.id, user_id))


def _set_role(member: SeriesMember, role: BoardRole) -> str:
    """Give the member the role; naming a deputy makes the former one a member (one deputy a series). Says so."""
    said = ""
    if role is BoardRole.DEPUTY:
        for other in db.session.scalars(sa.select(SeriesMember).where(
            SeriesMember.series_id == member.series_id, SeriesMember.is_deputy, SeriesMember.user_id != member.user_id
        )):
            other.is_deputy = False
            said = f" {other.user.full_name} is a member again (one deputy a board)."
    member.is_chair, member.is_deputy = role is BoardRole.CHAIR, role is BoardRole.DEPUTY
    return said


def add_member(actor: Actor, series: ConferenceSeries, username: str, role: BoardRole) -> str:
    """Put a physician on the board (as a member, a chair or the deputy); their attendance counts from today."""
    user = db.session.scalar(sa.select(User).where(named(username))) if username.strip() else None
    refusal = (
        "Choose an active physician from the list." if user is None or not user.active
        else f"{user.full_name} is not a physician: only physicians sit on boards." if not user.has_role(Role.PHYSICIAN)
        else f"{user.full_name} is already on this board." if _member(series, user.id) is not None
        else None
    )
    if refusal:
        raise ConferenceError(fields={"member": [refusal]})
    joined = actor.now.astimezone(ZoneInfo(series.timezone)).date()
    member = SeriesMember(series_id=series.id, user_id=user.id, joined_on=joined)
    member.user = user
    db.session.add(member)
    said = _set_role(member, role)
    db.session.flush()
    record(actor, "member_added", "series", series.id, f"user={user.id};role={role.value}")
    return f"{user.full_name} is on the board as {role.label.lower()}.{said}"


def change_member(actor: Actor, series: ConferenceSeries, user_id: int, role: BoardRole | None) -> str:
    """Change a member's role, or (role None) take them off the board."""
    member = _member(series, user_id)
    if member is None:
        raise ConferenceError("This person is no longer on the board: the page shows who is.")
    name = member.user.full_name
    if role is None:
        db.session.delete(member)
        db.session.flush()
        record(actor, "member_removed", "series", series.id, f"user={user_id}")
        return f"{name} is off the board."
    said = _set_role(member, role)
    db.session.flush()
    record(actor, "member_role", "series", series.id, f"user={user_id};role={role.value}")
    return f"{name} is now {role.label.lower()}.{said}"
