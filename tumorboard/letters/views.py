"""Plan letters: the work list, finalizing the plan, previewing, issuing, correcting, sending, follow-up."""

from __future__ import annotations

from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tumorboard.audit.operations import record
from tumorboard.auth.models import User, UserRole
from tumorboard.cases.visibility import require_case
from tumorboard.conferences.models import Conference
from tumorboard.db import utcnow
from tumorboard.extensions import db
from tumorboard.letters import operations as ops
from tumorboard.letters.forms import DelegateForm, DispatchForm, FinalPlanForm, ImplementationForm, IssueForm
from tumorboard.letters.models import LetterDelegate, PlanLetter
from tumorboard.letters.queries import issued_not_sent, letters_of, signable_by, waiting_for_letters
from tumorboard.program.settings import program_today, program_zone
from tumorboard.room.models import Presentation
from tumorboard.vocab import DispatchMethod, Implementation, LetterKind, NonImplementationReason, Role
from tumorboard.web.access import allow
from tumorboard.web.actions import run_action

bp = Blueprint("letters", __name__, url_prefix="/letters", cli_group=None)

READERS = (Role.PHYSICIAN, Role.COORDINATOR, Role.AUDITOR)
WRITERS = (Role.PHYSICIAN, Role.COORDINATOR)


def _scope() -> sa.ColumnElement[bool] | None:
    """Coordinators and auditors see every case; a physician the cases they sign for."""
    return None if current_user.has_role(Role.COORDINATOR, Role.AUDITOR) else signable_by(current_user)


def _reports_dir() -> Path:
    return Path(current_app.config["REPORTS_DIR"])


def _act(back: str, action: Callable[[], str | None]) -> object:
    return run_action(back, action, (ops.LetterError,))


@bp.route("/")
@allow(*READERS)
def index() -> str:
    """Presented cases waiting for a letter (oldest first, with days waited), letters not yet sent, and delegates."""
    waiting, total = waiting_for_letters(_scope(), program_today(), program_zone())
    unsent = issued_not_sent(_scope())
    delegates = colleagues = []
    if current_user.has_role(Role.PHYSICIAN):
        delegates = list(
            db.session.scalars(
                sa.select(User)
                .join(LetterDelegate, LetterDelegate.delegate_id == User.id)
                .where(LetterDelegate.physician_id == current_user.id)
                .order_by(User.full_name)
            )
        )
        colleagues = list(
            db.session.scalars(
                sa.select(User)
                .join(UserRole, UserRole.user_id == User.id)
                .where(
                    UserRole.role.in_((Role.PHYSICIAN, Role.COORDINATOR)),
                    User.active.is_(True),
                    User.id != current_user.id,
                )
                .order_by(User.full_name)
                .distinct()
            )
        )
    html = render_template(
        "letters/index.html",
        waiting=waiting,
        total=total,
        unsent=unsent,
        delegates=delegates,
        colleagues=[c for c in colleagues if c not in delegates],
        form=DelegateForm(),
    )
    if waiting or unsent:
        record(
            current_user.id,
            "list",
            "case",
            None,
            "letters;ids=" + ",".join(str(r.case_id) for r in [*waiting, *unsent]),
            request.remote_addr,
        )
        db.session.commit()
    return html


def _presentation(presentation_id: int) -> Presentation:
    presentation = db.get_or_404(Presentation, presentation_id)
    require_case(current_user, presentation.case_id)
    return presentation


@bp.route("/presentation/<int:presentation_id>", methods=["GET", "POST"])
@allow(*READERS)
def plan(presentation_id: int) -> object:
    """Finalize the plan, preview and issue the letters, record sending and later the implementation."""
    presentation = _presentation(presentation_id)
    signer = ops.may_sign(current_user, presentation.case)
    form = FinalPlanForm()
    if request.method == "POST":
        if not signer:
            abort(403)
        if form.validate():
            return _act(
                url_for("letters.plan", presentation_id=presentation.id),
                lambda: (
                    ops.finalize_plan(
                        current_user,
                        presentation,
                        form.final_plan.data or "",
                        form.next_steps.data or "",
                        utcnow(),
                        request.remote_addr,
                    )
                    and "The plan is final. Preview the letter, then issue it."
                ),
            )
    elif presentation.consensus_plan is not None:
        form.final_plan.data = presentation.consensus_plan.final_plan or presentation.consensus_plan.text
        form.next_steps.data = presentation.consensus_plan.next_steps
    record(
        current_user.id,
        "view",
        "case",
        presentation.case_id,
        f"letters presentation={presentation.id}",
        request.remote_addr,
    )
    letters = letters_of(presentation.id)
    html = render_template(
        "letters/plan.html",
        p=presentation,
        case=presentation.case,
        form=form,
        signer=signer,
        letters=letters,
        issue_form=IssueForm(),
        dispatch_form=DispatchForm(formdata=None, sent_on=program_today(), recipient=presentation.case.referring_name),
        implementation_form=ImplementationForm(),
        kinds=LetterKind,
        may_dispatch=signer or current_user.has_role(Role.COORDINATOR),
    )
    db.session.commit()
    return html


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
    record(
        current_user.id, "preview", "letter", None, f"presentation={presentation.id};kind={kind}", request.remote_addr
    )
    db.session.commit()
    return send_file(BytesIO(pdf), mimetype="application/pdf", download_name=f"preview-{kind}-{presentation.id}.pdf")


@bp.route("/presentation/<int:presentation_id>/issue", methods=["POST"])
@allow(*WRITERS)
def issue(presentation_id: int) -> object:
    """Issue a letter (again: the same letter), or a corrected version with its reason."""
    presentation = _presentation(presentation_id)
    form = IssueForm()
    if not form.validate_on_submit():
        abort(400)
    kind = LetterKind(form.kind.data)

    issued: list[PlanLetter] = []

    def act() -> str:
        letter = ops.issue_letter(
            current_user,
            presentation,
            kind,
            utcnow(),
            program_today(),
            form.correction_reason.data or "",
            request.remote_addr,
            form.corrects_version.data,
        )
        issued.append(letter)
        return f"{kind.label} letter, version {letter.version}, issued."

    response = _act(url_for("letters.plan", presentation_id=presentation.id), act)
    _file(issued)  # only after the commit: a failed request leaves no file behind
    return response


def _file(letters: list[PlanLetter]) -> None:
    """File committed letters (and earlier ones still unfiled); a failure is logged by file name only, and shown.

    The letter stays issued: its copy is written by the next filing, or by `flask file-letters`.
    """
    failed = ops.file_letters(ops.letters_to_file(letters), _reports_dir(), utcnow())
    db.session.commit()
    if failed:
        current_app.logger.error("could not file letters %s in %s", ", ".join(failed), _reports_dir())
        if {letter.filename for letter in letters} & set(failed):
            flash(
                "The letter is issued, but its filed copy could not be written; it is filed again with the next "
                "letter. "
                "Tell the administrator.",
                "warning",
            )


@bp.route("/<int:letter_id>.pdf")
@allow(*READERS)
def download(letter_id: int) -> object:
    """An issued letter, exactly as issued."""
    letter = db.get_or_404(PlanLetter, letter_id)
    if not (
        current_user.has_role(Role.COORDINATOR, Role.AUDITOR)
        or ops.may_sign(current_user, letter.presentation.case)
        or current_user.id == letter.presentation.case.presenting_physician_id
    ):
        abort(403)
    record(current_user.id, "download", "letter", letter.id, f"version={letter.version}", request.remote_addr)
    db.session.commit()
    return send_file(BytesIO(letter.pdf), mimetype="application/pdf", download_name=letter.filename, as_attachment=True)


@bp.route("/<int:letter_id>/dispatch", methods=["POST"])
@allow(*WRITERS)
def dispatch(letter_id: int) -> object:
    """Record that a letter was sent."""
    letter = db.get_or_404(PlanLetter, letter_id)
    form = DispatchForm()
    back = url_for("letters.plan", presentation_id=letter.presentation_id)
    if not form.validate_on_submit() or form.sent_on.data is None:
        flash("Give the date it was sent (YYYY-MM-DD).", "warning")
        return redirect(back)
    return _act(
        back,
        lambda: (
            ops.record_dispatch(
                current_user,
                letter,
                form.sent_on.data,
                DispatchMethod(form.method.data),
                form.recipient.data or "",
                utcnow(),
                program_today(),
                request.remote_addr,
            )
            and "Sending recorded."
        ),
    )


@bp.route("/presentation/<int:presentation_id>/implementation", methods=["POST"])
@allow(Role.PHYSICIAN)
def implementation(presentation_id: int) -> object:
    """Record whether the plan was carried out."""
    presentation = _presentation(presentation_id)
    form = ImplementationForm()
    back = url_for("letters.plan", presentation_id=presentation.id)
    if not form.validate_on_submit() or not form.implemented.data:
        flash("Say whether the plan was carried out.", "warning")
        return redirect(back)
    return _act(
        back,
        lambda: (
            ops.record_implementation(
                current_user,
                presentation,
                Implementation(form.implemented.data),
                NonImplementationReason(form.reason.data) if form.reason.data else None,
                form.note.data or "",
                utcnow(),
                request.remote_addr,
            )
            or "Follow-up recorded."
        ),
    )


@bp.route("/batch/<int:conference_id>", methods=["POST"])
@allow(*WRITERS)
def batch(conference_id: int) -> object:
    """Issue every finalized plan's letters of a conference that you sign for, in one action."""
    conference = db.get_or_404(Conference, conference_id)
    if not DelegateForm().validate_on_submit():
        abort(400)
    issued, problems = ops.issue_batch(current_user, conference, utcnow(), program_today(), request.remote_addr)
    db.session.commit()
    _file(issued)
    cases = len({letter.presentation_id for letter in issued})
    flash(
        f"Letters issued for {cases} case{'s' if cases != 1 else ''}."
        + (" Not issued: " + " ".join(problems) if problems else ""),
        "success" if not problems else "warning",
    )
    return redirect(url_for("letters.index"))


@bp.route("/delegates", methods=["POST"])
@allow(Role.PHYSICIAN)
def delegates() -> object:
    """Name or remove a colleague who may issue your letters."""
    form = DelegateForm()
    if not form.validate_on_submit() or not form.user_id.data or form.action.data not in ("add", "remove"):
        abort(400)
    other = db.get_or_404(User, form.user_id.data)
    return _act(
        url_for("letters.index"),
        lambda: (
            ops.set_delegate(current_user, other, form.action.data == "add", request.remote_addr)
            or (
                f"{other.full_name} may now issue your letters."
                if form.action.data == "add"
                else f"{other.full_name} is no longer your delegate."
            )
        ),
    )
