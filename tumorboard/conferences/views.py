"""Conference pages: series, occurrences, agendas, the agenda PDF, and 'my conferences'."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import partial
from io import BytesIO
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, render_template, request, send_file, url_for
from flask_login import current_user

from tumorboard.audit.operations import record, record_read
from tumorboard.auth.forms import CalendarTokenForm
from tumorboard.cases.visibility import require_conference
from tumorboard.conferences import operations as ops
from tumorboard.conferences.forms import AgendaForm, CancelForm, MemberForm, MemberRoleForm, RescheduleForm, SeriesForm
from tumorboard.conferences.models import Conference, ConferenceSeries
from tumorboard.conferences.pdf import agenda_document, agenda_filename, agenda_pdf
from tumorboard.conferences.queries import conference_rows, load_agenda_page, load_members_page, my_page
from tumorboard.conferences.recurrence import describe_rrule
from tumorboard.conferences.rules import agenda_open, may_carry_over, validate_series
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings
from tumorboard.vocab import BoardRole, ConferenceStatus, Role
from tumorboard.web.access import allow
from tumorboard.web.actions import Done, run_action, run_form
from tumorboard.web.actor import current_actor

bp = Blueprint("conferences", __name__, url_prefix="/conferences", cli_group=None)

VIEWERS = (Role.PHYSICIAN, Role.COORDINATOR, Role.NAVIGATOR, Role.AUDITOR)
COORDINATORS = (Role.COORDINATOR,)


@bp.route("/")
@allow(*VIEWERS)
def index() -> str:
    """Every series with its rhythm, and the conferences of the next four weeks."""
    now = current_actor().now
    series = db.session.scalars(
        sa.select(ConferenceSeries).order_by(ConferenceSeries.active.desc(), ConferenceSeries.name)
    )
    upcoming = conference_rows(
        (Conference.starts_at >= now - timedelta(hours=2)) & (Conference.starts_at < now + timedelta(weeks=4))
    )
    return render_template("conferences/index.html", series=list(series), upcoming=upcoming, describe=describe_rrule)


@bp.route("/mine")
@allow(Role.PHYSICIAN)
def mine() -> str:
    """My upcoming conferences and my cases on agendas."""
    conferences, cases = my_page(current_user, current_actor().now)
    return render_template("conferences/mine.html", conferences=conferences, cases=cases)


@bp.route("/series/new", methods=["GET", "POST"])
@allow(*COORDINATORS)
def new_series() -> object:
    """Create a series; its occurrences are generated ahead at once."""
    form = SeriesForm()
    if request.method == "GET":
        form.timezone.data = current_app.config["TIMEZONE"]
    return run_form(form, lambda: _saved_series(form, None, "created"), lambda: _series_form(form, None),
                    partial(_series_rules, form))


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@allow(*COORDINATORS)
def edit_series(series_id: int) -> object:
    """Change a series; future occurrences the new rule no longer has are cancelled."""
    series = db.get_or_404(ConferenceSeries, series_id)
    form = SeriesForm()
    if request.method == "GET":
        form.fill_from(series)
    return run_form(form, lambda: _saved_series(form, series, "saved"), lambda: _series_form(form, series),
                    partial(_series_rules, form))


@bp.route("/series/<int:series_id>")
@allow(*VIEWERS)
def series(series_id: int) -> str:
    """A series: its settings, the coming occurrences and the recent ones."""
    item, now = db.get_or_404(ConferenceSeries, series_id), current_actor().now
    window = (Conference.starts_at >= now - timedelta(weeks=8)) & (
        Conference.starts_at < now + timedelta(weeks=item.weeks_ahead + 1)
    )
    dropped = (Conference.status == ConferenceStatus.CANCELLED) & (Conference.cancel_reason == ops.SCHEDULE_CHANGED)
    rows = conference_rows((Conference.series_id == item.id) & window & ~dropped)  # a dropped date is no meeting
    feed = url_for("calendar.series_feed", token=item.feed_token, _external=True) if item.feed_token else None
    return render_template("conferences/series.html", s=item, rows=rows, now=now, describe=describe_rrule, feed=feed,
                           cancel_form=CancelForm(), move_form=RescheduleForm(), token_form=CalendarTokenForm())


@bp.route("/series/<int:series_id>/members", methods=["GET", "POST"])
@allow(Role.COORDINATOR, Role.AUDITOR)
def members(series_id: int) -> object:
    """A board's members, chairs and deputy, each one's attendance this year; the coordinator adds and removes them."""
    item, form = db.get_or_404(ConferenceSeries, series_id), MemberForm()
    if request.method == "POST" and not current_user.has_role(Role.COORDINATOR):
        abort(403)
    def add() -> Done:  # after the form is valid: the role is one of the list
        said = ops.add_member(current_actor(), item, form.member.data or "", BoardRole(form.role.data))
        return Done(said, url_for("conferences.members", series_id=item.id))

    return run_form(form, add, partial(_members_page, item, form))


@bp.route("/series/<int:series_id>/members/<int:user_id>", methods=["POST"])
@allow(*COORDINATORS)
def member(series_id: int, user_id: int) -> object:
    """Make a member a chair, the deputy or a member again, or take them off the board."""
    item, form = db.get_or_404(ConferenceSeries, series_id), MemberRoleForm()
    role = BoardRole.from_code(form.role.data) if form.validate_on_submit() else None
    if role is None and form.role.data != "remove":
        abort(400)
    back = url_for("conferences.members", series_id=item.id)
    return run_action(back, lambda: ops.change_member(current_actor(), item, user_id, role))


def _members_page(series: ConferenceSeries, form: MemberForm) -> str:
    return render_template("conferences/members.html", s=series, form=form, role_form=MemberRoleForm(),
                           page=load_members_page(series, current_actor().now))


@bp.route("/series/<int:series_id>/generate", methods=["POST"])
@allow(*COORDINATORS)
def generate(series_id: int) -> object:
    """Create the missing occurrences of the coming weeks."""
    item = db.get_or_404(ConferenceSeries, series_id)

    def generate_ahead() -> str:
        created = ops.generate_occurrences(item, current_actor().now)
        return (
            f"{created} new occurrence{'s' if created != 1 else ''} generated."
            if created
            else "Every occurrence is already there."
        )

    return run_action(url_for("conferences.series", series_id=item.id), generate_ahead)


@bp.route("/series/<int:series_id>/calendar", methods=["POST"])
@allow(*COORDINATORS)
def series_calendar(series_id: int) -> object:
    """Make (or replace) the board's secret calendar link, or revoke it."""
    item, form = db.get_or_404(ConferenceSeries, series_id), CalendarTokenForm()
    if not form.validate_on_submit():
        abort(400)
    revoke, back = form.action.data == "revoke", url_for("conferences.series", series_id=item.id)
    return run_action(back, lambda: ops.set_series_feed(current_actor(), item, revoke))


@bp.route("/<int:conference_id>/cancel", methods=["POST"])
@allow(*COORDINATORS)
def cancel(conference_id: int) -> object:
    """Cancel one occurrence; its cases return to the queue."""
    form = CancelForm()

    def act(conference: Conference) -> str:
        returned = ops.cancel_conference(current_actor(), conference, form.reason.data or "")
        return (f"Conference cancelled; {returned} case{'s' if returned != 1 else ''} returned to the queue. "
                "Restore it from the list while it is still ahead, and its cases come back.")

    return _conference_action(conference_id, act)


@bp.route("/<int:conference_id>/restore", methods=["POST"])
@allow(*COORDINATORS)
def restore(conference_id: int) -> object:
    """Undo a cancellation while the meeting is ahead: scheduled again, with the cases it sent to the queue."""
    return _conference_action(conference_id, lambda conference: ops.restore_conference(current_actor(), conference))


@bp.route("/<int:conference_id>/reschedule", methods=["POST"])
@allow(*COORDINATORS)
def reschedule(conference_id: int) -> object:
    """Move one occurrence to another date or time (in the series' zone)."""
    form = RescheduleForm()

    def act(conference: Conference) -> str:
        if not form.validate() or form.starts_at.data is None:
            raise ops.ConferenceError("Give the new date and time.")
        same = ops.move_conference(
            current_actor(), conference, form.starts_at.data.replace(tzinfo=ZoneInfo(conference.series.timezone))
        )
        return same or "Conference moved; calendars will show the new time."

    return _conference_action(conference_id, act)


@bp.route("/<int:conference_id>")
@allow(*VIEWERS)
def show(conference_id: int) -> str:
    """The agenda: order, minutes, projected times, capacity, late and unready flags; the matching queue."""
    conference, now = _readable(conference_id), current_actor().now
    page = load_agenda_page(conference)
    shown = [line.case_id for line in page.lines] + [queued.case_id for queued in page.queue]
    record_read(current_actor(), "case", shown, f"conference={conference.id}")
    coordinator = current_user.has_role(*COORDINATORS)
    html = render_template(
        "conferences/show.html", page=page, zone=ZoneInfo(page.series.timezone), now=now, form=AgendaForm(),
        editable=coordinator and agenda_open(conference.status, conference.starts_at, now),
        can_carry=coordinator and may_carry_over(conference.status, conference.starts_at, now),
        cancel_form=CancelForm(), move_form=RescheduleForm(),
    )
    db.session.commit()  # after rendering: committing first would expire every loaded row and reload each one
    return html


@bp.route("/<int:conference_id>/agenda/add", methods=["POST"])
@allow(*COORDINATORS)
def add_case(conference_id: int) -> object:
    """Put one queued case (its Add button) or the ticked ones on the agenda, in the queue's order."""
    form = _agenda_form()
    wanted = [form.case_id.data] if form.case_id.data else list(form.case_ids.data or [])
    return _conference_action(
        conference_id, lambda conference: ops.assign_cases(current_actor(), conference, wanted, form.version.data),
        form=form,
    )


@bp.route("/<int:conference_id>/agenda/<int:presentation_id>/<any(up, down):direction>", methods=["POST"])
@allow(*COORDINATORS)
def reorder(conference_id: int, presentation_id: int, direction: str) -> object:
    """Move a case up or down (works without JavaScript)."""
    form, offset = _agenda_form(), -1 if direction == "up" else 1
    move = partial(ops.move_case, current_actor(), presentation_id=presentation_id, offset=offset,
                   expected_version=form.version.data)
    return _conference_action(conference_id, move, form=form)


@bp.route("/<int:conference_id>/agenda/<int:presentation_id>/position", methods=["POST"])
@allow(*COORDINATORS)
def position(conference_id: int, presentation_id: int) -> object:
    """Move a case to a given place on the agenda (the form, and what dragging a line sends)."""
    form = _agenda_form()
    if form.position.data is None and not form.errors:
        form.position.errors = ["Give the position to move the case to."]
    move = partial(ops.move_case, current_actor(), presentation_id=presentation_id, expected_version=form.version.data,
                   to_position=form.position.data)
    return _conference_action(conference_id, move, form=form)


@bp.route("/<int:conference_id>/agenda/<int:presentation_id>/minutes", methods=["POST"])
@allow(*COORDINATORS)
def minutes(conference_id: int, presentation_id: int) -> object:
    """Set the minutes allotted to a case."""
    form = _agenda_form()

    def act(conference: Conference) -> None:
        if form.minutes.data is None:
            raise ops.ConferenceError("Give the minutes as a whole number.")
        ops.set_minutes(current_actor(), conference, presentation_id, form.minutes.data, form.version.data)

    return _conference_action(conference_id, act, form=form)


@bp.route("/<int:conference_id>/agenda/<int:presentation_id>/remove", methods=["POST"])
@allow(*COORDINATORS)
def remove(conference_id: int, presentation_id: int) -> object:
    """Take a case off the agenda; it returns to the queue."""
    form = _agenda_form()
    remove_case = partial(ops.remove_case, current_actor(), presentation_id=presentation_id,
                          expected_version=form.version.data)
    return _conference_action(conference_id, remove_case, "Case returned to the queue.", form)


@bp.route("/<int:conference_id>/carry-over", methods=["POST"])
@allow(*COORDINATORS)
def carry_over(conference_id: int) -> object:
    """After the meeting: cases not reached go to the top of the next occurrence."""
    form = _agenda_form()

    def act(conference: Conference) -> str:
        target, count = ops.carry_over(current_actor(), conference)
        when = target.starts_at.astimezone(ZoneInfo(conference.series.timezone)).strftime("%a %d %b %Y")
        return f"{count} case{'s' if count != 1 else ''} carried over to {when}, at the top of the agenda."

    return _conference_action(conference_id, act, form=form)


@bp.route("/<int:conference_id>/agenda.pdf")
@allow(*VIEWERS)
def agenda_file(conference_id: int) -> object:
    """The agenda as a PDF for the meeting room; `?variant=deidentified` prints initials and case numbers only."""
    conference = _readable(conference_id)
    deidentified = request.args.get("variant") == "deidentified"
    page = load_agenda_page(conference)
    document = agenda_document(
        page, program_settings().letterhead_name or "TumorBoard", deidentified, current_actor().now
    )
    record(current_actor(), "export", "conference", conference.id, f"agenda_pdf;deidentified={deidentified}",
           cases=[line.case_id for line in page.lines])
    db.session.commit()
    return send_file(
        BytesIO(agenda_pdf(document)), mimetype="application/pdf", download_name=agenda_filename(page, deidentified)
    )


def _readable(conference_id: int) -> Conference:
    conference = db.get_or_404(Conference, conference_id)
    require_conference(current_user, conference)
    return conference


def _series_form(form: SeriesForm, series: ConferenceSeries | None) -> str:
    return render_template("conferences/series_form.html", form=form, series=series)


def _series_rules(form: SeriesForm) -> dict[str, list[str]]:
    """The series rules on what could be read of a form that did not validate: said with the form's own problems."""
    return validate_series(form.to_input())[1].by_field


def _saved_series(form: SeriesForm, series: ConferenceSeries | None, done: str) -> Done:
    saved = ops.save_series(current_actor(), series, form.to_input())
    return Done(f"{saved.name} {done}.", url_for("conferences.series", series_id=saved.id))


def _agenda_form() -> AgendaForm:
    form = AgendaForm()
    form.validate()  # what it cannot read is said by _conference_action, as a message on the agenda
    return form


def _conference_action(
    conference_id: int, action: Callable[[Conference], str | None], said: str | None = None,
    form: AgendaForm | None = None,
) -> object:
    """Run one change on a conference and go back to the page it came from (its series, or its agenda)."""
    conference = db.get_or_404(Conference, conference_id)
    if request.form.get("back") == "series":
        back = url_for("conferences.series", series_id=conference.series_id)
    else:
        back = url_for("conferences.show", conference_id=conference.id)

    def act() -> str | None:
        if form is not None and form.errors:
            raise ops.ConferenceError(" ".join(f"{form[name].label.text}: {message}" for name, messages
                                               in form.errors.items() for message in messages))
        return action(conference)

    return run_action(back, act, said)
