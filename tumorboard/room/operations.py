"""The conference room: attendance, recommendations, discussion items, the plan, votes, closing a case.

Operations flush; the view commits once. Votes are written with an atomic
upsert, and casting takes a shared lock on the presentation while closing
takes an exclusive one, so a vote is either counted in the result or refused.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tumorboard.audit.operations import record
from tumorboard.auth.models import User
from tumorboard.cases.operations import set_status
from tumorboard.cases.visibility import restricted
from tumorboard.conferences.models import Conference, SeriesMember
from tumorboard.conferences.operations import ConferenceError, put_first_at_next
from tumorboard.db import dialect_insert
from tumorboard.domain import Actor, NotAllowed, Refused
from tumorboard.extensions import db
from tumorboard.room.models import (
    Attendance,
    ConsensusPlan,
    Presentation,
    Recommendation,
    RecommendationVersion,
    RoomState,
    Vote,
)
from tumorboard.room.queries import room_closing_check
from tumorboard.room.rules import MeetingWindow, is_prospective, meeting_window
from tumorboard.room.tally import Tally, counted_choices, tally
from tumorboard.vocab import (
    AttendanceMode,
    CaseStatus,
    ConferenceStatus,
    DiagnosisOpinion,
    Intent,
    Modality,
    NoConsensusAction,
    PlanOpinion,
    PresentationReason,
    PresentationStatus,
    PresentationTrack,
    Role,
    Specialty,
    VoteChoice,
    VoteResult,
)

OPEN = (PresentationStatus.PLANNED, PresentationStatus.IN_DISCUSSION)


class RoomError(Refused):
    """A change the room refuses, with a message for the user."""


def is_chair(user: User, conference: Conference, series_chair: bool | None = None) -> bool:
    """The coordinator, the conference's chair, or a chair or the deputy of its series runs the meeting
    (`series_chair`: already read, as a room poll does)."""
    if user.has_role(Role.COORDINATOR) or conference.chair_id == user.id:
        return True
    if series_chair is not None:
        return series_chair
    return bool(
        db.session.scalar(
            sa.select(SeriesMember.runs_meetings).where(
                SeriesMember.series_id == conference.series_id, SeriesMember.user_id == user.id
            )
        )
    )


def _require_chair(user: User, conference: Conference) -> None:
    if not is_chair(user, conference):
        raise NotAllowed("Only the chair or the coordinator does this.")


def _require_not_cancelled(conference: Conference) -> None:
    if conference.status is ConferenceStatus.CANCELLED:
        raise RoomError("This conference is cancelled.")


def _require_meeting(conference: Conference, now: datetime) -> None:
    """Refuse a change to a cancelled meeting, or one outside the meeting's window (saying when it opens or closed)."""
    _require_not_cancelled(conference)
    window, zone = _window(conference), ZoneInfo(conference.series.timezone)
    when = window.status(now)
    if when == "early":
        raise RoomError(f"This meeting opens at {window.opens.astimezone(zone):%a %d %b %Y, %H:%M}: discussion, votes "
                        "and closing wait until then.")
    if when == "over":
        raise RoomError(f"This meeting closed at {window.closes.astimezone(zone):%a %d %b %Y, %H:%M}: its cases can "
                        "no longer be discussed, voted on or closed.")


def _window(conference: Conference) -> MeetingWindow:
    series = conference.series
    return meeting_window(conference.starts_at, conference.duration_minutes, series.opens_minutes_before,
                          series.closes_hours_after)


def _lock(presentation: Presentation, exclusive: bool) -> Presentation:
    """Re-read the presentation under a row lock (PostgreSQL; SQLite serializes writers anyway)."""
    stmt = sa.select(Presentation).where(Presentation.id == presentation.id).execution_options(populate_existing=True)
    return db.session.scalar(stmt.with_for_update(read=not exclusive))


def _room_changed(conference_id: int, now: datetime, current: int | None = None) -> None:
    """Every open screen of the meeting picks the change up at its next poll: the room's token changes (and, given,
    the case the chair moved the room to). Called last in an operation, after its rows are written, so that locks are
    always taken in the same order (presentation, then room)."""
    values: dict[str, object] = {"token": secrets.randbits(62), "changed_at": now}
    if current is not None:
        values["current_presentation_id"] = current
    insert = dialect_insert(RoomState.__table__, db.engine.dialect.name).values(conference_id=conference_id, **values)
    db.session.execute(insert.on_conflict_do_update(index_elements=["conference_id"], set_=values))


def _require_open(presentation: Presentation) -> None:
    if presentation.status not in OPEN:
        raise RoomError("This case is closed: its recommendations and votes are locked.")


# Attendance -------------------------------------------------------------------


def may_attend(user: User, conference: Conference) -> bool:
    """Who checks themselves in: anyone when every physician reads every case; under the program's "own boards
    only" setting, members of the series and those presenting at this meeting (the chair checks in guests)."""
    if not restricted(user) or is_chair(user, conference):
        return True
    return bool(
        db.session.scalar(
            sa.select(
                sa.or_(
                    sa.exists().where(SeriesMember.series_id == conference.series_id, SeriesMember.user_id == user.id),
                    sa.exists().where(
                        Presentation.conference_id == conference.id, Presentation.presenter_id == user.id
                    ),
                )
            )
        )
    )


def check_in(
    actor: Actor,
    conference: Conference,
    person: User,
    mode: AttendanceMode,
) -> Attendance:
    """Check someone in (themselves, or anyone when the actor chairs); checking in again changes the mode.

    People check themselves in around the meeting only; after it the chair or the coordinator corrects the list.
    """
    _require_not_cancelled(conference)  # the window is checked below: the chair corrects attendance after it
    chair = is_chair(actor.user, conference)
    if person.id != actor.id and not chair:
        raise NotAllowed("Only the chair or the coordinator checks someone else in.")
    if person.id == actor.id and not may_attend(actor.user, conference):
        raise NotAllowed("Only members of this board, and those presenting at this meeting, check in: ask the chair.")
    window = _window(conference)
    when = window.status(actor.now)
    if when == "early":
        opens = window.opens.astimezone(ZoneInfo(conference.series.timezone))
        raise RoomError(f"Check-in opens at {opens:%a %d %b %Y, %H:%M}, "
                        f"{conference.series.opens_minutes_before} minutes before the meeting starts.")
    if when == "over" and not chair:
        raise RoomError("This meeting is over: the chair or the coordinator corrects its attendance.")
    # Two check-ins of one person at once (a double tap, two devices) meet in the unique constraint, not in a 500.
    insert = dialect_insert(Attendance.__table__, db.engine.dialect.name).values(
        conference_id=conference.id,
        user_id=person.id,
        attendee_name=person.full_name,
        specialty=person.specialty,
        mode=mode,
        checked_in_at=actor.now,
        checked_in_by_id=actor.id,
    )
    db.session.execute(insert.on_conflict_do_nothing())
    row = db.session.scalar(
        sa.select(Attendance)
        .where(Attendance.conference_id == conference.id, Attendance.user_id == person.id)
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise RoomError(f"Someone named {person.full_name} is already on this meeting's attendance list.")
    row.mode = mode
    db.session.flush()
    action = "attendance_correction" if when == "over" else "check_in"
    record(actor, action, "conference", conference.id, f"user={person.id};mode={mode.value}")
    _room_changed(conference.id, actor.now)
    return row


def check_out(actor: Actor, conference: Conference, attendance_id: int) -> None:
    """Undo a check-in made by mistake (not for someone who has voted)."""
    _require_chair(actor.user, conference)
    row = db.session.get(Attendance, attendance_id)
    if row is None or row.conference_id != conference.id:
        raise RoomError("That person is not checked in here.")
    voted = db.session.scalar(
        sa.select(sa.func.count(Vote.id))
        .join(Presentation, Vote.presentation_id == Presentation.id)
        .where(Presentation.conference_id == conference.id, Vote.voter_id == row.user_id)
    )
    if voted:
        raise RoomError(f"{row.attendee_name} has voted in this meeting and stays on the attendance list.")
    db.session.delete(row)
    db.session.flush()
    record(actor, "check_out", "conference", conference.id, f"user={row.user_id}")
    _room_changed(conference.id, actor.now)


def is_checked_in(user: User, conference_id: int) -> bool:
    """Whether the user is on the conference's attendance list."""
    return bool(
        db.session.scalar(
            sa.select(Attendance.id).where(Attendance.conference_id == conference_id, Attendance.user_id == user.id)
        )
    )


# One case ---------------------------------------------------------------------


def start(actor: Actor, presentation: Presentation) -> None:
    """The chair moves the room to a case (start, next, previous): every screen following the chair opens it, and an
    open case's discussion starts (its clock, its prospective status); a closed one is shown again."""
    conference = presentation.conference
    _require_chair(actor.user, conference)
    _require_meeting(conference, actor.now)
    opened = presentation.status is PresentationStatus.PLANNED
    if presentation.status in OPEN:
        _open_discussion(presentation, actor.now)
    db.session.flush()
    record(actor, "start" if opened else "room_case", "presentation", presentation.id, f"case={presentation.case_id}")
    _room_changed(conference.id, actor.now, current=presentation.id)


def _open_discussion(presentation: Presentation, now: datetime) -> None:
    """The discussion starts (explicitly, or when a plan is put to the vote): clock and prospective status."""
    if presentation.status is PresentationStatus.PLANNED:
        presentation.status = PresentationStatus.IN_DISCUSSION
        presentation.started_at = now
    if presentation.prospective is None:
        presentation.prospective = _computed_prospective(presentation)


def _computed_prospective(presentation: Presentation) -> bool:
    zone = ZoneInfo(presentation.conference.series.timezone)
    return is_prospective(
        presentation.reason,
        presentation.case.first_course_started_on,
        presentation.conference.starts_at.astimezone(zone).date(),
    )


def set_prospective(
    actor: Actor,
    presentation: Presentation,
    reason: PresentationReason,
    override: bool | None,
    why: str,
) -> None:
    """Record why the case is presented; prospective follows the rule unless the chair overrides it, with a reason."""
    _require_chair(actor.user, presentation.conference)
    _require_open(presentation)
    _require_meeting(presentation.conference, actor.now)
    presentation.reason = reason
    computed = _computed_prospective(presentation)
    if override is None or override == computed:
        presentation.prospective, presentation.prospective_override_reason = computed, ""
    else:
        if not why.strip():
            raise RoomError("Say why the rule's answer is overridden.")
        presentation.prospective, presentation.prospective_override_reason = override, why.strip()[:300]
    db.session.flush()
    record(
        actor,
        "prospective",
        "presentation",
        presentation.id,
        f"reason={reason.value};prospective={presentation.prospective}",
    )
    _room_changed(presentation.conference_id, actor.now)


@dataclass(frozen=True)
class RecommendationInput:
    """One specialty's recommendation."""

    specialty: Specialty
    modality: Modality
    intent: Intent | None
    sequence: str = ""
    text: str = ""


def save_recommendation(actor: Actor, presentation: Presentation, data: RecommendationInput) -> Recommendation:
    """A checked-in physician records their own specialty's recommendation; the chair may record any, on its behalf.

    A change keeps the recommendation as it stood, with who wrote it and when (RecommendationVersion).
    """
    _require_open(presentation)
    _require_meeting(presentation.conference, actor.now)
    chair = is_chair(actor.user, presentation.conference)
    own = actor.user.has_role(Role.PHYSICIAN) and actor.user.specialty is data.specialty
    if not own and not chair:
        mine = actor.user.specialty.label.lower()
        raise RoomError(f"Only {data.specialty.label.lower()} (or the chair, on its behalf) records this "
                        f"recommendation: choose {mine}, your own specialty.")
    if not chair and not is_checked_in(actor.user, presentation.conference_id):
        raise RoomError("Check in to this conference before recording your specialty's recommendation.")
    if not data.text.strip():
        raise RoomError(f"Write the {data.specialty.label.lower()} recommendation: the choices alone say too little.")
    row = db.session.scalar(
        sa.select(Recommendation)
        .where(Recommendation.presentation_id == presentation.id, Recommendation.specialty == data.specialty)
        .with_for_update()
    )
    content = (data.modality, data.intent, data.sequence.strip()[:300], data.text.strip()[:5000])
    if row is None:
        row = Recommendation(presentation_id=presentation.id, specialty=data.specialty)
        db.session.add(row)
    elif (row.modality, row.intent, row.sequence, row.text) != content:
        db.session.add(
            RecommendationVersion(
                recommendation_id=row.id,
                modality=row.modality,
                intent=row.intent,
                sequence=row.sequence,
                text=row.text,
                author_id=row.author_id,
                recorded_by_id=row.recorded_by_id,
                recorded_at=row.updated_at,
                replaced_at=actor.now,
                replaced_by_id=actor.id,
            )
        )
    row.modality, row.intent, row.sequence, row.text = content
    row.author_id = actor.id if own else None
    row.recorded_by_id = None if own else actor.id
    row.updated_at = actor.now
    db.session.flush()
    record(
        actor,
        "recommendation",
        "presentation",
        presentation.id,
        f"specialty={data.specialty.value};on_behalf={not own}",
    )
    _room_changed(presentation.conference_id, actor.now)
    return row


@dataclass(frozen=True)
class DiscussionInput:
    """The required discussion items, and the second opinion where it applies."""

    stage_discussed: bool = False
    guideline_discussed: bool = False
    guideline_name: str = ""
    guideline_version: str = ""
    guideline_concordant: bool | None = None
    trials_discussed: bool = False
    trials_named: str = ""
    genetics_considered: bool = False
    palliative_considered: bool = False
    psychosocial_considered: bool = False
    diagnosis_opinion: DiagnosisOpinion | None = None
    plan_opinion: PlanOpinion | None = None


def save_discussion(actor: Actor, presentation: Presentation, data: DiscussionInput) -> None:
    """Tick the items the Commission on Cancer asks to be discussed."""
    _require_chair(actor.user, presentation.conference)
    _require_open(presentation)
    _require_meeting(presentation.conference, actor.now)
    if data.guideline_discussed and not data.guideline_name.strip():
        raise RoomError("Name the guideline that was referenced (e.g. NCCN Breast Cancer).")
    for name in DiscussionInput.__dataclass_fields__:
        value = getattr(data, name)
        setattr(presentation, name, value.strip() if isinstance(value, str) else value)
    if not data.guideline_discussed:
        presentation.guideline_name = presentation.guideline_version = ""
        presentation.guideline_concordant = None
    db.session.flush()
    record(actor, "discussion", "presentation", presentation.id)
    _room_changed(presentation.conference_id, actor.now)


def set_plan(
    actor: Actor,
    presentation: Presentation,
    text: str,
    intent: Intent | None,
) -> ConsensusPlan:
    """Put the consensus plan to the vote. Changing its words or intent makes a new version: the vote starts again,
    and votes cast on the earlier version are kept and shown but no longer counted."""
    conference = presentation.conference
    if not (is_chair(actor.user, conference) or actor.id == presentation.presenter_id):
        raise NotAllowed("Only the chair or the presenter puts a plan to the vote.")
    _require_open(presentation)
    _require_meeting(presentation.conference, actor.now)
    if not text.strip():
        raise RoomError("Write the plan the board votes on.")
    plan = presentation.consensus_plan
    changed = plan is not None and (plan.text, plan.intent) != (text.strip(), intent)
    if plan is None:
        plan = ConsensusPlan(presentation_id=presentation.id, text=text.strip(), version=1)
        presentation.consensus_plan = plan
    if changed:
        plan.version += 1
    plan.text, plan.intent, plan.vote_opened_at = (
        text.strip(),
        intent,
        plan.vote_opened_at if not changed and plan.vote_opened_at else actor.now,
    )
    _open_discussion(presentation, actor.now)
    db.session.flush()
    detail = f"version={plan.version}" + (";votes_reset" if changed else "")
    record(actor, "plan", "presentation", presentation.id, detail)
    # The chair putting a plan to the vote has the room on that case (a presenter's plan leaves the room where it is).
    _room_changed(presentation.conference_id, actor.now, presentation.id if is_chair(actor.user, conference) else None)
    return plan


def cast_vote(
    actor: Actor,
    presentation: Presentation,
    choice: VoteChoice,
    comment: str,
    plan_version: int | None,
) -> None:
    """A checked-in physician votes on the plan version their screen showed, or changes their vote, until the chair
    closes the case. A vote on a version since replaced is refused with the plan as it is now: nobody's vote counts
    for words they did not see."""
    if not actor.user.has_role(Role.PHYSICIAN):
        raise NotAllowed("Only physicians vote on the consensus plan.")
    if not is_checked_in(actor.user, presentation.conference_id):
        raise RoomError("Check in to this conference before voting.")
    locked = _lock(presentation, exclusive=False)
    _require_open(locked)
    _require_meeting(locked.conference, actor.now)
    plan = locked.consensus_plan
    if plan is None:
        raise RoomError("No plan has been put to the vote yet.")
    if choice is VoteChoice.DISAGREE and not comment.strip() and locked.conference.series.disagree_needs_comment:
        raise RoomError("Say why you disagree: at this board a disagree vote needs a comment.")
    if plan_version != plan.version:
        raise RoomError(f"The plan changed since your screen showed it. It now reads (version {plan.version}): "
                        f"“{plan.text[:500]}”. Read it, then vote again.")
    values = {
        "presentation_id": locked.id,
        "voter_id": actor.id,
        "choice": choice.value,
        "comment": comment.strip()[:1000],
        "plan_version": plan.version,
        "cast_at": actor.now,
        "updated_at": actor.now,
    }
    insert = dialect_insert(Vote.__table__, db.engine.dialect.name).values(**values)
    db.session.execute(
        insert.on_conflict_do_update(
            index_elements=["presentation_id", "voter_id"],
            set_={
                "choice": insert.excluded.choice,
                "comment": insert.excluded.comment,
                "plan_version": insert.excluded.plan_version,
                "updated_at": insert.excluded.updated_at,
            },
        )
    )
    record(actor, "vote", "presentation", locked.id, f"choice={choice.value};version={plan.version}")
    _room_changed(locked.conference_id, actor.now)


def current_tally(presentation: Presentation) -> Tally:
    """The vote as it stands, with the series' threshold."""
    series = presentation.conference.series
    version = presentation.plan_version
    votes = db.session.execute(sa.select(Vote.choice, Vote.plan_version).where(Vote.presentation_id == presentation.id))
    return tally(counted_choices(votes, version), series.consensus_numerator, series.consensus_denominator)


def close(
    actor: Actor,
    presentation: Presentation,
    action: NoConsensusAction | None,
    override_reason: str = "",
) -> Tally:
    """Lock the votes and recommendations, record the result and the time spent, and move the case on.

    The closing rule: the room is quorate and more than the series' share of the checked-in physicians voted on the
    plan as it stands. Otherwise the chair closes only with a reason, kept with the plan for the letter and the
    report."""
    conference = presentation.conference
    _require_chair(actor.user, conference)
    _require_meeting(conference, actor.now)
    locked = _lock(presentation, exclusive=True)
    _require_open(locked)
    result, check, reason = current_tally(locked), room_closing_check(locked), override_reason.strip()[:500]
    problems = []
    if result.result is VoteResult.NO_CONSENSUS and action is None:
        problems.append("There is no consensus: choose to re-present, defer for more workup, or refer for a third "
                        "opinion.")
    if not check.met and not reason:
        problems += [*check.problems(), "Wait for the votes, or give a reason to close anyway: the letter and the "
                     "accreditation report show it."]
    if problems:
        raise RoomError(" ".join(problems))
    plan = locked.consensus_plan or ConsensusPlan(presentation_id=locked.id, text="")
    locked.consensus_plan = plan
    plan.result, plan.agree_count, plan.disagree_count, plan.abstain_count = (
        result.result,
        result.agree,
        result.disagree,
        result.abstain,
    )
    plan.no_consensus_action = action if result.result is VoteResult.NO_CONSENSUS else None
    plan.physicians_checked_in, plan.quorate_at_close = check.checked_in, check.quorum.quorate
    plan.close_override_reason = "" if check.met else reason
    _finish(actor, locked)
    case = locked.case
    if plan.no_consensus_action is NoConsensusAction.DEFER:
        set_status(actor, case, CaseStatus.DEFERRED, "no consensus: more workup")
    elif plan.no_consensus_action is NoConsensusAction.RE_PRESENT:
        try:
            put_first_at_next(conference, [locked], actor.now)
        except ConferenceError as error:
            raise RoomError(str(error)) from None
        set_status(actor, case, CaseStatus.SCHEDULED, "no consensus: re-presented at the next meeting")
    db.session.flush()
    record(
        actor,
        "close",
        "presentation",
        locked.id,
        f"result={result.result.value};action={action.value if action else ''};override={not check.met}",
    )
    _room_changed(locked.conference_id, actor.now)
    return result


def _finish(actor: Actor, presentation: Presentation) -> None:
    presentation.status, presentation.closed_at, presentation.closed_by_id = (
        PresentationStatus.CLOSED,
        actor.now,
        actor.id,
    )
    presentation.started_at = presentation.started_at or actor.now
    if presentation.prospective is None:
        presentation.prospective = _computed_prospective(presentation)
    if presentation.conference.status is ConferenceStatus.SCHEDULED:
        presentation.conference.status = ConferenceStatus.HELD
    if presentation.case.status is not CaseStatus.PRESENTED:
        set_status(
            actor, presentation.case, CaseStatus.PRESENTED, f"presented at conference {presentation.conference_id}"
        )


def list_not_discussed(actor: Actor, presentation: Presentation, standard: str) -> None:
    """Record a case managed by an agreed standard of care: listed, not discussed (counted apart in reports)."""
    _require_chair(actor.user, presentation.conference)
    _require_meeting(presentation.conference, actor.now)
    locked = _lock(presentation, exclusive=True)
    _require_open(locked)
    if not standard.strip():
        raise RoomError("Name the standard of care applied.")
    locked.track, locked.standard_of_care = PresentationTrack.LISTED_NOT_DISCUSSED, standard.strip()[:200]
    _finish(actor, locked)
    db.session.flush()
    record(actor, "listed", "presentation", locked.id)
    _room_changed(locked.conference_id, actor.now)
