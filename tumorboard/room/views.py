"""The conference room: the live page, one case's panel, votes with a live tally, attendance certificates."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.interfaces import ORMOption
from werkzeug.wrappers import Response

from tumorboard.audit.operations import record, record_read
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.cases.visibility import IN_THE_ROOM, require_conference
from tumorboard.conferences.models import Conference
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.room import operations as ops
from tumorboard.room.certificate import certificate_pdf
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
    case_forms,
    discussion_input,
    recommendation_input,
    yes_no,
)
from tumorboard.room.models import Presentation
from tumorboard.room.queries import (
    RoomPoll,
    attended_meetings,
    load_case_panel,
    load_room,
    load_room_live,
    room_poll,
)
from tumorboard.vocab import (
    AttendanceMode,
    Intent,
    NoConsensusAction,
    PresentationReason,
    Role,
    VoteChoice,
)
from tumorboard.web.access import allow, signed_in
from tumorboard.web.actions import run_action
from tumorboard.web.actor import current_actor
from tumorboard.web.live import conditional_json, shared_states

bp = Blueprint("room", __name__, url_prefix="/room")

ACTORS = (Role.PHYSICIAN, Role.COORDINATOR)


# The presentation with its conference and series in one statement (the series' site groups and required specialties
# are left for whoever reads them: the closing rule reads the required ones once).
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
    conference = _conference(conference_id)
    page = load_room(conference, current_user)
    record_read(current_actor(), "case", [line.case_id for line in page.lines], f"room={conference.id}")
    current = _current(conference.id, room_poll(conference.id, current_user.id).current,
                       [line.presentation.id for line in page.lines])
    html = render_template("room/live.html", page=page, zone=program_zone(), form=CheckInForm(), modes=AttendanceMode,
                           chair=ops.is_chair(current_user, conference), current=current)
    db.session.commit()
    return html


@bp.route("/<int:conference_id>/check-in", methods=["POST"])
@allow(*ACTORS)
def check_in(conference_id: int) -> object:
    """Check yourself in from your own device, or (chair) check someone in."""
    conference = _conference(conference_id)  # checking in must not be a way around "own boards only"
    form = CheckInForm()
    if not form.validate_on_submit():
        abort(400)

    def act() -> str:
        person = db.session.get(User, form.user_id.data) if form.user_id.data else current_user
        if person is None or not person.active:
            raise ops.RoomError("That person cannot be checked in.")
        ops.check_in(current_actor(), conference, person, AttendanceMode(form.mode.data))
        return f"{person.full_name} is checked in."

    return run_action(url_for("room.live", conference_id=conference.id), act)


@bp.route("/<int:conference_id>/attendance/<int:attendance_id>/remove", methods=["POST"])
@allow(Role.COORDINATOR, Role.PHYSICIAN)
def check_out(conference_id: int, attendance_id: int) -> object:
    """Undo a check-in made by mistake."""
    conference = db.get_or_404(Conference, conference_id)
    if not CheckInForm().validate_on_submit():
        abort(400)
    back = url_for("room.live", conference_id=conference.id)
    return run_action(back, lambda: ops.check_out(current_actor(), conference, attendance_id), "Check-in removed.")


@bp.route("/<int:conference_id>/case/<int:presentation_id>")
@allow(*IN_THE_ROOM)
def case(conference_id: int, presentation_id: int) -> str:
    """One case: the presenter's summary, recommendations, discussion items, the plan and its vote."""
    presentation = _presentation(conference_id, presentation_id, *WITH_PANEL)
    conference, series = presentation.conference, presentation.conference.series
    chair = ops.is_chair(current_user, conference)
    panel = load_case_panel(presentation, current_user, series.consensus_numerator, series.consensus_denominator, chair)
    record_read(current_actor(), "case", presentation.case_id, f"room presentation={presentation.id}")
    html = render_template(
        "room/case.html", p=presentation, c=conference, series=series, panel=panel, chair=chair, zone=program_zone(),
        may_vote=current_user.has_role(Role.PHYSICIAN) and ops.is_checked_in(current_user, conference.id),
        may_plan=chair or current_user.id == presentation.presenter_id, now=current_actor().now,
        **case_forms(presentation, panel.my_vote, current_user),
    )
    db.session.commit()
    return html


@bp.route("/<int:conference_id>/state.json")
@allow(*IN_THE_ROOM)
def state(conference_id: int) -> Response:
    """What every open screen of the meeting polls: 304 while nothing changed, otherwise the room as it is now (who is
    in, the quorum, the case under discussion and, for a case page, its plan version, tally, comments and roster). It
    holds no patient data: the page that polls it was audited when it was read."""
    case_id = request.args.get("case", type=int)
    if (room := room_poll(conference_id, current_user.id, case_id)) is None:
        abort(404)
    require_conference(current_user, room.conference)
    tag = f"{room.token}.{current_user.id}.{case_id or 0}"
    return conditional_json(tag, lambda: _live_state(room, case_id))


@bp.route("/<int:conference_id>/case/<int:presentation_id>/start", methods=["POST"])
@allow(*ACTORS)
def start(conference_id: int, presentation_id: int) -> object:
    """Move the room to this case (start, next, previous): screens following the chair open it."""
    return _case_action(conference_id, presentation_id, CloseForm, lambda p, f: ops.start(current_actor(), p),
                        "The room is on this case.")


@bp.route("/<int:conference_id>/case/<int:presentation_id>/prospective", methods=["POST"])
@allow(*ACTORS)
def prospective(conference_id: int, presentation_id: int) -> object:
    """Record why the case is presented (and an override of the prospective rule, with its reason)."""

    def act(p: Presentation, f: ProspectiveForm) -> str:
        reason, override = PresentationReason(f.reason.data), yes_no(f.override.data)
        ops.set_prospective(current_actor(), p, reason, override, f.why.data or "")
        return "Saved."

    return _case_action(conference_id, presentation_id, ProspectiveForm, act)


@bp.route("/<int:conference_id>/case/<int:presentation_id>/recommendation", methods=["POST"])
@allow(*ACTORS)
def recommendation(conference_id: int, presentation_id: int) -> object:
    """Record a specialty's recommendation (your own, or on its behalf when you chair)."""

    def act(p: Presentation, f: RecommendationForm) -> str:
        data = recommendation_input(f)
        ops.save_recommendation(current_actor(), p, data)
        return f"{data.specialty.label} recommendation saved."

    return _case_action(conference_id, presentation_id, RecommendationForm, act)


@bp.route("/<int:conference_id>/case/<int:presentation_id>/discussion", methods=["POST"])
@allow(*ACTORS)
def discussion(conference_id: int, presentation_id: int) -> object:
    """Tick the required discussion items."""
    def save(p: Presentation, f: DiscussionForm) -> None:
        ops.save_discussion(current_actor(), p, discussion_input(f))

    return _case_action(conference_id, presentation_id, DiscussionForm, save, "Discussion items saved.")


@bp.route("/<int:conference_id>/case/<int:presentation_id>/plan", methods=["POST"])
@allow(*ACTORS)
def plan(conference_id: int, presentation_id: int) -> object:
    """Put the consensus plan to the vote."""

    def act(p: Presentation, f: PlanForm) -> str | None:
        intent = Intent(f.intent.data) if f.intent.data else None
        return ops.set_plan(current_actor(), p, f.text.data or "", intent) and "The plan is open for votes."

    return _case_action(conference_id, presentation_id, PlanForm, act)


@bp.route("/<int:conference_id>/case/<int:presentation_id>/vote", methods=["POST"])
@allow(Role.PHYSICIAN)
def vote(conference_id: int, presentation_id: int) -> object:
    """Vote agree / disagree / abstain, with a comment; vote again to change it until the case is closed."""

    def act(p: Presentation, f: VoteForm) -> str:
        ops.cast_vote(current_actor(), p, VoteChoice(f.choice.data), f.comment.data or "", f.plan_version.data)
        return "Your vote is counted."

    return _case_action(conference_id, presentation_id, VoteForm, act)


@bp.route("/<int:conference_id>/case/<int:presentation_id>/close", methods=["POST"])
@allow(*ACTORS)
def close(conference_id: int, presentation_id: int) -> object:
    """Close the case: votes and recommendations lock, the case is presented."""

    def act(p: Presentation, f: CloseForm) -> str:
        action = NoConsensusAction(f.action.data) if f.action.data else None
        result = ops.close(current_actor(), p, action, f.override_reason.data or "")
        counts = f"{result.agree} agree, {result.disagree} disagree, {result.abstain} abstain"
        return f"Case closed: {result.result.label.lower()} ({counts})."

    return _case_action(conference_id, presentation_id, CloseForm, act)


@bp.route("/<int:conference_id>/case/<int:presentation_id>/listed", methods=["POST"])
@allow(*ACTORS)
def listed(conference_id: int, presentation_id: int) -> object:
    """Record the case as listed, not discussed, under a named standard of care."""
    def listed(p: Presentation, f: ListedForm) -> None:
        ops.list_not_discussed(current_actor(), p, f.standard.data or "")

    return _case_action(conference_id, presentation_id, ListedForm, listed, "Listed, not discussed.")


@bp.route("/certificate.pdf")
@signed_in
def certificate() -> object:
    """An attendance certificate (CME) for the conferences the user attended in a period (default: this year)."""
    today = program_today()
    start, end = CertificateForm(request.args).period(today)
    meetings = attended_meetings(current_user.id, start, end, program_zone(), current_actor().now)
    program = program_settings().letterhead_name or "TumorBoard"
    pdf = certificate_pdf(program, current_user.display_name, current_user.specialty.label, start, end, meetings, today)
    detail = f"{start}..{end};meetings={len(meetings)}"
    record(current_actor(), "export", "attendance_certificate", current_user.id, detail)
    db.session.commit()
    return send_file(BytesIO(pdf), mimetype="application/pdf", download_name=f"attendance-{start}-{end}.pdf")


def _live_state(room: RoomPoll, case_id: int | None) -> dict[str, object]:
    """The room as this user's screen shows it: what every screen shares (built once per change and per worker,
    except the chair's, which holds forms and the roster), then this user's own vote."""
    conference = room.conference
    chair = ops.is_chair(current_user, conference, room.series_chair)

    def build() -> dict[str, object]:
        presentation = _presentation(conference.id, case_id, *WITH_PANEL) if case_id else None  # 404 if not here
        return _shared_state(conference, room.current, presentation, chair)

    shared = build() if chair else shared_states().get((conference.id, room.token, case_id or 0), build)
    if not case_id:
        return shared
    mine = room.my_vote.label.lower() if room.my_vote else "none yet"
    return {**shared, "case": {**shared["case"], "my_vote": mine}}


def _shared_state(conference: Conference, current: int | None, presentation: Presentation | None,
                  chair: bool) -> dict[str, object]:
    """The conference page's state (quorum, attendance, where each case stands), or a case page's (its plan, tally,
    comments and, for the chair, the roster)."""
    if presentation is None:
        room = load_room_live(conference)
        return {
            "current": _current(conference.id, current, list(room.statuses)),
            "statuses": {str(pid): status.label for pid, status in room.statuses.items()},
            "fragments": {
                "quorum": render_template("room/_quorum.html", quorum=room.quorum),
                "attendance": render_template("room/_attendance.html", attendance=room.attendance, chair=chair),
            },
        }
    series = conference.series
    panel = load_case_panel(presentation, None, series.consensus_numerator, series.consensus_denominator, chair)
    plan, counted = presentation.consensus_plan, panel.tally
    fragments = {"comments": render_template("room/_comments.html", votes=panel.votes,
                                             plan_version=presentation.plan_version)}
    if chair:
        fragments["roster"] = render_template("room/_roster.html", roster=panel.roster, check=panel.closing)
    return {
        "current": _current(conference.id, current, list(panel.agenda)),
        "fragments": fragments,
        "case": {
            "id": presentation.id, "status": presentation.status.value,
            "plan_version": plan.version if plan else None, "plan_text": plan.text if plan else "",
            "tally": {"agree": counted.agree, "disagree": counted.disagree, "abstain": counted.abstain,
                      "cast": counted.cast, "result": counted.result.value,
                      "result_label": counted.label},
        },
    }


def _current(conference_id: int, current: int | None, order: list[int]) -> dict[str, object] | None:
    """The case the chair has the room on, as a link and its place on the agenda (no patient data)."""
    if current not in order:
        return None
    url = url_for("room.case", conference_id=conference_id, presentation_id=current)
    return {"id": current, "url": url, "label": f"case {order.index(current) + 1} of {len(order)} on the agenda"}


def _conference(conference_id: int) -> Conference:
    conference = db.get_or_404(Conference, conference_id)
    require_conference(current_user, conference)
    return conference


def _case_action(
    conference_id: int, presentation_id: int, form_class: type, action: Callable[[Presentation, object], str | None],
    said: str | None = None,
) -> object:
    """Run one change of a case's panel from its form; an unreadable form is said as a message."""
    presentation = _presentation(conference_id, presentation_id)
    form = form_class()
    if not form.validate_on_submit():
        problems = " ".join(m for messages in form.errors.values() for m in messages)
        flash(problems or "The form could not be read.", "warning")
        return redirect(_case_url(presentation))
    return run_action(_case_url(presentation), lambda: action(presentation, form), said)
