"""Plan letters: the work list, finalizing the plan, previewing, issuing, correcting, sending, follow-up."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tumorboard.audit.operations import record, record_read
from tumorboard.auth.models import User
from tumorboard.cases.visibility import require_case
from tumorboard.conferences.models import Conference
from tumorboard.extensions import db
from tumorboard.letters import operations as ops
from tumorboard.letters.forms import DelegateForm, DispatchForm, FinalPlanForm, ImplementationForm, IssueForm
from tumorboard.letters.models import PlanLetter
from tumorboard.letters.queries import (
    delegates_and_colleagues,
    issued_not_sent,
    letters_of,
    signable_by,
    waiting_for_letters,
)
from tumorboard.program.settings import program_today, program_zone
from tumorboard.room.models import Presentation
from tumorboard.vocab import DispatchMethod, Implementation, LetterKind, NonImplementationReason, Role
from tumorboard.web.access import allow
from tumorboard.web.actions import run_action
from tumorboard.web.actor import current_actor

bp = Blueprint("letters", __name__, url_prefix="/letters", cli_group=None)

READERS = (Role.PHYSICIAN, Role.COORDINATOR, Role.AUDITOR)
WRITERS = (Role.PHYSICIAN, Role.COORDINATOR)


@bp.route("/")
@allow(*READERS)
def index() -> str:
    """Presented cases waiting for a letter (oldest first, with days waited), letters not yet sent, and delegates."""
    waiting, total = waiting_for_letters(_scope(), program_today(), program_zone())
    unsent = issued_not_sent(_scope())
    physician = current_user.has_role(Role.PHYSICIAN)
    delegates, colleagues = delegates_and_colleagues(current_user) if physician else ([], [])
    html = render_template("letters/index.html", waiting=waiting, total=total, unsent=unsent, delegates=delegates,
                           colleagues=colleagues, form=DelegateForm())
    record_read(current_actor(), "case", [row.case_id for row in [*waiting, *unsent]], "letters")
    db.session.commit()
    return html


@bp.route("/presentation/<int:presentation_id>", methods=["GET", "POST"])
@allow(*READERS)
def plan(presentation_id: int) -> object:
    """Finalize the plan, preview and issue the letters, record sending and later the implementation."""
    presentation = _presentation(presentation_id)
    form = FinalPlanForm()
    if request.method == "GET":
        form.fill(presentation.consensus_plan)
    elif not ops.may_sign(current_user, presentation.case):
        abort(403)
    elif form.validate():
        back = url_for("letters.plan", presentation_id=presentation.id)
        return run_action(back, lambda: _finalize(presentation, form))
    return _plan_page(presentation, form)


@bp.route("/presentation/<int:presentation_id>/preview/<kind>.pdf")
@allow(*WRITERS)
def preview(presentation_id: int, kind: str) -> object:
    """The letter as it would be issued today (not stored)."""
    presentation = _presentation(presentation_id)
    if LetterKind.from_code(kind) is None:
        abort(404)
    if not (ops.may_sign(current_user, presentation.case) or current_user.has_role(Role.COORDINATOR)):
        abort(403)
    pdf = ops.render(presentation, LetterKind(kind), program_today())
    record(current_actor(), "preview", "letter", None, f"presentation={presentation.id};kind={kind}",
           cases=[presentation.case_id])
    db.session.commit()
    return send_file(BytesIO(pdf), mimetype="application/pdf", download_name=f"preview-{kind}-{presentation.id}.pdf")


@bp.route("/presentation/<int:presentation_id>/issue", methods=["POST"])
@allow(*WRITERS)
def issue(presentation_id: int) -> object:
    """Issue a letter (again: the same letter), or a corrected version with its reason."""
    presentation, form, issued = _presentation(presentation_id), IssueForm(), []
    if not form.validate_on_submit():
        abort(400)
    kind = LetterKind(form.kind.data)

    def act() -> str:
        issued.append(ops.issue_letter(current_actor(), presentation, kind, program_today(),
                                       form.correction_reason.data or "", form.corrects_version.data))
        return f"{kind.label} letter, version {issued[-1].version}, issued."

    response = run_action(url_for("letters.plan", presentation_id=presentation.id), act)
    _file(issued)  # only after the commit: a failed request leaves no file behind
    return response


@bp.route("/<int:letter_id>.pdf")
@allow(*READERS)
def download(letter_id: int) -> object:
    """An issued letter, exactly as issued."""
    letter = db.get_or_404(PlanLetter, letter_id)
    case = letter.presentation.case
    if not (current_user.has_role(Role.COORDINATOR, Role.AUDITOR) or ops.may_sign(current_user, case)
            or current_user.id == case.presenting_physician_id):
        abort(403)
    record(current_actor(), "download", "letter", letter.id, f"version={letter.version}")
    db.session.commit()
    return send_file(BytesIO(letter.pdf), mimetype="application/pdf", download_name=letter.filename, as_attachment=True)


@bp.route("/<int:letter_id>/dispatch", methods=["POST"])
@allow(*WRITERS)
def dispatch(letter_id: int) -> object:
    """Record that a letter was sent."""
    letter, form = db.get_or_404(PlanLetter, letter_id), DispatchForm()
    back = url_for("letters.plan", presentation_id=letter.presentation_id)
    if not form.validate_on_submit() or form.sent_on.data is None:
        flash("Give the date it was sent (YYYY-MM-DD).", "warning")
        return redirect(back)
    method, recipient = DispatchMethod(form.method.data), form.recipient.data or ""
    return run_action(back, lambda: ops.record_dispatch(current_actor(), letter, form.sent_on.data, method, recipient,
                                                        program_today()) and "Sending recorded.")


@bp.route("/presentation/<int:presentation_id>/implementation", methods=["POST"])
@allow(Role.PHYSICIAN)
def implementation(presentation_id: int) -> object:
    """Record whether the plan was carried out."""
    presentation, form = _presentation(presentation_id), ImplementationForm()
    back = url_for("letters.plan", presentation_id=presentation.id)
    if not form.validate_on_submit() or not form.implemented.data:
        flash("Say whether the plan was carried out.", "warning")
        return redirect(back)
    implemented = Implementation(form.implemented.data)
    reason = NonImplementationReason(form.reason.data) if form.reason.data else None

    def follow_up() -> str:
        ops.record_implementation(current_actor(), presentation, implemented, reason, form.note.data or "")
        return "Follow-up recorded."

    return run_action(back, follow_up)


@bp.route("/batch/<int:conference_id>", methods=["POST"])
@allow(*WRITERS)
def batch(conference_id: int) -> object:
    """Issue every finalized plan's letters of a conference that you sign for, in one action."""
    conference = db.get_or_404(Conference, conference_id)
    if not DelegateForm().validate_on_submit():
        abort(400)
    issued, problems = ops.issue_batch(current_actor(), conference, program_today())
    db.session.commit()
    _file(issued)
    cases = len({letter.presentation_id for letter in issued})
    not_issued = " Not issued: " + " ".join(problems) if problems else ""
    issued_for = f"Letters issued for {cases} case{'s' if cases != 1 else ''}."
    flash(issued_for + not_issued, "warning" if problems else "success")
    return redirect(url_for("letters.index"))


@bp.route("/delegates", methods=["POST"])
@allow(Role.PHYSICIAN)
def delegates() -> object:
    """Name or remove a colleague who may issue your letters."""
    form = DelegateForm()
    if not form.validate_on_submit() or not form.user_id.data or form.action.data not in ("add", "remove"):
        abort(400)
    other, add = db.get_or_404(User, form.user_id.data), form.action.data == "add"
    said = f"{other.full_name} may now issue your letters." if add else f"{other.full_name} is no longer your delegate."
    return run_action(url_for("letters.index"), lambda: ops.set_delegate(current_actor(), other, add) or said)


def _scope() -> sa.ColumnElement[bool] | None:
    """Coordinators and auditors see every case; a physician the cases they sign for."""
    return None if current_user.has_role(Role.COORDINATOR, Role.AUDITOR) else signable_by(current_user)


def _presentation(presentation_id: int) -> Presentation:
    presentation = db.get_or_404(Presentation, presentation_id)
    require_case(current_user, presentation.case_id)
    return presentation


def _finalize(presentation: Presentation, form: FinalPlanForm) -> str | None:
    final = ops.finalize_plan(current_actor(), presentation, form.final_plan.data or "", form.next_steps.data or "")
    return final and "The plan is final. Preview the letter, then issue it."


def _plan_page(presentation: Presentation, form: FinalPlanForm) -> str:
    signer = ops.may_sign(current_user, presentation.case)
    record_read(current_actor(), "case", presentation.case_id, f"letters presentation={presentation.id}")
    html = render_template(
        "letters/plan.html", p=presentation, case=presentation.case, form=form, signer=signer,
        letters=letters_of(presentation.id), issue_form=IssueForm(), implementation_form=ImplementationForm(),
        dispatch_form=DispatchForm(formdata=None, sent_on=program_today(), recipient=presentation.case.referring_name),
        kinds=LetterKind, may_dispatch=signer or current_user.has_role(Role.COORDINATOR),
    )
    db.session.commit()
    return html


def _file(letters: list[PlanLetter]) -> None:
    """File committed letters (and earlier ones still unfiled); a failure is logged by file name only, and shown.

    The letter stays issued: its copy is written by the next filing, or by `flask file-letters`.
    """
    reports = Path(current_app.config["REPORTS_DIR"])
    failed = ops.file_letters(ops.letters_to_file(letters), reports, current_actor().now)
    db.session.commit()
    if failed:
        current_app.logger.error("could not file letters %s in %s", ", ".join(failed), reports)
        if {letter.filename for letter in letters} & set(failed):
            flash("The letter is issued, but its filed copy could not be written; it is filed again with the next "
                  "letter. Tell the administrator.", "warning")
