"""Second-opinion requests: the open list with the promise clock, intake, the records checklist."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tumorboard.audit.operations import record_read
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today
from tumorboard.second_opinions import operations as ops
from tumorboard.second_opinions.forms import CancelForm, RequestForm
from tumorboard.second_opinions.intake import read_checklist, validate_records
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.second_opinions.queries import navigator_choices, open_requests, request_clock
from tumorboard.vocab import RecordKind, RecordState, Role
from tumorboard.web.access import allow
from tumorboard.web.actions import Done, run_action, run_form
from tumorboard.web.actor import current_actor

bp = Blueprint("second_opinions", __name__, url_prefix="/second-opinions")

READERS = (Role.NAVIGATOR, Role.COORDINATOR, Role.AUDITOR)
WORKERS = (Role.NAVIGATOR, Role.COORDINATOR)


@bp.route("/")
@allow(*READERS)
def index() -> str:
    """Open requests with the days left on the promise; breaches first."""
    days = program_settings().second_opinion_days
    items = open_requests(current_actor().now, days)
    record_read(current_actor(), "second_opinion", [item.request.id for item in items])
    html = render_template("second_opinions/index.html", items=items, days=days)
    db.session.commit()  # after rendering, so the listed rows are not expired and reloaded one by one
    return html


@bp.route("/new", methods=["GET", "POST"])
@allow(*WORKERS)
def new() -> object:
    """Take in a request."""
    form = _request_form()
    if request.method == "GET":
        form.received_on.data = program_today()
        if current_user.has_role(Role.NAVIGATOR):
            form.navigator_id.data = str(current_user.id)

    def take_in() -> Done:
        saved = ops.save_request(current_actor(), None, form.to_input())
        return Done(f"Second-opinion request #{saved.id} recorded. Request the outside records next.",
                    url_for("second_opinions.show", request_id=saved.id))

    return run_form(form, take_in, lambda: render_template("second_opinions/form.html", form=form, existing=None),
                    lambda: ops.request_problems(form.to_input()))


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@allow(*WORKERS)
def edit(request_id: int) -> object:
    """Change the intake details."""
    existing, form = db.get_or_404(SecondOpinionRequest, request_id), _request_form()
    if existing.status not in ops.OPEN_STATUSES:
        flash(f"A {existing.status.label.lower()} request cannot change.", "warning")
        return redirect(url_for("second_opinions.show", request_id=existing.id))
    if request.method == "GET":
        form.fill_from(existing)

    def save() -> Done:
        ops.save_request(current_actor(), existing, form.to_input())
        return Done("Request saved.", url_for("second_opinions.show", request_id=existing.id))

    return run_form(form, save, lambda: render_template("second_opinions/form.html", form=form, existing=existing),
                    lambda: ops.request_problems(form.to_input()))


@bp.route("/<int:request_id>")
@allow(*READERS)
def show(request_id: int) -> str:
    """The request, its checklist, its clock, and its case when created."""
    existing = db.get_or_404(SecondOpinionRequest, request_id)
    record_read(current_actor(), "second_opinion", existing.id)
    db.session.commit()
    lines = {item.kind: item for item in existing.records}
    return render_template(
        "second_opinions/show.html", r=existing, states=RecordState, cancel_form=CancelForm(),
        clock=request_clock(existing, current_actor().now, program_settings().second_opinion_days),
        lines=[(kind, lines.get(kind)) for kind in RecordKind],
        can_work=current_user.has_role(*WORKERS) and existing.status in ops.OPEN_STATUSES,
    )


@bp.route("/<int:request_id>/records", methods=["POST"])
@allow(*WORKERS)
def records(request_id: int) -> object:
    """Save the whole records checklist at once."""
    existing = db.get_or_404(SecondOpinionRequest, request_id)
    back = url_for("second_opinions.show", request_id=existing.id)
    updates, problems = read_checklist(request.form)
    checked, rule_problems = validate_records(updates, program_today())
    for problem in problems + [m for messages in rule_problems.by_field.values() for m in messages]:
        flash(problem, "danger")
    if problems or rule_problems:
        return redirect(back)

    def save() -> str:
        ops.update_records(current_actor(), existing, checked)
        complete = " All records are in: the case can be created." if existing.complete_at else ""
        return "Records checklist saved." + complete

    return run_action(back, save)


@bp.route("/<int:request_id>/cancel", methods=["POST"])
@allow(*WORKERS)
def cancel(request_id: int) -> object:
    """Cancel a request (the patient withdrew, or it cannot proceed)."""
    existing, form = db.get_or_404(SecondOpinionRequest, request_id), CancelForm()
    if not form.validate_on_submit():
        abort(400)

    def cancelled() -> str:
        ops.cancel_request(current_actor(), existing, form.reason.data or "")
        return f"Request #{existing.id} cancelled."

    return run_action(url_for("second_opinions.show", request_id=existing.id), cancelled)


def _request_form() -> RequestForm:
    form = RequestForm()
    form.set_navigators(navigator_choices())
    return form
