"""Finalizing plans and issuing, correcting and sending letters. Operations flush; the view commits.

An issued letter never changes: its PDF bytes and SHA-256 are stored, and a
correction is a new version that names the one it replaces.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tumorboard.audit.operations import record
from tumorboard.auth.models import User
from tumorboard.cases.models import Case
from tumorboard.cases.operations import set_status
from tumorboard.conferences.models import Conference
from tumorboard.domain import Actor, NotAllowed, Refused
from tumorboard.extensions import db
from tumorboard.letters.content import LetterContent, Letterhead, NoticeContent, SpecialtyRecommendation, stage_text
from tumorboard.letters.models import LetterDelegate, LetterDispatch, PlanLetter
from tumorboard.letters.pdf import notice_pdf, patient_letter_pdf, referrer_letter_pdf
from tumorboard.program.models import ProgramSettings
from tumorboard.program.settings import program_zone
from tumorboard.room.models import Attendance, ConsensusPlan, Presentation, Recommendation
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.storage import FILE_MODE, write_private_file
from tumorboard.vocab import (
    CaseStatus,
    DispatchMethod,
    Implementation,
    LetterKind,
    NonImplementationReason,
    PresentationStatus,
    PresentationTrack,
    Role,
    SecondOpinionStatus,
)


class LetterError(Refused):
    """A letter action refused, with a message for the user."""


def may_sign(user: User, case: Case) -> bool:
    """The case's managing physician, or someone they named as a delegate."""
    if case.managing_physician_id is None:
        return False
    if user.id == case.managing_physician_id:
        return True
    return bool(
        db.session.scalar(
            sa.select(LetterDelegate.delegate_id).where(
                LetterDelegate.physician_id == case.managing_physician_id, LetterDelegate.delegate_id == user.id
            )
        )
    )


def _require_signer(user: User, case: Case) -> None:
    if not may_sign(user, case):
        raise NotAllowed("Only the managing physician (or a delegate they named) does this.")


def finalize_plan(
    actor: Actor,
    presentation: Presentation,
    final_plan: str,
    next_steps: str,
) -> ConsensusPlan:
    """Turn the consensus into the final plan, with next steps and who does what."""
    _require_signer(actor.user, presentation.case)
    if presentation.status is not PresentationStatus.CLOSED:
        raise LetterError("The case must be closed at the conference before its plan is finalized.")
    if not final_plan.strip():
        raise LetterError("Write the final plan.")
    plan = presentation.consensus_plan or ConsensusPlan(presentation_id=presentation.id, text="")
    presentation.consensus_plan = plan
    plan.final_plan, plan.next_steps = final_plan.strip(), next_steps.strip()
    plan.finalized_at, plan.finalized_by_id = actor.now, actor.id
    if presentation.case.status is CaseStatus.PRESENTED:
        set_status(actor, presentation.case, CaseStatus.PLAN_FINALIZED, "plan finalized")
    db.session.flush()
    record(actor, "finalize", "presentation", presentation.id)
    return plan


def _letterhead() -> Letterhead:
    settings = db.session.get(ProgramSettings, 1)
    if settings is None:
        return Letterhead(name="")
    return Letterhead(
        settings.letterhead_name, settings.letterhead_address, settings.letterhead_phone, settings.logo_path
    )


def letter_content(
    presentation: Presentation, today: date, version: int = 1, replaces: int | None = None, reason: str = ""
) -> LetterContent:
    """Gather a presentation's letter from the database (five queries)."""
    case, patient, conference = presentation.case, presentation.case.patient, presentation.conference
    series = conference.series
    zone = ZoneInfo(series.timezone)
    plan = presentation.consensus_plan
    present: dict[str, list[str]] = defaultdict(list)
    for row in db.session.scalars(
        sa.select(Attendance).where(Attendance.conference_id == conference.id).order_by(Attendance.attendee_name)
    ):
        present[row.specialty.label].append(row.attendee_name)
    recommendations = [
        SpecialtyRecommendation(
            r.specialty.label,
            r.modality.label,
            r.modality.value,
            r.intent.label.lower() if r.intent else "",
            r.sequence,
            r.text,
        )
        for r in db.session.scalars(
            sa.select(Recommendation)
            .where(Recommendation.presentation_id == presentation.id)
            .order_by(Recommendation.specialty)
        )
    ]
    signer = db.session.get(User, case.managing_physician_id)
    vote = "not put to a vote"
    if plan is not None and plan.result is not None:
        counts = f"{plan.agree_count} agree, {plan.disagree_count} disagree, {plan.abstain_count} abstain"
        vote = f"{plan.result.label.lower()} ({counts})"
        if plan.close_override_reason:
            vote += (f"; closed by the chair although the closing rule was not met "
                     f"({_room_at_close(plan)}), because: {plan.close_override_reason}")
    if presentation.trials_discussed:
        trials = (
            f"Clinical trials discussed: {presentation.trials_named}."
            if presentation.trials_named
            else "Clinical trial eligibility was discussed; no suitable trial is open."
        )
    else:
        trials = "No clinical trial was discussed."
    if presentation.guideline_discussed:
        concordant = {
            True: "The plan is concordant with it.",
            False: "The plan departs from it, as discussed.",
            None: "",
        }[presentation.guideline_concordant]
        guideline = (
            f"{presentation.guideline_name} {presentation.guideline_version}".strip()
            + f". {concordant}".rstrip(". ")
            + ("." if concordant else "")
        )
    else:
        guideline = "No guideline was referenced."
    opinion = ""
    if presentation.diagnosis_opinion or presentation.plan_opinion:
        opinion = (
            "; ".join(
                x
                for x in (
                    f"Diagnosis {presentation.diagnosis_opinion.label.lower()}"
                    if presentation.diagnosis_opinion
                    else "",
                    f"plan {presentation.plan_opinion.label.lower()}" if presentation.plan_opinion else "",
                )
                if x
            )
            + "."
        )
    return LetterContent(
        letterhead=_letterhead(),
        letter_date=today,
        version=version,
        replaces_version=replaces,
        correction_reason=reason,
        recipient_name=case.referring_name,
        recipient_practice=case.referring_practice,
        recipient_address=case.referring_address,
        patient_name=f"{patient.first_name} {patient.last_name}",
        patient_first_name=patient.first_name,
        birth_date=patient.birth_date,
        mrn=patient.mrn,
        diagnosis=f"{case.site_group.label}: {case.histology}"
        + (f", {case.laterality.label.lower()}" if case.laterality.value in ("left", "right", "bilateral") else ""),
        stage=stage_text(
            case.not_staged,
            case.ajcc_edition,
            (case.clinical_t, case.clinical_n, case.clinical_m, case.clinical_stage),
            (case.pathologic_t, case.pathologic_n, case.pathologic_m, case.pathologic_stage),
        ),
        question=case.question,
        conference=series.name,
        conference_date=conference.starts_at.astimezone(zone).date(),
        present=[(specialty, ", ".join(names)) for specialty, names in sorted(present.items())],
        recommendations=recommendations,
        consensus_plan=plan.text if plan else "",
        vote_result=vote,
        final_plan=plan.final_plan if plan else "",
        next_steps=plan.next_steps if plan else "",
        trials=trials,
        guideline=guideline,
        second_opinion=opinion,
        signer_name=signer.display_name if signer else "",
        signer_specialty=signer.specialty.label if signer else "",
        listed_standard=presentation.standard_of_care
        if presentation.track is PresentationTrack.LISTED_NOT_DISCUSSED
        else "",
    )


def render(
    presentation: Presentation,
    kind: LetterKind,
    today: date,
    version: int = 1,
    replaces: int | None = None,
    reason: str = "",
) -> bytes:
    """The PDF of a letter (for preview or to issue)."""
    if kind is LetterKind.PRESENTATION_NOTICE:
        case, conference = presentation.case, presentation.conference
        presenter = db.session.get(
            User, presentation.presenter_id or case.presenting_physician_id or case.managing_physician_id
        )
        return notice_pdf(
            NoticeContent(
                _letterhead(),
                today,
                f"{case.patient.first_name} {case.patient.last_name}",
                case.patient.first_name,
                conference.series.name,
                conference.starts_at.astimezone(ZoneInfo(conference.series.timezone)).date(),
                presenter.display_name if presenter else "your physician",
            )
        )
    content = letter_content(presentation, today, version, replaces, reason)
    return referrer_letter_pdf(content) if kind is LetterKind.REFERRER else patient_letter_pdf(content)


def latest_letter(presentation_id: int, kind: LetterKind) -> PlanLetter | None:
    """The newest version of a kind of letter for a presentation."""
    return db.session.scalar(
        sa.select(PlanLetter)
        .where(PlanLetter.presentation_id == presentation_id, PlanLetter.kind == kind)
        .order_by(PlanLetter.version.desc())
        .limit(1)
    )


def issue_letter(
    actor: Actor,
    presentation: Presentation,
    kind: LetterKind,
    today: date,
    correction_reason: str = "",
    corrects_version: int | None = None,
) -> PlanLetter:
    """Issue a letter; issuing again without a correction returns the letter already issued (a double click gives one).

    A correction names the version it corrects (the one the signer read): if another version was issued since, the
    same correction clicked twice returns the first, and any other is refused, so nobody corrects a letter unseen.
    The filed copy is written by file_letters once the request has committed, so a failed commit leaves no file.
    """
    _require_signer(actor.user, presentation.case)
    locked = db.session.scalar(sa.select(Presentation).where(Presentation.id == presentation.id).with_for_update())
    if kind is LetterKind.PRESENTATION_NOTICE:
        if locked.status is not PresentationStatus.PLANNED:
            raise LetterError("The notice is sent before the case is presented.")
    elif locked.consensus_plan is None or not locked.consensus_plan.final_plan:
        raise LetterError("Finalize the plan before issuing the letter.")
    previous = latest_letter(locked.id, kind)
    if previous is not None and not correction_reason.strip():
        return previous
    if previous is None and correction_reason.strip():
        raise LetterError("There is no issued letter to correct yet.")
    if previous is not None and previous.version != corrects_version:
        if (
            previous.version - 1 == corrects_version
            and previous.issued_by_id == actor.id
            and previous.correction_reason == correction_reason.strip()[:300]
        ):
            return previous  # the same correction, sent twice
        raise LetterError(
            f"Version {previous.version} of this letter was issued meanwhile. Read it first; "
            "correct it if it still needs correcting."
        )
    version = 1 if previous is None else previous.version + 1
    pdf = render(locked, kind, today, version, previous.version if previous else None, correction_reason.strip())
    letter = PlanLetter(
        presentation_id=locked.id,
        kind=kind,
        version=version,
        replaces_id=previous.id if previous else None,
        correction_reason=correction_reason.strip()[:300],
        issued_at=actor.now,
        issued_by_id=actor.id,
        pdf=pdf,
        sha256=hashlib.sha256(pdf).hexdigest(),
        filename="",
    )
    db.session.add(letter)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # the same version issued a moment ago (a second click)
        existing = latest_letter(locked.id, kind)
        if existing is None:
            raise
        return existing
    letter.filename = f"{kind.value}-{locked.id}-v{version}-{letter.id}.pdf"  # no patient data in the name
    db.session.flush()
    record(
        actor,
        "issue",
        "letter",
        letter.id,
        f"presentation={locked.id};kind={kind.value};version={version};sha256={letter.sha256[:12]}",
    )
    return letter


def record_dispatch(
    actor: Actor,
    letter: PlanLetter,
    sent_on: date,
    method: DispatchMethod,
    recipient: str,
    today: date,
) -> LetterDispatch:
    """Record that a letter was sent: when, how, to whom. Sending the referrer letter completes the case."""
    case = letter.presentation.case
    if not (may_sign(actor.user, case) or actor.user.has_role(Role.COORDINATOR)):
        raise NotAllowed("Only the managing physician, a delegate or a coordinator records sending.")
    if sent_on > today:
        raise LetterError("The sending date is in the future.")
    if sent_on < letter.issued_at.astimezone(program_zone()).date():  # the program's day, as `today` is
        raise LetterError("A letter cannot be sent before it was issued.")
    if not recipient.strip():
        raise LetterError("Say to whom it was sent.")
    dispatch = LetterDispatch(
        letter_id=letter.id,
        sent_on=sent_on,
        method=method,
        recipient=recipient.strip()[:200],
        recorded_by_id=actor.id,
        recorded_at=actor.now,
    )
    db.session.add(dispatch)
    if letter.kind is LetterKind.REFERRER and case.status is CaseStatus.PLAN_FINALIZED:
        set_status(actor, case, CaseStatus.LETTER_SENT, f"letter sent by {method.label.lower()}")
        # The opinion goes out as this letter: the second-opinion request is answered.
        db.session.execute(
            sa.update(SecondOpinionRequest)
            .where(
                SecondOpinionRequest.case_id == case.id,
                SecondOpinionRequest.status == SecondOpinionStatus.CASE_CREATED,
            )
            .values(status=SecondOpinionStatus.CLOSED)
        )
    db.session.flush()
    record(actor, "dispatch", "letter", letter.id, f"method={method.value}")
    return dispatch


def record_implementation(
    actor: Actor,
    presentation: Presentation,
    implemented: Implementation,
    reason: NonImplementationReason | None,
    note: str,
) -> None:
    """Later: was the recommended plan carried out? A 'partly' or 'no' needs its reason."""
    _require_signer(actor.user, presentation.case)
    plan = presentation.consensus_plan
    if plan is None or not plan.final_plan:
        raise LetterError("Finalize the plan first.")
    if implemented is not Implementation.YES and reason is None:
        raise LetterError("Say why the plan was not (fully) carried out.")
    plan.implemented = implemented
    plan.non_implementation_reason = reason if implemented is not Implementation.YES else None
    plan.implementation_note, plan.implementation_recorded_at = note.strip()[:500], actor.now
    db.session.flush()
    record(actor, "implementation", "presentation", presentation.id, f"implemented={implemented.value}")


def issue_batch(actor: Actor, conference: Conference, today: date) -> tuple[list[PlanLetter], list[str]]:
    """Issue the referrer and patient letters of every finalized plan of a conference the actor may sign.

    Each case is its own savepoint: a failure leaves that case's letters unissued and the others issued.
    """
    issued: list[PlanLetter] = []
    problems: list[str] = []
    closed = db.session.scalars(
        sa.select(Presentation)
        .where(Presentation.conference_id == conference.id, Presentation.status == PresentationStatus.CLOSED)
        .order_by(Presentation.position)
    )
    for presentation in closed:
        plan = presentation.consensus_plan
        if (
            plan is None
            or not plan.final_plan
            or not may_sign(actor.user, presentation.case)
            or latest_letter(presentation.id, LetterKind.REFERRER)
        ):
            continue
        try:
            with db.session.begin_nested():
                letters = [
                    issue_letter(actor, presentation, kind, today) for kind in (LetterKind.REFERRER, LetterKind.PATIENT)
                ]
            issued += letters
        except LetterError as error:
            problems.append(f"Case #{presentation.case_id}: {error}")
    return issued, problems


def set_delegate(actor: Actor, delegate: User, add: bool) -> None:
    """Name (or remove) someone who may issue letters for the actor's cases."""
    if delegate.id == actor.id:
        raise LetterError("You always sign your own letters.")
    row = db.session.get(LetterDelegate, (actor.id, delegate.id))
    if add and row is None:
        db.session.add(LetterDelegate(physician_id=actor.id, delegate_id=delegate.id))
    elif not add and row is not None:
        db.session.delete(row)
    db.session.flush()
    record(actor, "delegate_added" if add else "delegate_removed", "user", delegate.id)


# Earlier letters whose copy could not be written (a full disk) are filed with the next issue, this many at a time.
PENDING_FILED_PER_REQUEST = 50


def letters_to_file(issued: list[PlanLetter], earlier: int = PENDING_FILED_PER_REQUEST) -> list[PlanLetter]:
    """The letters just issued, then up to `earlier` older ones whose filed copy is still missing."""
    query = sa.select(PlanLetter).where(
        PlanLetter.filed_at.is_(None), PlanLetter.id.not_in([letter.id for letter in issued])
    )
    return [*issued, *db.session.scalars(query.order_by(PlanLetter.id).limit(earlier))]


def file_letters(letters: list[PlanLetter], reports_dir: Path, now: datetime) -> list[str]:
    """Write committed letters to reports/letters/<year>/ (owner-only, atomically, once) and mark them filed.

    Returns the names that could not be written: they stay unfiled, and the next filing writes them. The caller commits.
    """
    failed = []
    for letter in letters:
        if letter.filed_at is not None:
            continue
        target = reports_dir / "letters" / str(letter.issued_at.year) / letter.filename
        try:
            if target.is_file() and target.read_bytes() == letter.pdf:
                target.chmod(FILE_MODE)  # filed by an earlier release, world-readable
            else:
                write_private_file(target, letter.pdf)  # any other file there is stale
        except OSError:
            failed.append(letter.filename)
            continue
        letter.filed_at = now
    db.session.flush()
    return failed


def _room_at_close(plan: ConsensusPlan) -> str:
    """The room when the case was closed, in words, for a plan closed with an override."""
    voted = (plan.agree_count or 0) + (plan.disagree_count or 0) + (plan.abstain_count or 0)
    quorate = "quorate" if plan.quorate_at_close else "not quorate"
    return f"{voted} of {plan.physicians_checked_in} checked-in physicians voted, {quorate}"
