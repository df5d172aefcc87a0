"""Second-opinion requests: the public request and referral forms, the lists with the promise clock, intake, the
records checklist and its files."""

from __future__ import annotations

import io
from functools import partial

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from tumorboard.audit.operations import record_read
from tumorboard.cases.visibility import require_case
from tumorboard.domain import Refused
from tumorboard.extensions import db
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.second_opinions import operations as ops
from tumorboard.second_opinions.forms import (
    CancelForm,
    PublicReferralForm,
    PublicRequestForm,
    RequestForm,
    UploadForm,
)
from tumorboard.second_opinions.intake import read_checklist, validate_records
from tumorboard.second_opinions.models import RecordFile, SecondOpinionRequest
from tumorboard.second_opinions.queries import (
    NAVIGATORS,
    SOURCES,
    STATES,
    list_requests,
    load_request_page,
    navigator_choices,
    parse_request_filter,
)
from tumorboard.second_opinions.uploads import UploadRefused, check_file
from tumorboard.vocab import RecordKind, RecordState, Role
from tumorboard.web.access import allow, public
from tumorboard.web.actions import Done, run_action, run_form
from tumorboard.web.actor import current_actor
from tumorboard.web.security import small_body

bp = Blueprint("second_opinions", __name__, url_prefix="/second-opinions")

READERS = (Role.NAVIGATOR, Role.COORDINATOR, Role.AUDITOR)
WORKERS = (Role.NAVIGATOR, Role.COORDINATOR)
PUBLIC_FORMS = {"request": PublicRequestForm, "refer": PublicReferralForm}


@bp.route("/")
@allow(*READERS)
def index() -> str:
    """Requests by filter (open by default): breaches first, then the fewest days left; new web requests marked."""
    wanted, days = parse_request_filter(request.args), program_settings().second_opinion_days
    page = list_requests(wanted, current_user.id, current_actor().now, days)
    record_read(current_actor(), "second_opinion", [item.request.id for item in page.rows])
    html = render_template("second_opinions/index.html", page=page, wanted=wanted, days=days, states=STATES,
                           sources=SOURCES, navigators=NAVIGATORS)
    db.session.commit()  # after rendering, so the listed rows are not expired and reloaded one by one
    return html


@bp.route("/<any(request, refer):kind>", methods=["GET", "POST"])
@public
@small_body("PUBLIC_FORM_MAX_BYTES")
def public_form(kind: str) -> object:
    """The public request form (a patient or caregiver; no referral needed) or the referral form (a provider)."""
    form = PUBLIC_FORMS[kind]()
    page = partial(render_template, "second_opinions/public_form.html", form=form, kind=kind)
    if form.is_submitted() and (wait := _public_post_wait()):
        return render_template("second_opinions/public_wait.html", minutes=-(-wait // 60)), 429
    if form.is_submitted() and form.website.data:  # only robots see the field: answered as sent, nothing kept
        return redirect(url_for("second_opinions.public_sent"))
    return run_form(form, lambda: _sent(ops.submit_public_request(current_actor(), form.to_input())), page,
                    lambda: ops.request_problems(form.to_input(), public=True))


@bp.route("/sent")
@public
def public_sent() -> str:
    """What happens next, and the promise."""
    return render_template("second_opinions/public_sent.html", days=program_settings().second_opinion_days)


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
        saved = ops.save_request(current_actor(), None, form.to_input(), bool(form.same_patient_again.data))
        return Done(f"Second-opinion request #{saved.id} recorded. Request the outside records next.",
                    url_for("second_opinions.show", request_id=saved.id))

    return run_form(form, take_in, lambda: _form_page(form, None), lambda: ops.request_problems(form.to_input()))


@bp.route("/<int:request_id>/edit", methods=["GET", "POST"])
@allow(*WORKERS)
def edit(request_id: int) -> object:
    """Change the intake details; give the MRN once the patient is registered; take on a web request."""
    existing, form = db.get_or_404(SecondOpinionRequest, request_id), _request_form()
    if existing.status not in ops.OPEN_STATUSES:
        flash(f"A {existing.status.label.lower()} request cannot change.", "warning")
        return redirect(url_for("second_opinions.show", request_id=existing.id))
    if request.method == "GET":
        form.fill_from(existing, program_zone())

    def save() -> Done:
        ops.save_request(current_actor(), existing, form.to_input(existing.source))
        return Done("Request saved.", url_for("second_opinions.show", request_id=existing.id))

    return run_form(form, save, lambda: _form_page(form, existing),
                    lambda: ops.request_problems(form.to_input(existing.source)))


@bp.route("/<int:request_id>")
@allow(*READERS)
def show(request_id: int) -> str:
    """The request, its checklist and files, its clock, possible duplicates, and its case when created."""
    existing = db.get_or_404(SecondOpinionRequest, request_id)
    shown = load_request_page(existing, current_actor().now, program_settings().second_opinion_days)
    record_read(current_actor(), "second_opinion", existing.id)
    _record_duplicates(shown.duplicates)
    lines = {item.kind: item for item in existing.records}
    html = render_template(
        "second_opinions/show.html", r=existing, page=shown, states=RecordState, cancel_form=CancelForm(),
        upload_form=UploadForm(), lines=[(kind, lines.get(kind)) for kind in RecordKind],
        can_work=current_user.has_role(*WORKERS) and existing.status in ops.OPEN_STATUSES,
    )
    db.session.commit()
    return html


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


@bp.route("/<int:request_id>/files", methods=["POST"])
@allow(*WORKERS)
def upload(request_id: int) -> object:
    """Attach an outside record's file (checked by its content); its checklist line is received."""
    existing, form = db.get_or_404(SecondOpinionRequest, request_id), UploadForm()
    back = url_for("second_opinions.show", request_id=existing.id)
    kind, sent, valid = RecordKind.from_code(form.kind.data), request.files.get("file"), form.validate_on_submit()
    if not valid or kind is None or sent is None or not sent.filename:
        flash("Choose the record and a file to attach." if valid else "The form expired: reload the page and try "
              "again.", "danger")
        return redirect(back)
    return run_action(back, lambda: _attach(existing, kind, sent.filename, sent.read()))


@bp.route("/<int:request_id>/files/<int:file_id>")
@allow(*READERS, Role.PHYSICIAN)
def download(request_id: int, file_id: int) -> Response:
    """An outside record's file, as an attachment; a physician reads it through the request's case."""
    attached = db.get_or_404(RecordFile, file_id)
    if attached.request_id != request_id:
        abort(404)
    if not current_user.has_role(*READERS):  # a physician: the request's case must be one they may read
        if attached.request.case_id is None:
            abort(403)
        require_case(current_user, attached.request.case_id)
    ops.record_download(current_actor(), attached)
    db.session.commit()
    return send_file(io.BytesIO(attached.content), mimetype=attached.media_type, as_attachment=True,
                     download_name=attached.filename, max_age=0)


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


def _form_page(form: RequestForm, existing: SecondOpinionRequest | None) -> str:
    """The intake form; refused as a possible duplicate, with those requests and patients listed."""
    duplicates = None
    if form.same_patient_again.errors:
        duplicates = ops.possible_duplicates(form.last_name.data or "", form.first_name.data or "",
                                             form.birth_date.data)
        _record_duplicates(duplicates)
    html = render_template("second_opinions/form.html", form=form, existing=existing, duplicates=duplicates)
    db.session.commit()  # the audit entries of the requests and patients listed
    return html


def _record_duplicates(duplicates: ops.Duplicates) -> None:
    """That the page showed other requests and patients of the same name and date of birth."""
    record_read(current_actor(), "second_opinion", duplicates.requests, "possible duplicates")
    record_read(current_actor(), "patient", [patient_id for patient_id, _, _ in duplicates.patients],
                "possible duplicates")


def _public_post_wait() -> int:
    """Count this post of a public form (committed whatever the form says); the seconds to wait when over the limit."""
    config = current_app.config
    wait = ops.count_public_post(current_actor().remote_addr, current_actor().now,
                                 config["PUBLIC_FORM_POSTS_PER_ADDRESS"], config["PUBLIC_FORM_POSTS_OVERALL"])
    db.session.commit()
    return wait


def _sent(saved: SecondOpinionRequest) -> Done:
    """The answer to a public form: a reference to quote, nothing about the patient (not even in the URL)."""
    return Done(f"Your request is sent. Its reference is SO-{saved.id:06d}: quote it when you call us.",
                url_for("second_opinions.public_sent"))


def _attach(existing: SecondOpinionRequest, kind: RecordKind, name: str, content: bytes) -> str:
    try:
        checked = check_file(name, content, current_app.config["RECORD_FILE_MAX_BYTES"])
    except UploadRefused as refused:
        raise Refused(str(refused)) from refused
    ops.attach_file(current_actor(), existing, kind, checked, content)
    complete = " All records are in: the case can be created." if existing.complete_at else ""
    return f"{kind.label}: {checked.filename} attached and marked received.{complete}"
