"""Second-opinion requests: the open list with the promise clock, intake, the records checklist."""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.audit.operations import record
from tumorboard.auth.models import User, UserRole
from tumorboard.cases.models import Patient
from tumorboard.cases.operations import CaseError
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.forms import show_problems
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.second_opinions.clock import promise_clock, sent_moment
from tumorboard.second_opinions.forms import CancelForm, RequestForm
from tumorboard.second_opinions.intake import RecordUpdate, validate_records, validate_request
from tumorboard.second_opinions.models import RecordItem, SecondOpinionRequest
from tumorboard.second_opinions.operations import (
    OPEN_STATUSES,
    RequestClosed,
    cancel_request,
    create_request,
    plan_sent_on_by_case,
    update_records,
    update_request,
)
from tumorboard.vocab import RecordKind, RecordState, Role
from tumorboard.web.access import allow

bp = Blueprint("second_opinions", __name__, url_prefix="/second-opinions")

READERS = (Role.NAVIGATOR, Role.COORDINATOR, Role.AUDITOR)
WORKERS = (Role.NAVIGATOR, Role.COORDINATOR)


def _navigators(form: RequestForm) -> None:
    rows = db.session.execute(
        sa.select(User.id, User.full_name)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.NAVIGATOR, User.active.is_(True))
        .order_by(User.full_name)
    ).all()
    form.set_navigators(list(rows))


def _save(form: RequestForm, existing: SecondOpinionRequest | None) -> SecondOpinionRequest | None:
    if not form.validate():
        return None
    data = form.to_input()
    problems = validate_request(data, program_today(), program_settings().mrn_pattern)
    if problems:
        show_problems(form, problems.by_field)
        return None
    try:
        if existing is None:
            return create_request(current_user, data, utcnow(), request.remote_addr)
        update_request(current_user, existing, data, request.remote_addr)
        return existing
    except CaseError as error:
        db.session.rollback()
        show_problems(form, error.problems.by_field)
        return None


@bp.route("/")
@allow(*READERS)
def index() -> str:
    """Open requests with the days left on the promise; breaches first."""
    now = utcnow()
    days = program_settings().second_opinion_days
    received = (
        sa.select(RecordItem.request_id, sa.func.count(RecordItem.id).label("done"))
        .where(RecordItem.state.in_((RecordState.RECEIVED, RecordState.NOT_APPLICABLE)))
        .group_by(RecordItem.request_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            SecondOpinionRequest,
            Patient.last_name,
            Patient.first_name,
            User.full_name,
            sa.func.coalesce(received.c.done, 0),
        )
        .join(Patient, SecondOpinionRequest.patient_id == Patient.id)
        .outerjoin(User, SecondOpinionRequest.navigator_id == User.id)
        .outerjoin(received, received.c.request_id == SecondOpinionRequest.id)
        .where(SecondOpinionRequest.status.in_(OPEN_STATUSES))
        .order_by(SecondOpinionRequest.received_at)
    ).all()
    # The plan letter (issue: letters) stops the clock; until letters exist every open request's clock runs.
    items = [
        {
            "request": r,
            "patient": f"{last}, {first}",
            "navigator": navigator or "—",
            "done": done,
            "total": len(RecordKind),
            "clock": promise_clock(r.complete_at, None, now, days),
        }
        for r, last, first, navigator, done in rows
    ]
    items.sort(key=lambda item: (not item["clock"].breached, item["clock"].days_left if item["clock"].started else 99))
    if items:
        record(
            current_user.id,
            "list",
            "second_opinion",
            None,
            "ids=" + ",".join(str(i["request"].id) for i in items),
            request.remote_addr,
        )
    html = render_template("second_opinions/index.html", items=items, days=days)
    db.session.commit()  # after rendering, so the listed rows are not expired and reloaded one by one
    return html


@bp.route("/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new() -> object:
    """Take in a request."""
    form = RequestForm()
    _navigators(form)
    if request.method == "GET":
        form.received_on.data = program_today()
        if current_user.has_role(Role.NAVIGATOR):
            form.navigator_id.data = str(current_user.id)
    elif (saved := _save(form, None)) is not None:
        db.session.commit()
        flash(f"Second-opinion request #{saved.id} recorded. Request the outside records next.", "success")
        return redirect(url_for("second_opinions.show", request_id=saved.id))
    return render_template("second_opinions/form.html", form=form, existing=None)


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@allow(*WORKERS)
def edit(request_id: int) -> object:
    """Change the intake details."""
    existing = db.get_or_404(SecondOpinionRequest, request_id)
    form = RequestForm()
    _navigators(form)
    if request.method == "GET":
        form.fill_from(existing)
    else:
        try:
            saved = _save(form, existing)
        except RequestClosed as error:
            flash(str(error), "warning")
            return redirect(url_for("second_opinions.show", request_id=existing.id))
        if saved is not None:
            db.session.commit()
            flash("Request saved.", "success")
            return redirect(url_for("second_opinions.show", request_id=existing.id))
    return render_template("second_opinions/form.html", form=form, existing=existing)


@bp.route("/<int:request_id>")
@allow(*READERS)
def show(request_id: int) -> str:
    """The request, its checklist, its clock, and its case when created."""
    existing = db.get_or_404(SecondOpinionRequest, request_id)
    record(current_user.id, "view", "second_opinion", existing.id, remote_addr=request.remote_addr)
    db.session.commit()
    clock = promise_clock(
        existing.complete_at, plan_sent_at(existing), utcnow(), program_settings().second_opinion_days
    )
    lines = {item.kind: item for item in existing.records}
    return render_template(
        "second_opinions/show.html",
        r=existing,
        clock=clock,
        lines=[(kind, lines.get(kind)) for kind in RecordKind],
        states=RecordState,
        can_work=current_user.has_role(*WORKERS) and existing.status in OPEN_STATUSES,
        cancel_form=CancelForm(),
    )


def plan_sent_at(request_row: SecondOpinionRequest) -> datetime | None:
    """When the opinion went out (the first referrer letter's dispatch), or None."""
    if request_row.case_id is None:
        return None
    sent = plan_sent_on_by_case()
    sent_on = db.session.scalar(sa.select(sent.c.sent_on).where(sent.c.case_id == request_row.case_id))
    return sent_moment(sent_on, program_zone()) if sent_on else None


def _read_date(raw: str, kind: RecordKind, label: str, problems: list[str]) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        problems.append(f"{kind.label}: the {label} date '{raw[:20]}' is not a date.")
        return None


@bp.route("/<int:request_id>/records", methods=["POST"])
@allow(*WORKERS)
def records(request_id: int) -> object:
    """Save the whole records checklist at once."""
    existing = db.get_or_404(SecondOpinionRequest, request_id)
    problems: list[str] = []
    updates = []
    for kind in RecordKind:
        raw_state = request.form.get(f"state_{kind.value}", "")
        if RecordState.from_code(raw_state) is None:
            problems.append(f"{kind.label}: choose a state.")
            continue
        updates.append(
            RecordUpdate(
                kind,
                RecordState(raw_state),
                _read_date(request.form.get(f"requested_on_{kind.value}", ""), kind, "requested", problems),
                _read_date(request.form.get(f"received_on_{kind.value}", ""), kind, "received", problems),
                request.form.get(f"note_{kind.value}", ""),
            )
        )
    checked, rule_problems = validate_records(updates, program_today())
    problems += [m for msgs in rule_problems.by_field.values() for m in msgs]
    if problems:
        for problem in problems:
            flash(problem, "danger")
        return redirect(url_for("second_opinions.show", request_id=existing.id))
    try:
        update_records(current_user, existing, checked, utcnow(), request.remote_addr)
    except RequestClosed as error:
        flash(str(error), "warning")
        return redirect(url_for("second_opinions.show", request_id=existing.id))
    db.session.commit()
    flash(
        "Records checklist saved." + (" All records are in: the case can be created." if existing.complete_at else ""),
        "success",
    )
    return redirect(url_for("second_opinions.show", request_id=existing.id))


@bp.route("/<int:request_id>/cancel", methods=["POST"])
@allow(*WORKERS)
def cancel(request_id: int) -> object:
    """Cancel a request (the patient withdrew, or it cannot proceed)."""
    existing = db.get_or_404(SecondOpinionRequest, request_id)
    form = CancelForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        cancel_request(current_user, existing, form.reason.data or "", request.remote_addr)
    except RequestClosed as error:
        flash(str(error), "warning")
    else:
        db.session.commit()
        flash(f"Request #{existing.id} cancelled.", "info")
    return redirect(url_for("second_opinions.show", request_id=existing.id))
