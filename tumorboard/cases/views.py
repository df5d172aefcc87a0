"""Case pages: the queue, the case form, the case page, status moves, readiness, import."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tumorboard.audit.operations import record
from tumorboard.auth.models import User, UserRole
from tumorboard.cases import importer
from tumorboard.cases.forms import CaseForm, ImportForm, MoveForm
from tumorboard.cases.models import Case
from tumorboard.cases.operations import (
    READY_BY,
    CaseError,
    create_case,
    import_cases,
    import_context,
    input_from_case,
    link_second_opinion,
    look_up_patient,
    mark_ready,
    may_mark_ready,
    move_case,
    update_case,
)
from tumorboard.cases.queries import SORTS, load_case_page, load_queue, parse_filter
from tumorboard.cases.validation import validate_case
from tumorboard.cases.visibility import IN_THE_ROOM, readable_cases, require_case
from tumorboard.cases.workflow import ACTION_LABELS, EDITABLE, IllegalMove, manual_moves
from tumorboard.conferences.models import ConferenceSeries
from tumorboard.db import utcnow
from tumorboard.domain import NotAllowed
from tumorboard.extensions import db
from tumorboard.forms import show_problems
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.vocab import CaseSource, CaseStatus, Role, SecondOpinionStatus, SiteGroup, Urgency
from tumorboard.web.access import allow

bp = Blueprint("cases", __name__, url_prefix="/cases", cli_group=None)

VIEWERS = (Role.PHYSICIAN, Role.COORDINATOR, Role.NAVIGATOR, Role.AUDITOR)
EDITORS = (Role.PHYSICIAN, Role.COORDINATOR)


def _choices(form: CaseForm) -> None:
    physicians = db.session.execute(
        sa.select(User.id, User.full_name, User.credentials)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.PHYSICIAN, User.active.is_(True))
        .order_by(User.full_name)
    ).all()
    series = db.session.execute(
        sa.select(ConferenceSeries.id, ConferenceSeries.name)
        .where(ConferenceSeries.active.is_(True))
        .order_by(ConferenceSeries.name)
    ).all()
    form.set_people([(i, f"{name}, {cred}" if cred else name) for i, name, cred in physicians], list(series))


def _load_patient_into(form: CaseForm) -> None:
    """'Find patient': fill the patient fields of a returning patient, so they are not entered twice."""
    mrn = (form.mrn.data or "").strip()
    try:
        patient = look_up_patient(current_user, mrn, utcnow(), request.remote_addr) if mrn else None
    except CaseError as error:
        show_problems(form, error.problems.by_field)
        patient = None
    db.session.commit()  # the lookup's audit entry, found or not
    if patient is None:
        if not form.mrn.errors:
            form.mrn.errors = [*form.mrn.errors, "No patient with this MRN yet: enter their details."]
        return
    form.last_name.data, form.first_name.data = patient.last_name, patient.first_name
    form.birth_date.data, form.sex.data = patient.birth_date, patient.sex.value
    form.birth_date.raw_data = None  # else the date field shows what was posted (empty), not the patient's date
    flash(
        f"Returning patient: details loaded ({len(patient.cases)} earlier "
        f"case{'' if len(patient.cases) == 1 else 's'}).",
        "info",
    )


def _save(form: CaseForm, case: Case | None) -> Case | None:
    """Validate and save the form; None (with errors on the form) when it cannot be saved."""
    submit = bool(form.submit_case.data) or (case is not None and case.status is not CaseStatus.DRAFT)
    data = form.to_input() if form.validate() else None
    if data is None:
        return None
    data, problems = validate_case(data, program_today(), program_settings().mrn_pattern, complete=submit)
    if problems:
        show_problems(form, problems.by_field)
        return None
    try:
        if case is None:
            return create_case(current_user, data, submit, utcnow(), request.remote_addr)
        return update_case(current_user, case, data, submit, utcnow(), request.remote_addr)
    except CaseError as error:
        db.session.rollback()
        show_problems(form, error.problems.by_field)
        return None


@bp.route("/")
@allow(*VIEWERS)
def queue() -> str:
    """Submitted cases with filters, sorting and paging; the view is audited with the cases shown."""
    queue_filter, problems = parse_filter(request.args)
    for problem in problems:
        flash(problem, "warning")
    page = load_queue(queue_filter, utcnow(), program_zone(), readable_cases(current_user))
    if page.rows:
        record(
            current_user.id, "list", "case", None, "ids=" + ",".join(str(r.id) for r in page.rows), request.remote_addr
        )
    series = db.session.execute(
        sa.select(ConferenceSeries.id, ConferenceSeries.name).order_by(ConferenceSeries.name)
    ).all()
    html = render_template(
        "cases/queue.html",
        page=page,
        f=queue_filter,
        series=series,
        sorts=SORTS,
        site_groups=SiteGroup,
        statuses=CaseStatus,
        urgencies=Urgency,
        args=queue_filter.as_args(),
    )
    db.session.commit()  # the audit entry; after rendering, so the signed-in user is not expired and read again
    return html


@bp.route("/new", methods=["GET", "POST"])
@allow(*EDITORS)
def new() -> object:
    """A physician (or coordinator) enters a case, as a draft or submitted to the board."""
    form = CaseForm()
    _choices(form)
    if request.method == "GET" and current_user.has_role(Role.PHYSICIAN):
        form.presenting_physician_id.data = str(current_user.id)
    if request.method == "POST":
        if form.find_patient.data:
            _load_patient_into(form)
        elif (case := _save(form, None)) is not None:
            db.session.commit()
            flash(
                f"Case #{case.id} "
                f"{'submitted to the board' if case.status is CaseStatus.SUBMITTED else 'saved as a draft'}.",
                "success",
            )
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None)


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def edit(case_id: int) -> object:
    """Change a case while it is still open (draft, submitted, scheduled, deferred)."""
    case = db.get_or_404(Case, case_id)
    require_case(current_user, case.id)
    if case.status not in EDITABLE:
        flash(f"A {case.status.label.lower()} case can no longer be edited.", "warning")
        return redirect(url_for("cases.show", case_id=case.id))
    form = CaseForm()
    _choices(form)
    if request.method == "GET":
        form.fill_from(case)
        record(current_user.id, "view", "case", case.id, "edit form", request.remote_addr)
        db.session.commit()
    elif form.find_patient.data:
        _load_patient_into(form)
    else:
        try:
            saved = _save(form, case)
        except NotAllowed as error:
            flash(str(error), "warning")
            return redirect(url_for("cases.show", case_id=case.id))
        if saved is not None:
            db.session.commit()
            flash(f"Case #{case.id} saved.", "success")
            return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/form.html", form=form, case=case)


@bp.route("/<int:case_id>")
@allow(*VIEWERS)
def show(case_id: int) -> str:
    """The clinical summary, every presentation with its outcome, the status history, and who viewed or changed it."""
    case = db.get_or_404(Case, case_id)
    require_case(current_user, case.id)
    record(current_user.id, "view", "case", case.id, remote_addr=request.remote_addr)
    moves = [(status, ACTION_LABELS[status]) for status in manual_moves(case.status, current_user.roles)]
    html = render_template(
        "cases/show.html",
        case=case,
        page=load_case_page(case),
        moves=moves,
        move_form=MoveForm(),
        editable=case.status in EDITABLE and current_user.has_role(*EDITORS),
        can_ready={material: may_mark_ready(current_user, material) for material in READY_BY},
        shows_votes=current_user.has_role(*IN_THE_ROOM),
    )
    # the audit entry, after rendering: committing first would expire the case and the user and read them again
    db.session.commit()
    return html


@bp.route("/<int:case_id>/status", methods=["POST"])
@allow(Role.PHYSICIAN, Role.COORDINATOR, Role.NAVIGATOR)
def status(case_id: int) -> object:
    """Move a case (submit, return to draft, defer, re-queue, withdraw, reopen) with an optional reason."""
    case = db.get_or_404(Case, case_id)
    require_case(current_user, case.id)
    form = MoveForm()
    if not form.validate_on_submit() or CaseStatus.from_code(form.to_status.data) is None:
        flash("That status change could not be read. Try again from the case page.", "warning")
        return redirect(url_for("cases.show", case_id=case.id))
    new = CaseStatus(form.to_status.data)
    if new is CaseStatus.SUBMITTED and case.status is CaseStatus.DRAFT:
        data, problems = validate_case(
            input_from_case(case), program_today(), program_settings().mrn_pattern, complete=True
        )
        if problems:
            flash(
                "Complete the case before submitting it: "
                + " ".join(m for msgs in problems.by_field.values() for m in msgs),
                "warning",
            )
            return redirect(url_for("cases.edit", case_id=case.id))
    try:
        move_case(current_user, case, new, form.reason.data or "", utcnow(), request.remote_addr)
    except IllegalMove as error:
        flash(str(error), "warning")
        return redirect(url_for("cases.show", case_id=case.id))
    except NotAllowed:
        abort(403)
    db.session.commit()
    flash(f"Case #{case.id} is now {new.label.lower()}.", "success")
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/<int:case_id>/ready/<material>", methods=["POST"])
@allow(Role.PHYSICIAN, Role.COORDINATOR)
def ready(case_id: int, material: str) -> object:
    """Radiology or pathology marks its material ready for review (or not ready again)."""
    case = db.get_or_404(Case, case_id)
    require_case(current_user, case.id)
    try:
        mark_ready(current_user, case, material, request.form.get("ready") == "yes", utcnow(), request.remote_addr)
    except NotAllowed:
        abort(403)
    db.session.commit()
    return redirect(url_for("cases.show", case_id=case.id))


@bp.route("/import", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def import_file() -> object:
    """Upload a CSV or XLSX of cases: every problem is listed by row and column, or the whole file is imported."""
    form = ImportForm()
    check = None
    if form.validate_on_submit():
        upload = form.file.data
        try:
            rows = importer.read_table(upload.read(), upload.filename or "", importer.MAX_CASE_UPLOAD_ROWS)
        except importer.ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
        else:
            context = import_context(
                {row.get("mrn", "") for row in rows}, program_today(), program_settings().mrn_pattern
            )
            check = importer.check_rows(rows, context)
            if not check.problems:
                try:
                    created = import_cases(current_user, check.to_create, utcnow(), request.remote_addr)
                    db.session.commit()
                except IntegrityError:  # the same new patients entered by another import or case at this moment
                    db.session.rollback()
                    form.file.errors = [
                        *form.file.errors,
                        "Someone else entered some of these patients at the same moment. Nothing was "
                        "imported: upload the file again (rows already imported are skipped).",
                    ]
                    return render_template("cases/import.html", form=form, check=None), 409
                flash(
                    f"Imported {len(created)} case(s); {len(check.already_imported)} row(s) were already imported.",
                    "success",
                )
                return redirect(url_for("cases.queue", status="any"))
    return render_template("cases/import.html", form=form, check=check)


@bp.route("/new/second-opinion/<int:request_id>", methods=["GET", "POST"])
@allow(Role.NAVIGATOR, Role.COORDINATOR)  # who reads the request (second_opinions.READERS) and may enter a case
def from_second_opinion(request_id: int) -> object:
    """The case of a second-opinion request whose records are complete, prefilled from the intake."""
    opinion = db.get_or_404(SecondOpinionRequest, request_id)
    if opinion.status is not SecondOpinionStatus.RECORDS_COMPLETE:
        flash("A case is created once every outside record is in (and only once).", "warning")
        return redirect(url_for("second_opinions.show", request_id=opinion.id))
    form = CaseForm()
    _choices(form)
    if request.method == "GET":
        patient = opinion.patient
        form.mrn.data, form.last_name.data, form.first_name.data = patient.mrn, patient.last_name, patient.first_name
        form.birth_date.data, form.sex.data = patient.birth_date, patient.sex.value
        form.source.data = CaseSource.SECOND_OPINION.value
        form.referring_name.data, form.referring_practice.data = opinion.referring_name, opinion.referring_practice
        form.referring_address.data = opinion.referring_address
        form.question.data = f"Second opinion requested. Diagnosis as stated: {opinion.diagnosis_as_stated}"
        form.analytic.data = False  # seen here for a second opinion only: class 32 unless treated here
    elif (case := _save(form, None)) is not None:
        link_second_opinion(current_user, opinion, case, request.remote_addr)
        db.session.commit()
        flash(f"Case #{case.id} created for second-opinion request #{opinion.id}.", "success")
        return redirect(url_for("cases.show", case_id=case.id))
    return render_template("cases/form.html", form=form, case=None, second_opinion=opinion)
