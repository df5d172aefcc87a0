"""Plan letters through the app: finalize, issue, immutability, corrections, sending, batch, follow-up, permissions."""

import hashlib
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pypdf
import pytest
import sqlalchemy as sa

from tumorboard.extensions import db
from tumorboard.letters.models import LetterDelegate, LetterDispatch, PlanLetter
from tumorboard.program.settings import program_today
from tumorboard.room.models import ConsensusPlan
from tumorboard.vocab import CaseStatus, Implementation, PresentationStatus, Role, Specialty, VoteResult


class Presented:
    """A case closed at yesterday's conference, with Sarah Kim as managing physician."""

    def __init__(self, make, **case_overrides) -> None:
        self.managing = make.user(
            roles=(Role.PHYSICIAN,),
            specialty=Specialty.MEDICAL_ONCOLOGY,
            full_name="Sarah Kim",
            username=f"skim{id(self)}",
        )
        start = datetime.now(UTC) - timedelta(days=1)
        series = make.series(name=f"Breast Tumor Board {id(self)}")
        self.conference = make.conference(series=series, starts_at=start, occurrence_start=start)
        self.case = make.case(
            status=CaseStatus.PRESENTED,
            managing_physician=self.managing,
            referring_name="Dr. Anne Whitaker",
            patient=make.patient(last_name="Lockhart", first_name="Maria", mrn=f"TB{id(self) % 1000000:06d}"),
            **case_overrides,
        )
        self.item = make.presentation(
            conference=self.conference,
            case=self.case,
            status=PresentationStatus.CLOSED,
            started_at=start,
            closed_at=start + timedelta(minutes=6),
        )
        db.session.add(
            ConsensusPlan(
                presentation_id=self.item.id,
                text="Neoadjuvant chemotherapy, then lumpectomy",
                result=VoteResult.UNANIMOUS,
                agree_count=5,
                disagree_count=0,
                abstain_count=0,
            )
        )
        db.session.commit()

    def url(self, action: str = "") -> str:
        return f"/letters/presentation/{self.item.id}" + (f"/{action}" if action else "")

    def beside(self, make) -> "Presented":
        """Another case closed at this conference, with the same managing physician (a batch of letters)."""
        other = Presented(make)
        other.case.managing_physician_id = self.managing.id
        other.item.conference_id = self.conference.id
        db.session.commit()
        return other


@pytest.fixture
def presented(make) -> Presented:
    return Presented(make)


def sign_in(auth, client, user) -> None:
    client.post("/logout")
    auth.login(user.username)


def finalize(client, presented: Presented) -> None:
    client.post(
        presented.url(),
        data={
            "final_plan": "Neoadjuvant ddAC-T, then lumpectomy and radiation",
            "next_steps": "Oncology visit in 7 days",
        },
    )


def _letters() -> list[PlanLetter]:
    return list(db.session.scalars(sa.select(PlanLetter).order_by(PlanLetter.id)))


def test_the_managing_physician_finalizes_previews_and_issues(presented, auth, client, app):
    sign_in(auth, client, presented.managing)
    assert (
        client.post(presented.url("issue"), data={"kind": "referrer"}, follow_redirects=True)
        .data.decode()
        .count("Finalize the plan before issuing")
        == 1
    )
    finalize(client, presented)
    db.session.expire_all()
    assert presented.case.status is CaseStatus.PLAN_FINALIZED and presented.item.consensus_plan.final_plan.startswith(
        "Neoadjuvant ddAC-T"
    )
    preview = client.get(presented.url("preview/referrer.pdf"))
    assert preview.mimetype == "application/pdf" and _letters() == []  # a preview stores nothing
    client.post(presented.url("issue"), data={"kind": "referrer"})
    [letter] = _letters()
    assert letter.version == 1 and letter.sha256 == hashlib.sha256(letter.pdf).hexdigest()
    text = " ".join(
        " ".join(p.extract_text().split())
        for p in pypdf.PdfReader(BytesIO(client.get(f"/letters/{letter.id}.pdf").data)).pages
    )
    assert (
        "Neoadjuvant ddAC-T, then lumpectomy and radiation" in text
        and "Maria Lockhart" in text
        and "Vote of the board: unanimous" in text
    )
    filed = Path(app.config["REPORTS_DIR"]) / "letters" / str(datetime.now(UTC).year) / letter.filename
    assert filed.read_bytes() == letter.pdf
    assert "Lockhart" not in letter.filename and presented.case.patient.mrn not in letter.filename


def test_issuing_twice_gives_one_letter_and_a_correction_a_new_version(presented, auth, client):
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    client.post(presented.url("issue"), data={"kind": "referrer"})
    client.post(presented.url("issue"), data={"kind": "referrer"})  # a double click
    [first] = _letters()
    original = (first.pdf, first.sha256)
    client.post(
        presented.url(),
        data={"final_plan": "Upfront lumpectomy, then adjuvant chemotherapy", "next_steps": "Surgery consult"},
    )
    correction = {"kind": "referrer", "correction_reason": "Plan changed after MRI review", "corrects_version": "1"}
    client.post(presented.url("issue"), data=correction)
    client.post(presented.url("issue"), data=correction)  # the same correction clicked twice
    first_again, second = _letters()
    assert (first_again.pdf, first_again.sha256) == original  # the issued letter never changes
    assert (second.version, second.replaces_id, second.correction_reason) == (
        2,
        first.id,
        "Plan changed after MRI review",
    )
    assert (
        client.get(f"/letters/{first.id}.pdf").data == original[0]
        and client.get(f"/letters/{second.id}.pdf").status_code == 200
    )
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(BytesIO(second.pdf)).pages)
    assert "Version 2, correcting version 1: Plan changed after MRI review" in text and "Upfront lumpectomy" in text


def test_a_correction_of_a_version_since_corrected_is_refused_and_says_why(presented, auth, client):
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    client.post(presented.url("issue"), data={"kind": "referrer"})
    client.post(
        presented.url("issue"),
        data={"kind": "referrer", "correction_reason": "ECOG corrected", "corrects_version": "1"},
    )
    page = client.get(presented.url()).data.decode()
    assert page.count('name="corrects_version"') == 1 and 'name="corrects_version" value="2"' in page  # the newest only
    # A second screen still showing version 1, with another correction:
    stale = client.post(
        presented.url("issue"),
        data={"kind": "referrer", "correction_reason": "Dose changed", "corrects_version": "1"},
        follow_redirects=True,
    ).data.decode()
    assert "Version 2 of this letter was issued meanwhile. Read it first" in stale
    unnamed = client.post(
        presented.url("issue"), data={"kind": "referrer", "correction_reason": "Dose changed"}, follow_redirects=True
    )
    assert "issued meanwhile" in unnamed.data.decode()
    assert [letter.version for letter in _letters()] == [1, 2]


def test_only_the_managing_physician_or_a_delegate_issues(presented, auth, client, make):
    other = make.user(roles=(Role.PHYSICIAN,))
    coordinator = make.user(roles=(Role.COORDINATOR,))
    sign_in(auth, client, other)
    assert client.post(presented.url(), data={"final_plan": "x"}).status_code == 403
    assert client.post(presented.url("issue"), data={"kind": "referrer"}).status_code == 403
    sign_in(auth, client, coordinator)
    assert client.post(presented.url("issue"), data={"kind": "referrer"}).status_code == 403
    sign_in(auth, client, presented.managing)
    client.post("/letters/delegates", data={"user_id": other.id, "action": "add"})
    assert db.session.get(LetterDelegate, (presented.managing.id, other.id)) is not None
    sign_in(auth, client, other)
    finalize(client, presented)
    client.post(presented.url("issue"), data={"kind": "referrer"})
    assert [(letter.kind.value, letter.issued_by_id) for letter in _letters()] == [("referrer", other.id)]


def test_a_letter_needs_a_closed_presentation(make, auth, client):
    presented = Presented(make)
    presented.item.status = PresentationStatus.PLANNED
    db.session.commit()
    sign_in(auth, client, presented.managing)
    page = client.post(presented.url(), data={"final_plan": "x", "next_steps": ""}, follow_redirects=True).data.decode()
    assert "must be closed at the conference" in page
    client.post(presented.url("issue"), data={"kind": "presentation_notice"})  # the notice goes out before the meeting
    assert [letter.kind.value for letter in _letters()] == ["presentation_notice"]


def test_sending_is_recorded_and_completes_the_case(presented, auth, client):
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    client.post(presented.url("issue"), data={"kind": "referrer"})
    [letter] = _letters()
    future = client.post(
        f"/letters/{letter.id}/dispatch",
        data={"sent_on": (program_today() + timedelta(days=2)).isoformat(), "method": "fax",
              "recipient": "Dr. Whitaker"},
        follow_redirects=True,
    ).data.decode()
    assert "The sending date is in the future." in future
    client.post(
        f"/letters/{letter.id}/dispatch",
        data={"sent_on": program_today().isoformat(), "method": "fax", "recipient": "Dr. Whitaker, fax 555-0100"},
    )
    db.session.expire_all()
    assert [(d.method.value, d.recipient) for d in db.session.scalars(sa.select(LetterDispatch))] == [
        ("fax", "Dr. Whitaker, fax 555-0100")
    ]
    assert presented.case.status is CaseStatus.LETTER_SENT


def test_a_letter_issued_in_the_evening_is_sent_the_same_program_day(presented, auth, client):
    """21:30 in New York is 02:30 the next day in UTC: the letter was issued on the program's day, not UTC's."""
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    client.post(presented.url("issue"), data={"kind": "referrer"})
    [letter] = _letters()
    day = program_today() - timedelta(days=1)
    after_midnight_utc = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
    letter.issued_at = after_midnight_utc + timedelta(hours=2, minutes=30)
    db.session.commit()
    sent = {"sent_on": day.isoformat(), "method": "fax", "recipient": "Fax"}
    client.post(f"/letters/{letter.id}/dispatch", data=sent)
    assert db.session.scalar(sa.select(sa.func.count(LetterDispatch.id))) == 1


def test_implementation_follow_up_needs_a_reason_when_not_carried_out(presented, auth, client):
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    page = client.post(presented.url("implementation"), data={"implemented": "no"}, follow_redirects=True).data.decode()
    assert "Say why the plan was not (fully) carried out." in page
    client.post(
        presented.url("implementation"),
        data={"implemented": "partly", "reason": "patient_choice", "note": "Declined radiation"},
    )
    db.session.expire_all()
    plan = presented.item.consensus_plan
    assert (plan.implemented, plan.non_implementation_reason.value, plan.implementation_note) == (
        Implementation.PARTLY,
        "patient_choice",
        "Declined radiation",
    )


def test_batch_issues_every_finalized_plan_once(make, auth, client):
    first = Presented(make)
    second, _not_final = first.beside(make), first.beside(make)
    sign_in(auth, client, first.managing)
    finalize(client, first)
    finalize(client, second)
    page = client.post(f"/letters/batch/{first.conference.id}", data={}, follow_redirects=True).data.decode()
    assert "Letters issued for 2 cases." in page
    assert sorted((letter.presentation_id, letter.kind.value) for letter in _letters()) == sorted(
        [
            (first.item.id, "referrer"),
            (first.item.id, "patient"),
            (second.item.id, "referrer"),
            (second.item.id, "patient"),
        ]
    )
    client.post(f"/letters/batch/{first.conference.id}", data={})
    assert len(_letters()) == 4  # again: nothing twice


def test_the_waiting_list_is_oldest_first_with_days_waited(make, auth, client):
    old, new = Presented(make), Presented(make)
    old.item.closed_at = datetime.now(UTC) - timedelta(days=20)
    db.session.commit()
    coordinator = make.user(roles=(Role.COORDINATOR,))
    sign_in(auth, client, coordinator)
    page = client.get("/letters/").data.decode()
    assert (
        page.index(f"#{old.case.id}<") < page.index(f"#{new.case.id}<") and "20 days" in page and "to finalize" in page
    )


def test_a_missing_letterhead_is_a_plain_header_not_an_error(presented, auth, client):
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    response = client.get(presented.url("preview/patient.pdf"))
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(BytesIO(response.data)).pages)
    assert "Multidisciplinary Cancer Conference" in text and "Dear Maria" in text


def test_an_auditor_reads_letters_but_cannot_issue(presented, auth, client, make):
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    client.post(presented.url("issue"), data={"kind": "referrer"})
    [letter] = _letters()
    sign_in(auth, client, make.user(roles=(Role.AUDITOR,)))
    assert client.get(f"/letters/{letter.id}.pdf").status_code == 200
    assert client.post(presented.url("issue"), data={"kind": "patient"}).status_code == 403
    assert client.get(presented.url("preview/referrer.pdf")).status_code == 403
    sign_in(auth, client, make.user(roles=(Role.NAVIGATOR,)))
    assert client.get("/letters/").status_code == 403


def test_sending_a_second_opinion_letter_answers_the_request_in_time(make, auth, client):
    from tumorboard.second_opinions.models import SecondOpinionRequest
    from tumorboard.vocab import CaseSource, SecondOpinionStatus

    presented = Presented(make, source=CaseSource.SECOND_OPINION)
    navigator = make.user(roles=(Role.NAVIGATOR,))
    request = SecondOpinionRequest(
        patient=presented.case.patient,
        requester="patient",
        contact_name="Self",
        diagnosis_as_stated="Breast cancer",
        requested_specialty="surgery",
        visit_mode="virtual",
        navigator_id=navigator.id,
        case_id=presented.case.id,
        status=SecondOpinionStatus.CASE_CREATED,
        complete_at=datetime.now(UTC) - timedelta(days=3),
    )
    db.session.add(request)
    db.session.commit()
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    client.post(presented.url("issue"), data={"kind": "referrer"})
    [letter] = _letters()
    client.post(
        f"/letters/{letter.id}/dispatch",
        data={"sent_on": program_today().isoformat(), "method": "portal", "recipient": "Patient portal"},
    )
    db.session.expire_all()
    assert request.status is SecondOpinionStatus.CLOSED
    sign_in(auth, client, navigator)
    assert "plan sent in time" in client.get(f"/second-opinions/{request.id}").data.decode()


def test_a_letter_whose_request_fails_leaves_no_file(presented, auth, client, app, monkeypatch):
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    folder = Path(app.config["REPORTS_DIR"]) / "letters"
    before = set(folder.rglob("*.pdf")) if folder.exists() else set()

    def database_gone() -> None:
        raise ConnectionError("the database went away")

    monkeypatch.setattr(db.session, "commit", database_gone)
    assert client.post(presented.url("issue"), data={"kind": "referrer"}).status_code == 500
    monkeypatch.undo()
    db.session.rollback()
    assert _letters() == []
    assert (set(folder.rglob("*.pdf")) if folder.exists() else set()) == before


def test_a_full_disk_leaves_no_partial_copy_and_the_letter_is_filed_later(
    presented, auth, client, app, make, monkeypatch, tmp_path, runner
):
    import errno

    from tumorboard import storage

    monkeypatch.setitem(app.config, "REPORTS_DIR", str(tmp_path / "reports"))
    sign_in(auth, client, presented.managing)
    finalize(client, presented)

    disk = {"full": True}
    real_fsync = storage.os.fsync

    def fsync(descriptor):
        if disk["full"]:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_fsync(descriptor)

    monkeypatch.setattr(storage.os, "fsync", fsync)
    page = client.post(presented.url("issue"), data={"kind": "referrer"}, follow_redirects=True).data.decode()
    assert "its filed copy could not be written; it is filed again with the next letter" in page
    [referrer] = _letters()
    assert referrer.filed_at is None
    assert not [
        path for path in (tmp_path / "reports").rglob("*") if path.is_file()
    ]  # no truncated PDF of a patient's letter

    disk["full"] = False
    client.post(presented.url("issue"), data={"kind": "patient"})  # the next letter files the earlier one too
    db.session.expire_all()
    filed = sorted(path for path in (tmp_path / "reports").rglob("*.pdf"))
    assert {path.name for path in filed} == {letter.filename for letter in _letters()} and all(
        letter.filed_at for letter in _letters()
    )
    assert {oct(path.stat().st_mode & 0o777) for path in filed} == {"0o600"}
    assert oct(filed[0].parent.stat().st_mode & 0o777) == "0o700"


def test_file_letters_writes_every_missing_copy(presented, auth, client, app, monkeypatch, tmp_path, runner):
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    client.post(presented.url("issue"), data={"kind": "referrer"})
    monkeypatch.setitem(app.config, "REPORTS_DIR", str(tmp_path / "elsewhere"))  # as if the copy had never been written
    db.session.execute(sa.update(PlanLetter).values(filed_at=None))
    db.session.commit()
    result = runner.invoke(args=["file-letters"])
    assert result.exit_code == 0 and "1 letter(s) filed." in result.output
    [letter] = _letters()
    assert letter.filed_at is not None and next((tmp_path / "elsewhere").rglob("*.pdf")).read_bytes() == letter.pdf
    assert "0 letter(s) filed." in runner.invoke(args=["file-letters"]).output
