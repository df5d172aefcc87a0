"""Conference pages: series, occurrences, agendas, the agenda PDF, and 'my conferences'."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tumorboard.audit.operations import record
from tumorboard.cases.models import Case
from tumorboard.cases.visibility import require_conference
from tumorboard.cases.workflow import IllegalMove
from tumorboard.conferences import operations as ops
from tumorboard.conferences.forms import AgendaForm, CancelForm, RescheduleForm, SeriesForm
from tumorboard.conferences.models import Conference, ConferenceSeries
from tumorboard.conferences.pdf import AgendaDocument, AgendaRow, agenda_pdf
from tumorboard.conferences.queries import conference_rows, load_agenda_page, my_page
from tumorboard.conferences.recurrence import describe_rrule
from tumorboard.conferences.rules import validate_series
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.forms import show_problems
from tumorboard.program.settings import program_settings
from tumorboard.vocab import ConferenceStatus, Role
from tumorboard.web.access import allow
from tumorboard.web.actions import run_action

bp = Blueprint("conferences", __name__, url_prefix="/conferences", cli_group=None)

VIEWERS = (Role.PHYSICIAN, Role.COORDINATOR, Role.NAVIGATOR, Role.AUDITOR)
COORDINATORS = (Role.COORDINATOR,)


@bp.route("/")
@allow(*VIEWERS)
def index() -> str:
    """Every series with its rhythm, and the conferences of the next four weeks."""
    now = utcnow()
    series = db.session.scalars(
        sa.select(ConferenceSeries).order_by(ConferenceSeries.active.desc(), ConferenceSeries.name)
    ).all()
    upcoming = conference_rows(
        (Conference.starts_at >= now - timedelta(hours=2)) & (Conference.starts_at < now + timedelta(weeks=4))
    )
    return render_template("conferences/index.html", series=series, upcoming=upcoming, describe=describe_rrule)


@bp.route("/mine")
@allow(Role.PHYSICIAN)
def mine() -> str:
    """My upcoming conferences and my cases on agendas."""
    conferences, cases = my_page(current_user, utcnow())
    return render_template("conferences/mine.html", conferences=conferences, cases=cases)


def _save_series(form: SeriesForm, series: ConferenceSeries | None) -> ConferenceSeries | None:
    if not form.validate():
        return None
    data = form.to_input()
    rule, problems = validate_series(data)
    if problems:
        show_problems(form, problems.by_field)
        return None
    try:
        return ops.save_series(current_user, series, data, rule, utcnow(), request.remote_addr)
    except ops.ConferenceError as error:
        db.session.rollback()
        form.name.errors = [*form.name.errors, str(error)]
        return None


@bp.route("/series/new", methods=["GET", "POST"])
@allow(*COORDINATORS)
def new_series() -> object:
    """Create a series; its occurrences are generated ahead at once."""
    form = SeriesForm()
    if request.method == "GET":
        form.timezone.data = current_app.config["TIMEZONE"]
    elif (series := _save_series(form, None)) is not None:
        db.session.commit()
        flash(f"{series.name} created.", "success")
        return redirect(url_for("conferences.series", series_id=series.id))
    return render_template("conferences/series_form.html", form=form, series=None)


@bp.route("/series/<int:series_id>/edit", methods=["GET", "POST"])
@allow(*COORDINATORS)
def edit_series(series_id: int) -> object:
    """Change a series; future occurrences the new rule no longer has are cancelled."""
    series = db.get_or_404(ConferenceSeries, series_id)
    form = SeriesForm()
    if request.method == "GET":
        end = (
            datetime.combine(series.starts_on, series.start_time) + timedelta(minutes=series.duration_minutes)
        ).time()
        form.fill_from(series, end)
    elif _save_series(form, series) is not None:
        db.session.commit()
        flash(f"{series.name} saved.", "success")
        return redirect(url_for("conferences.series", series_id=series.id))
    return render_template("conferences/series_form.html", form=form, series=series)


@bp.route("/series/<int:series_id>")
@allow(*VIEWERS)
def series(series_id: int) -> str:
    """A series: its settings, the coming occurrences and the recent ones."""
    item = db.get_or_404(ConferenceSeries, series_id)
    now = utcnow()
    rows = conference_rows(
        (Conference.series_id == item.id)
        & (Conference.starts_at >= now - timedelta(weeks=8))
        & (Conference.starts_at < now + timedelta(weeks=item.weeks_ahead + 1))
    )
    return render_template(
        "conferences/series.html",
        s=item,
        rows=rows,
        now=now,
        describe=describe_rrule,
        cancel_form=CancelForm(),
        move_form=RescheduleForm(),
    )


@bp.route("/series/<int:series_id>/generate", methods=["POST"])
@allow(*COORDINATORS)
def generate(series_id: int) -> object:
    """Create the missing occurrences of the coming weeks."""
    item = db.get_or_404(ConferenceSeries, series_id)
    created = ops.generate_occurrences(item, utcnow())
    db.session.commit()
    flash(
        f"{created} new occurrence{'s' if created != 1 else ''} generated."
        if created
        else "Every occurrence is already there.",
        "info",
    )
    return redirect(url_for("conferences.series", series_id=item.id))


def _conference_action(conference_id: int, action) -> object:  # noqa: ANN001
    """Run one change on a conference and go back to the page it came from (its series, or its agenda)."""
    conference = db.get_or_404(Conference, conference_id)
    back = (
        url_for("conferences.series", series_id=conference.series_id)
        if request.form.get("back") == "series"
        else url_for("conferences.show", conference_id=conference.id)
    )
    return run_action(back, lambda: action(conference), (ops.ConferenceError, IllegalMove))


@bp.route("/<int:conference_id>/cancel", methods=["POST"])
@allow(*COORDINATORS)
def cancel(conference_id: int) -> object:
    """Cancel one occurrence; its cases return to the queue."""
    form = CancelForm()

    def act(conference: Conference) -> str:
        returned = ops.cancel_conference(
            current_user, conference, form.reason.data or "", utcnow(), request.remote_addr
        )
        return f"Conference cancelled; {returned} case{'s' if returned != 1 else ''} returned to the queue."

    return _conference_action(conference_id, act)


@bp.route("/<int:conference_id>/reschedule", methods=["POST"])
@allow(*COORDINATORS)
def reschedule(conference_id: int) -> object:
    """Move one occurrence to another date or time (in the series' zone)."""
    form = RescheduleForm()

    def act(conference: Conference) -> str:
        if not form.validate() or form.starts_at.data is None:
            raise ops.ConferenceError("Give the new date and time.")
        zone = ZoneInfo(conference.series.timezone)
        ops.move_conference(
            current_user, conference, form.starts_at.data.replace(tzinfo=zone), utcnow(), request.remote_addr
        )
        return "Conference moved; calendars will show the new time."

    return _conference_action(conference_id, act)


@bp.route("/<int:conference_id>")
@allow(*VIEWERS)
def show(conference_id: int) -> str:
    """The agenda: order, minutes, projected times, capacity, late and unready flags; the matching queue."""
    conference = db.get_or_404(Conference, conference_id)
    require_conference(current_user, conference)
    page = load_agenda_page(conference)
    shown = [line.case_id for line in page.lines] + [q.case_id for q in page.queue]
    if shown:
        record(
            current_user.id,
            "list",
            "case",
            None,
            f"conference={conference.id};ids=" + ",".join(map(str, shown)),
            request.remote_addr,
        )
    now = utcnow()
    html = render_template(
        "conferences/show.html",
        page=page,
        zone=ZoneInfo(page.series.timezone),
        now=now,
        editable=current_user.has_role(*COORDINATORS)
        and conference.status is ConferenceStatus.SCHEDULED
        and conference.starts_at > now,
        can_carry=current_user.has_role(*COORDINATORS)
        and conference.status is not ConferenceStatus.CANCELLED
        and conference.starts_at <= now,
        form=AgendaForm(),
        cancel_form=CancelForm(),
        move_form=RescheduleForm(),
    )
    db.session.commit()  # after rendering: committing first would expire every loaded row and reload each one
    return html


def _agenda_form() -> AgendaForm:
    form = AgendaForm()
    if not form.validate():
        abort(400)
    return form


@bp.route("/<int:conference_id>/agenda/add", methods=["POST"])
@allow(*COORDINATORS)
def add_case(conference_id: int) -> object:
    """Put a queued case on the agenda."""
    form = _agenda_form()

    def act(conference: Conference) -> str:
        case = db.session.get(Case, form.case_id.data or 0)
        if case is None:
            raise ops.ConferenceError("That case does not exist.")
        item = ops.assign_case(current_user, conference, case, utcnow(), form.version.data, request.remote_addr)
        return f"Case #{case.id} added" + (
            " (submitted after the deadline: flagged late)." if item.late_submission else "."
        )

    return _conference_action(conference_id, act)


@bp.route("/<int:conference_id>/agenda/<int:presentation_id>/<any(up, down):direction>", methods=["POST"])
@allow(*COORDINATORS)
def reorder(conference_id: int, presentation_id: int, direction: str) -> object:
    """Move a case up or down (works without JavaScript)."""
    form = _agenda_form()
    offset = -1 if direction == "up" else 1
    return _conference_action(
        conference_id,
        lambda c: ops.move_case(
            current_user, c, presentation_id, offset, utcnow(), form.version.data, request.remote_addr
        ),
    )


@bp.route("/<int:conference_id>/agenda/<int:presentation_id>/minutes", methods=["POST"])
@allow(*COORDINATORS)
def minutes(conference_id: int, presentation_id: int) -> object:
    """Set the minutes allotted to a case."""
    form = _agenda_form()

    def act(conference: Conference) -> None:
        if form.minutes.data is None:
            raise ops.ConferenceError("Give the minutes as a whole number.")
        ops.set_minutes(
            current_user,
            conference,
            presentation_id,
            form.minutes.data,
            utcnow(),
            form.version.data,
            request.remote_addr,
        )

    return _conference_action(conference_id, act)


@bp.route("/<int:conference_id>/agenda/<int:presentation_id>/remove", methods=["POST"])
@allow(*COORDINATORS)
def remove(conference_id: int, presentation_id: int) -> object:
    """Take a case off the agenda; it returns to the queue."""
    form = _agenda_form()
    return _conference_action(
        conference_id,
        lambda c: (
            ops.remove_case(current_user, c, presentation_id, utcnow(), form.version.data, request.remote_addr)
            or "Case returned to the queue."
        ),
    )


@bp.route("/<int:conference_id>/carry-over", methods=["POST"])
@allow(*COORDINATORS)
def carry_over(conference_id: int) -> object:
    """After the meeting: cases not reached go to the top of the next occurrence."""
    _agenda_form()

    def act(conference: Conference) -> str:
        target, count = ops.carry_over(current_user, conference, utcnow(), request.remote_addr)
        when = target.starts_at.astimezone(ZoneInfo(conference.series.timezone)).strftime("%a %d %b %Y")
        return f"{count} case{'s' if count != 1 else ''} carried over to {when}, at the top of the agenda."

    return _conference_action(conference_id, act)


@bp.route("/<int:conference_id>/agenda.pdf")
@allow(*VIEWERS)
def agenda_file(conference_id: int) -> object:
    """The agenda as a PDF for the meeting room; `?variant=deidentified` prints initials and case numbers only."""
    conference = db.get_or_404(Conference, conference_id)
    require_conference(current_user, conference)
    deidentified = request.args.get("variant") == "deidentified"
    page = load_agenda_page(conference)
    zone = ZoneInfo(page.series.timezone)
    rows = [
        AgendaRow(
            slot.number,
            slot.starts_at.astimezone(zone).strftime("%H:%M"),
            line.case_id,
            line.initials if deidentified else f"{line.patient_name} ({line.mrn})",
            line.site_label,
            "" if deidentified else line.question,
            line.presenter,
            slot.entry.minutes,
            ", ".join(
                flag
                for flag, on in (
                    ("late", slot.entry.late),
                    ("not ready", not slot.entry.ready),
                    ("over capacity", slot.over_capacity),
                )
                if on
            ),
        )
        for slot, line in zip(page.plan.slots, page.lines, strict=True)
    ]
    settings = program_settings()
    document = AgendaDocument(
        program=settings.letterhead_name or "TumorBoard",
        series=page.series.name,
        when=conference.starts_at.astimezone(zone).strftime("%A %d %B %Y, %H:%M %Z"),
        place=conference.place,
        video_link=conference.video_link,
        rows=rows,
        projected_end=page.plan.projected_end.astimezone(zone).strftime("%H:%M"),
        deidentified=deidentified,
        printed=utcnow().astimezone(zone).strftime("%d %b %Y %H:%M"),
    )
    record(
        current_user.id,
        "export",
        "conference",
        conference.id,
        f"agenda_pdf;deidentified={deidentified}",
        request.remote_addr,
    )
    db.session.commit()
    day = conference.starts_at.astimezone(zone)
    name = f"agenda-{page.series.id}-{day:%Y%m%d}{'-deidentified' if deidentified else ''}.pdf"
    return send_file(BytesIO(agenda_pdf(document)), mimetype="application/pdf", download_name=name)
