"""Case pages: the queue, the case form, the case page, status moves, readiness, import."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tumorboard.audit.operations import record_read
from tumorboard.cases import importer
from tumorboard.cases import operations as ops
from tumorboard.cases.forms import CaseForm, ImportForm, MoveForm, PatientSearchForm
from tumorboard.cases.models import Case
from tumorboard.cases.permissions import CaseChange, change_of_move, may
from tumorboard.cases.queries import (
    FOUND_AT_MOST,
    IMPORTED_SHOWN,
    SORTS,
    load_case_page,
    load_imported,
    load_queue,
    parse_filter,
    physician_choices,
    series_choices,
)
from tumorboard.cases.visibility import IN_THE_ROOM, readable_cases, require_case
from tumorboard.cases.workflow import ACTION_LABELS, EDITABLE, manual_moves
from tumorboard.domain import Refused
from tumorboard.extensions import db
from tumorboard.program.settings import program_zone
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.vocab import CaseStatus, Role, SecondOpinionStatus, SiteGroup, Urgency
from tumorboard.web.access import allow
from tumorboard.web.actions import Done, run_action, run_form
from tumorboard.web.actor import current_actor

bp = Blueprint("cases", __name__, url_prefix="/cases", cli_group=None)

VIEWERS = (Role.PHYSICIAN, Role.COORDINATOR, Role.NAVIGATOR, Role.AUDITOR)
EDITORS = (Role.PHYSICIAN, Role.COORDINATOR)
IMPORT_RACE = (
    "Someone else entered some of these patients at the same moment. Nothing was imported: upload the file "
    "again (rows already imported are skipped)."
)


@bp.route("/")
@allow(*VIEWERS)
def queue() -> str:
    """Submitted cases with filters, sorting and paging; the view is audited with the cases shown."""
    queue_filter, problems = parse_filter(request.args)
    for problem in problems:
        flash(problem, "warning")
    page = load_queue(queue_filter, current_actor().now, program_zone(), readable_cases(current_user))
    record_read(current_actor(), "case", [row.id for row in page.rows])
    html = render_template("cases/queue.html", page=page, f=queue_filter, series=series_choices(active_only=False),
                           sorts=SORTS, site_groups=SiteGroup, statuses=CaseStatus, urgencies=Urgency,
                           args=queue_filter.as_args())
    db.session.commit()  # the audit entry; after rendering, so the signed-in user is not expired and read again
    return html


@bp.route("/new", methods=["GET", "POST"])
@allow(*EDITORS)
def new() -> object:
    """A physician (or coordinator) enters a case, as a draft or submitted to the board."""
    form = _case_form()
    if request.method == "GET" and current_user.has_role(Role.PHYSICIAN):
        form.presenting_physician_id.data = str(current_user.id)
    page = partial(_form_page, form)
    if form.find_patient.data:
        return _find_patient(form, page)
    return run_form(form, lambda: _saved(form, None), page, partial(_rules, form, None))


@bp.route("/find", methods=["GET", "POST"])
@allow(*VIEWERS)
def find() -> str:
    """'Find a patient' by MRN, case number, name or date of birth; the search is audited, its text posted only."""
    form, found, more = PatientSearchForm(), None, False
    if form.validate_on_submit():
        try:
            found, more = ops.search_patients(current_actor(), form.q.data or "")
        except Refused as error:
            flash(str(error), "warning")
    html = render_template("cases/find.html", form=form, found=found, more=more, limit=FOUND_AT_MOST,
                           audit_reader=current_user.has_role(Role.AUDITOR))
    db.session.commit()  # the search's audit entry (a refused one too), after rendering
    return html


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@allow(*EDITORS)
def edit(case_id: int) -> object:
    """Change a case while it is still open (draft, submitted, scheduled, deferred)."""
    case = _readable(case_id)
    ops.require_standing(current_actor(), case, CaseChange.EDIT)
    if case.status not in EDITABLE:
        flash(f"A {case.status.label.lower()} case can no longer be edited.", "warning")
        return redirect(url_for("cases.show", case_id=case.id))
    form = _case_form()
    if request.method == "GET":
        form.fill_from(case)
        record_read(current_actor(), "case", case.id, "edit form")
        db.session.commit()
    page = partial(render_template, "cases/form.html", form=form, case=case)
    if form.find_patient.data:
        return _find_patient(form, page)
    return run_form(form, lambda: _saved(form, case), page, partial(_rules, form, case))


@bp.route("/<int:case_id>")
@allow(*VIEWERS)
def show(case_id: int) -> str:
    """The clinical summary, every presentation with its outcome, the status history, and who viewed or changed it."""
    case = _readable(case_id)
    record_read(current_actor(), "case", case.id)
    html = render_template(
        "cases/show.html",
        case=case,
        page=load_case_page(case),
        move_form=MoveForm(),
        can_ready={material: ops.may_mark_ready(current_user, material) for material in ops.READY_BY},
        shows_votes=current_user.has_role(*IN_THE_ROOM),
        **_changes_offered(case),
    )
    db.session.commit()  # the audit entry, after rendering: committing first would expire the case and read it again
    return html


@bp.route("/<int:case_id>/status", methods=["POST"])
@allow(Role.PHYSICIAN, Role.COORDINATOR, Role.NAVIGATOR)
def status(case_id: int) -> object:
    """Move a case (submit, return to draft, defer, re-queue, withdraw, reopen) with an optional reason."""
    case, form = _readable(case_id), MoveForm()
    new = CaseStatus.from_code(form.to_status.data) if form.validate_on_submit() else None
    back = url_for("cases.show", case_id=case.id)
    if new is None:
        flash("That status change could not be read. Try again from the case page.", "warning")
        return redirect(back)
    submitting = new is CaseStatus.SUBMITTED and case.status is CaseStatus.DRAFT
    if submitting and (missing := ops.missing_for_submission(case)):
        flash("Complete the case before submitting it: " + " ".join(missing), "warning")
        return redirect(url_for("cases.edit", case_id=case.id))
    moved = f"Case #{case.id} is now {new.label.lower()}."
    return run_action(back, lambda: ops.move_case(current_actor(), case, new, form.reason.data or ""), moved)


@bp.route("/<int:case_id>/ready/<material>", methods=["POST"])
@allow(Role.PHYSICIAN, Role.COORDINATOR)
def ready(case_id: int, material: str) -> object:
    """Radiology or pathology marks its material ready for review (or not ready again)."""
    case, ready = _readable(case_id), request.form.get("ready") == "yes"
    back = url_for("cases.show", case_id=case.id)
    return run_action(back, lambda: ops.mark_ready(current_actor(), case, material, ready))


@bp.route("/import", methods=["GET", "POST"])
@allow(Role.COORDINATOR)
def import_file() -> object:
    """Upload a CSV or XLSX of cases: every problem is listed by row and column, or the whole file is imported."""
    form, check = ImportForm(), None
    if form.validate_on_submit():
        try:
            check = ops.check_import(form.file.data.read(), form.file.data.filename or "")
        except importer.ImportFileError as error:
            form.file.errors = [*form.file.errors, str(error)]
    if check is not None and not check.problems:
        return _import(form, check)
    return render_template("cases/import.html", form=form, check=check)


@bp.route("/new/second-opinion/<int:request_id>", methods=["GET", "POST"])
@allow(Role.NAVIGATOR, Role.COORDINATOR)  # who reads the request (second_opinions.READERS) and may enter a case
def from_second_opinion(request_id: int) -> object:
    """The case of a second-opinion request whose records are complete, prefilled from the intake."""
    opinion = db.get_or_404(SecondOpinionRequest, request_id)
    if opinion.status is not SecondOpinionStatus.RECORDS_COMPLETE:
        flash("A case is created once every outside record is in (and only once).", "warning")
        return redirect(url_for("second_opinions.show", request_id=opinion.id))
    form = _case_form()
    if request.method == "GET":
        form.fill_from_request(opinion)
    page = partial(_form_page, form, second_opinion=opinion)
    return run_form(form, lambda: _saved(form, None, opinion), page, partial(_rules, form, None))


def _readable(case_id: int) -> Case:
    case = db.get_or_404(Case, case_id)
    require_case(current_user, case.id)
    return case


def _changes_offered(case: Case) -> dict[str, object]:
    """The edit link and the status moves the case page offers: the ones the user's role and standing allow."""
    held = ops.case_standing(current_user, case)
    moves = [to for to in manual_moves(case.status, current_user.roles) if may(change_of_move(case.status, to), held)]
    return {
        "moves": [(status, ACTION_LABELS[status]) for status in moves],
        "editable": case.status in EDITABLE and current_user.has_role(*EDITORS) and may(CaseChange.EDIT, held),
    }


def _form_page(form: CaseForm, second_opinion: SecondOpinionRequest | None = None) -> str:
    """The new-case form; refused as a repeat of an open case, with those cases listed (and their read audited)."""
    others = []
    if form.another_case.errors and (site := SiteGroup.from_code(form.site_group.data)):
        others = ops.open_cases_like((form.mrn.data or "").strip(), site)
        record_read(current_actor(), "case", [other.id for other in others], "new case: same patient and site group")
    html = render_template("cases/form.html", form=form, case=None, second_opinion=second_opinion, others=others)
    db.session.commit()
    return html


def _case_form() -> CaseForm:
    form = CaseForm()
    form.set_people(physician_choices(), series_choices(active_only=True))
    return form


def _submitting(form: CaseForm, case: Case | None) -> bool:
    """Whether the case goes to the board (complete): submitted now, or already past draft."""
    return bool(form.submit_case.data) or (case is not None and case.status is not CaseStatus.DRAFT)


def _rules(form: CaseForm, case: Case | None) -> dict[str, list[str]]:
    """The program's rules on what could be read of a form that did not validate: said with the form's own problems."""
    data, unreadable = form.read_as_far_as_possible()
    _, problems = ops.case_problems(case, data, _submitting(form, case), bool(form.another_case.data))
    return unreadable | problems.by_field


def _saved(form: CaseForm, case: Case | None, opinion: SecondOpinionRequest | None = None) -> Done:
    """Save the form's case (a draft stays a draft unless submitted); a second opinion's request moves on with it."""
    submit = _submitting(form, case)
    saved = ops.save_case(current_actor(), case, form.to_input(), submit, bool(form.another_case.data))
    if opinion is not None:
        ops.link_second_opinion(current_actor(), opinion, saved)
        message = f"Case #{saved.id} created for second-opinion request #{opinion.id}."
    elif case is not None:
        message = f"Case #{saved.id} saved."
    else:
        done = "submitted to the board" if saved.status is CaseStatus.SUBMITTED else "saved as a draft"
        message = f"Case #{saved.id} {done}."
    return Done(message, url_for("cases.show", case_id=saved.id))


def _find_patient(form: CaseForm, page: object) -> object:
    """'Find patient': a returning patient's identity filled in (or a message by the MRN); nothing else is saved."""
    mrn = (form.mrn.data or "").strip()
    try:
        patient = ops.look_up_patient(current_actor(), mrn) if mrn else None
    except Refused as error:
        form.mrn.errors, patient = error.messages, None
    db.session.commit()  # the lookup's audit entry, found or not
    if patient is not None:
        form.show_patient(patient)
        earlier = len(patient.cases)
        flash(f"Returning patient: details loaded ({earlier} earlier case{'' if earlier == 1 else 's'}).", "info")
    elif not form.mrn.errors:
        form.mrn.errors = ["No patient with this MRN yet: enter their details."]
    return page()


def _import(form: ImportForm, check: importer.ImportCheck) -> object:
    """Write a checked file's cases, all or none; the same new patients entered elsewhere at this moment is a 409."""
    try:
        created = ops.import_cases(current_actor(), check.to_create)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        form.file.errors = [*form.file.errors, IMPORT_RACE]
        return render_template("cases/import.html", form=form, check=None), 409
    shown = load_imported(created[:IMPORTED_SHOWN])
    record_read(current_actor(), "case", [row.id for row in shown], "import result")
    html = render_template("cases/imported.html", shown=shown, created=len(created),
                           already=len(check.already_imported))
    db.session.commit()
    return html
