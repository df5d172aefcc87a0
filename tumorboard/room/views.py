"""The conference room: the live page, one case's panel, votes with a live tally, attendance certificates."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from io import BytesIO

import sqlalchemy as sa
from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption

from tumorboard.audit.operations import record
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.cases.visibility import IN_THE_ROOM, require_conference
from tumorboard.conferences.models import Conference, ConferenceSeries
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.room import operations as ops
from tumorboard.room.certificate import AttendedMeeting, certificate_pdf
from tumorboard.room.forms import (
    CertificateForm,
    CheckInForm,
    CloseForm,
    DiscussionForm,
    ListedForm,
    PlanForm,
    ProspectiveForm,
    RecommendationForm,
    VoteForm,
    yes_no,
)
from tumorboard.room.models import Attendance, Presentation
from tumorboard.room.queries import load_case_panel, load_room, tally_payload
from tumorboard.vocab import (
    AttendanceMode,
    ConferenceStatus,
    DiagnosisOpinion,
    Intent,
    Modality,
    NoConsensusAction,
    PlanOpinion,
    PresentationReason,
    Role,
    Specialty,
    VoteChoice,
)
from tumorboard.web.access import allow, signed_in
from tumorboard.web.actions import run_action

bp = Blueprint("room", __name__, url_prefix="/room")

ACTORS = (Role.PHYSICIAN, Role.COORDINATOR)


def _act(back: str, action: Callable[[], str | None]) -> object:
    return run_action(back, action, (ops.RoomError,))


# The presentation with its conference and series in one statement (the series' site groups and required specialties
# are left for whoever reads them: no page of one case does).
WITH_SERIES = joinedload(Presentation.conference).joinedload(Conference.series).lazyload("*")
# And what the case panel shows: the case, its patient and biomarkers, the consensus plan.
WITH_PANEL = (
    joinedload(Presentation.case).joinedload(Case.patient),
    selectinload(Presentation.case, Case.biomarkers),
    joinedload(Presentation.consensus_plan),
)


def _presentation(conference_id: int, presentation_id: int, *options: ORMOption) -> Presentation:
    presentation = db.session.get(Presentation, presentation_id, options=[WITH_SERIES, *options])
    if presentation is None or presentation.conference_id != conference_id:
        abort(404)
    require_conference(current_user, presentation.conference)
    return presentation


def _case_url(presentation: Presentation) -> str:
    return url_for("room.case", conference_id=presentation.conference_id, presentation_id=presentation.id)


@bp.route("/<int:conference_id>")
@allow(*IN_THE_ROOM)
def live(conference_id: int) -> str:
    """The meeting: who is in, whether it is quorate, and the cases in order."""
    conference = db.get_or_404(Conference, conference_id)
    require_conference(current_user, conference)
    page = load_room(conference, current_user)
    if page.lines:
        record(
            current_user.id,
            "list",
            "case",
            None,
            f"room={conference.id};ids=" + ",".join(str(line.case_id) for line in page.lines),
            request.remote_addr,
        )
    html = render_template(
        "room/live.html",
        page=page,
        zone=program_zone(),
        chair=ops.is_chair(current_user, conference),
        form=CheckInForm(),
        modes=AttendanceMode,
    )
    db.session.commit()
    return html


@bp.route("/<int:conference_id>/check-in", methods=["POST"])
@allow(*ACTORS)
def check_in(conference_id: int) -> object:
    """Check yourself in from your own device, or (chair) check someone in."""
    conference = db.get_or_404(Conference, conference_id)
    require_conference(current_user, conference)  # checking in must not be a way around "own boards only"
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400)

    def act() -> str:
        person = db.session.get(User, form.user_id.data) if form.user_id.data else current_user
        if person is None or not person.active:
            raise ops.RoomError("That person cannot be checked in.")
        ops.check_in(current_user, conference, person, AttendanceMode(form.mode.data), utcnow(), request.remote_addr)
        return f"{person.full_name} is checked in."

    return _act(url_for("room.live", conference_id=conference.id), act)


@bp.route("/<int:conference_id>/attendance/<int:attendance_id>/remove", methods=["POST"])
@allow(Role.COORDINATOR, Role.PHYSICIAN)
def check_out(conference_id: int, attendance_id: int) -> object:
    """Undo a check-in made by mistake."""
    conference = db.get_or_404(Conference, conference_id)
    if not CheckInForm().validate_on_submit():
        abort(400)
    return _act(
        url_for("room.live", conference_id=conference.id),
        lambda: ops.check_out(current_user, conference, attendance_id, request.remote_addr) or "Check-in removed.",
    )


@bp.route("/<int:conference_id>/case/<int:presentation_id>")
@allow(*IN_THE_ROOM)
def case(conference_id: int, presentation_id: int) -> str:
    """One case: the presenter's summary, recommendations, discussion items, the plan and its vote."""
    presentation = _presentation(conference_id, presentation_id, *WITH_PANEL)
    conference = presentation.conference
    series = conference.series
    panel = load_case_panel(presentation, current_user, series.consensus_numerator, series.consensus_denominator)
    record(
        current_user.id,
        "view",
        "case",
        presentation.case_id,
        f"room presentation={presentation.id}",
        request.remote_addr,
    )
    chair = ops.is_chair(current_user, conference)
    discussion = DiscussionForm(obj=presentation)
    discussion.guideline_concordant.data = {True: "yes", False: "no"}.get(presentation.guideline_concordant, "")
    discussion.diagnosis_opinion.data = presentation.diagnosis_opinion.value if presentation.diagnosis_opinion else ""
    discussion.plan_opinion.data = presentation.plan_opinion.value if presentation.plan_opinion else ""
    recommendation = RecommendationForm()
    recommendation.specialty.data = current_user.specialty.value
    prospective = ProspectiveForm()
    prospective.reason.data = presentation.reason.value
    plan = PlanForm()
    if presentation.consensus_plan is not None:
        plan.text.data = presentation.consensus_plan.text
        plan.intent.data = presentation.consensus_plan.intent.value if presentation.consensus_plan.intent else ""
    vote = VoteForm()
    if panel.my_vote is not None:
        vote.choice.data, vote.comment.data = panel.my_vote.choice.value, panel.my_vote.comment
    html = render_template(
        "room/case.html",
        p=presentation,
        c=conference,
        series=series,
        panel=panel,
        chair=chair,
        zone=program_zone(),
        may_vote=current_user.has_role(Role.PHYSICIAN) and ops.is_checked_in(current_user, conference.id),
        may_plan=chair or current_user.id == presentation.presenter_id,
        discussion=discussion,
        recommendation=recommendation,
        prospective=prospective,
        plan=plan,
        vote=vote,
        close_form=CloseForm(),
        listed=ListedForm(),
        now=utcnow(),
    )
    db.session.commit()
    return html


@bp.route("/<int:conference_id>/case/<int:presentation_id>/tally.json")
@allow(*IN_THE_ROOM)
def tally_json(conference_id: int, presentation_id: int) -> object:
    """The live tally for the page's poll (no patient data)."""
    presentation = _presentation(conference_id, presentation_id)
    series = presentation.conference.series
    response = jsonify(
        tally_payload(presentation, series.consensus_numerator, series.consensus_denominator, current_user)
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _case_action(
    conference_id: int, presentation_id: int, form_class: type, action: Callable[[Presentation, object], str | None]
) -> object:
    presentation = _presentation(conference_id, presentation_id)
    form = form_class()
    if not form.validate_on_submit():
        flash(
            " ".join(message for messages in form.errors.values() for message in messages)
            or "The form could not be read.",
            "warning",
        )
        return redirect(_case_url(presentation))
    return _act(_case_url(presentation), lambda: action(presentation, form))


@bp.route("/<int:conference_id>/case/<int:presentation_id>/start", methods=["POST"])
@allow(*ACTORS)
def start(conference_id: int, presentation_id: int) -> object:
    """Open the discussion of this case."""
    return _case_action(
        conference_id,
        presentation_id,
        CloseForm,
        lambda p, f: ops.start(current_user, p, utcnow(), request.remote_addr) or "Discussion opened.",
    )


@bp.route("/<int:conference_id>/case/<int:presentation_id>/prospective", methods=["POST"])
@allow(*ACTORS)
def prospective(conference_id: int, presentation_id: int) -> object:
    """Record why the case is presented (and an override of the prospective rule, with its reason)."""
    return _case_action(
        conference_id,
        presentation_id,
        ProspectiveForm,
        lambda p, f: (
            ops.set_prospective(
                current_user,
                p,
                PresentationReason(f.reason.data),
                yes_no(f.override.data),
                f.why.data or "",
                request.remote_addr,
            )
            or "Saved."
        ),
    )


@bp.route("/<int:conference_id>/case/<int:presentation_id>/recommendation", methods=["POST"])
@allow(*ACTORS)
def recommendation(conference_id: int, presentation_id: int) -> object:
    """Record a specialty's recommendation (your own, or on its behalf when you chair)."""

    def act(p: Presentation, f: RecommendationForm) -> str:
        data = ops.RecommendationInput(
            Specialty(f.specialty.data),
            Modality(f.modality.data),
            Intent(f.intent.data) if f.intent.data else None,
            f.sequence.data or "",
            f.text.data or "",
        )
        ops.save_recommendation(current_user, p, data, utcnow(), request.remote_addr)
        return f"{data.specialty.label} recommendation saved."

    return _case_action(conference_id, presentation_id, RecommendationForm, act)


@bp.route("/<int:conference_id>/case/<int:presentation_id>/discussion", methods=["POST"])
@allow(*ACTORS)
def discussion(conference_id: int, presentation_id: int) -> object:
    """Tick the required discussion items."""

    def act(p: Presentation, f: DiscussionForm) -> str:
        data = ops.DiscussionInput(
            f.stage_discussed.data,
            f.guideline_discussed.data,
            f.guideline_name.data or "",
            f.guideline_version.data or "",
            yes_no(f.guideline_concordant.data),
            f.trials_discussed.data,
            f.trials_named.data or "",
            f.genetics_considered.data,
            f.palliative_considered.data,
            f.psychosocial_considered.data,
            DiagnosisOpinion(f.diagnosis_opinion.data) if f.diagnosis_opinion.data else None,
            PlanOpinion(f.plan_opinion.data) if f.plan_opinion.data else None,
        )
        ops.save_discussion(current_user, p, data, request.remote_addr)
        return "Discussion items saved."

    return _case_action(conference_id, presentation_id, DiscussionForm, act)


@bp.route("/<int:conference_id>/case/<int:presentation_id>/plan", methods=["POST"])
@allow(*ACTORS)
def plan(conference_id: int, presentation_id: int) -> object:
    """Put the consensus plan to the vote."""
    return _case_action(
        conference_id,
        presentation_id,
        PlanForm,
        lambda p, f: (
            ops.set_plan(
                current_user,
                p,
                f.text.data or "",
                Intent(f.intent.data) if f.intent.data else None,
                utcnow(),
                request.remote_addr,
            )
            and "The plan is open for votes."
        ),
    )


@bp.route("/<int:conference_id>/case/<int:presentation_id>/vote", methods=["POST"])
@allow(Role.PHYSICIAN)
def vote(conference_id: int, presentation_id: int) -> object:
    """Vote agree / disagree / abstain, with a comment; vote again to change it until the case is closed."""
    return _case_action(
        conference_id,
        presentation_id,
        VoteForm,
        lambda p, f: (
            ops.cast_vote(
                current_user, p, VoteChoice(f.choice.data), f.comment.data or "", utcnow(), request.remote_addr
            )
            or "Your vote is counted."
        ),
    )


@bp.route("/<int:conference_id>/case/<int:presentation_id>/close", methods=["POST"])
@allow(*ACTORS)
def close(conference_id: int, presentation_id: int) -> object:
    """Close the case: votes and recommendations lock, the case is presented."""

    def act(p: Presentation, f: CloseForm) -> str:
        result = ops.close(
            current_user, p, NoConsensusAction(f.action.data) if f.action.data else None, utcnow(), request.remote_addr
        )
        counts = f"{result.agree} agree, {result.disagree} disagree, {result.abstain} abstain"
        return f"Case closed: {result.result.label.lower()} ({counts})."

    return _case_action(conference_id, presentation_id, CloseForm, act)


@bp.route("/<int:conference_id>/case/<int:presentation_id>/listed", methods=["POST"])
@allow(*ACTORS)
def listed(conference_id: int, presentation_id: int) -> object:
    """Record the case as listed, not discussed, under a named standard of care."""
    return _case_action(
        conference_id,
        presentation_id,
        ListedForm,
        lambda p, f: (
            ops.list_not_discussed(current_user, p, f.standard.data or "", utcnow(), request.remote_addr)
            or "Listed, not discussed."
        ),
    )


@bp.route("/certificate.pdf")
@signed_in
def certificate() -> object:
    """An attendance certificate (CME) for the conferences the user attended in a period (default: this year)."""
    form = CertificateForm(request.args)
    today = program_today()
    start = form.start.data if form.validate() and form.start.data else date(today.year, 1, 1)
    end = form.end.data if form.end.data else today
    if end < start:
        start, end = end, start
    zone = program_zone()
    rows = db.session.execute(
        sa.select(Conference, ConferenceSeries.name, Attendance.mode)
        .join(Attendance, Attendance.conference_id == Conference.id)
        .join(ConferenceSeries, Conference.series_id == ConferenceSeries.id)
        .where(
            Attendance.user_id == current_user.id,
            Conference.status == ConferenceStatus.HELD,
            Conference.starts_at >= datetime.combine(start, time(0), zone),
            Conference.starts_at < datetime.combine(end + timedelta(days=1), time(0), zone),
        )
        .order_by(Conference.starts_at)
    ).all()
    meetings = [
        AttendedMeeting(c.starts_at.astimezone(zone).date(), name, c.duration_minutes, mode.label)
        for c, name, mode in rows
    ]
    settings = program_settings()
    pdf = certificate_pdf(
        settings.letterhead_name or "TumorBoard",
        current_user.display_name,
        current_user.specialty.label,
        start,
        end,
        meetings,
        today,
    )
    record(
        current_user.id,
        "export",
        "attendance_certificate",
        current_user.id,
        f"{start}..{end};meetings={len(meetings)}",
        request.remote_addr,
    )
    db.session.commit()
    return send_file(BytesIO(pdf), mimetype="application/pdf", download_name=f"attendance-{start}-{end}.pdf")
