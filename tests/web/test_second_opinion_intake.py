"""A navigator's side of second opinions from outside: intake without an MRN and registration later, duplicates,
insurance, outside records' files, the lists and their counts, and the promise carried into scheduling."""

import io
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pypdf
import pytest
import sqlalchemy as sa
from flask import g
from PIL import Image

from tests.domain.test_record_uploads import png_header_only
from tests.web.test_second_opinions import all_records, intake
from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.cases.models import Patient
from tumorboard.extensions import db
from tumorboard.program.settings import program_today
from tumorboard.second_opinions.models import RecordFile, SecondOpinionRequest
from tumorboard.vocab import CaseSource, InsuranceStatus, RecordKind, RecordState, Role, SecondOpinionStatus

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def navigator(make, auth):
    user = make.user(roles=(Role.NAVIGATOR,), full_name="Priya Shah")
    auth.login(user.username)
    return user


def taken_in(client, navigator, **overrides: str) -> SecondOpinionRequest:
    response = client.post("/second-opinions/new", data=intake(navigator.id, **overrides))
    assert response.status_code == 302, response.data.decode()
    return db.session.scalars(sa.select(SecondOpinionRequest).order_by(SecondOpinionRequest.id.desc())).first()


def test_a_caller_without_an_mrn_is_taken_in_and_registered_later_with_the_mrn(navigator, client):
    request = taken_in(client, navigator, mrn="")
    assert request.patient_id is None and db.session.scalar(sa.select(sa.func.count(Patient.id))) == 0
    page = client.get(f"/second-opinions/{request.id}").data.decode()
    assert "Ravenscroft, Helen" in page and "no MRN yet" in page
    response = client.post(f"/second-opinions/{request.id}/edit", data=intake(navigator.id, mrn="TB555001"))
    assert response.status_code == 302
    db.session.expire_all()
    assert request.patient.mrn == "TB555001" and request.patient.last_name == "Ravenscroft"
    cleared = client.post(f"/second-opinions/{request.id}/edit", data=intake(navigator.id, mrn="")).data.decode()
    assert "The patient is registered (MRN TB555001): keep the MRN." in cleared


def test_the_case_of_an_unregistered_request_registers_the_patient(navigator, client, make):
    request = taken_in(client, navigator, mrn="")
    client.post(f"/second-opinions/{request.id}/records", data=all_records())
    form = client.get(f"/cases/new/second-opinion/{request.id}").data.decode()
    assert 'value="Ravenscroft"' in form and 'name="mrn" type="text" value=""' in form
    db.session.expire_all()
    assert request.status is SecondOpinionStatus.RECORDS_COMPLETE


def test_a_second_request_for_the_same_person_is_refused_until_said_to_be_meant(navigator, client):
    first = taken_in(client, navigator, mrn="", last_name="Núñez", first_name="José")
    again = client.post("/second-opinions/new", data=intake(navigator.id, mrn="", last_name="NUNEZ", first_name="jose"))
    page = again.data.decode()
    assert again.status_code == 200 and "This patient has an open request or is registered here already" in page
    assert f'href="/second-opinions/{first.id}"' in page
    assert db.session.scalar(sa.select(sa.func.count(SecondOpinionRequest.id))) == 1
    meant = client.post("/second-opinions/new", data=intake(navigator.id, mrn="", last_name="NUNEZ",
                                                           first_name="jose", same_patient_again="y"))
    assert meant.status_code == 302
    second = db.session.scalars(sa.select(SecondOpinionRequest).order_by(SecondOpinionRequest.id.desc())).first()
    assert f'href="/second-opinions/{first.id}"' in client.get(f"/second-opinions/{second.id}").data.decode()


def test_a_registered_patient_of_the_same_name_and_birth_date_is_named_with_their_latest_case(navigator, client, make):
    patient = make.patient(last_name="Ravenscroft", first_name="Helen", birth_date=date(1966, 7, 9))
    case = make.case(patient=patient)
    page = client.post("/second-opinions/new", data=intake(navigator.id, mrn="")).data.decode()
    assert f"registered patient, MRN {patient.mrn}" in page and str(case.id) in page
    shown = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.entity_type == "patient")).one()
    assert (shown.action, shown.detail) == ("list", "possible duplicates;shown=1")
    subjects = db.session.scalars(sa.select(AuditSubject.patient_id).where(AuditSubject.audit_id == shown.id)).all()
    assert subjects == [patient.id]


def test_insurance_is_recorded_with_who_verified_it_and_when(navigator, client):
    request = taken_in(client, navigator, insurance_status="pending", insurance_payer="Aetna")
    assert request.insurance_verified_by_id is None
    client.post(f"/second-opinions/{request.id}/edit", data=intake(
        navigator.id, insurance_status="verified", insurance_payer="Aetna", insurance_plan="Choice POS II",
        insurance_member_id="W123456789", prior_authorization="approved", prior_authorization_reference="PA-7731"))
    db.session.expire_all()
    assert request.insurance_status is InsuranceStatus.VERIFIED and request.insurance_verified_by_id == navigator.id
    assert request.insurance_verified_on == program_today()
    page = client.get(f"/second-opinions/{request.id}").data.decode()
    assert "Aetna · Choice POS II" in page and "W123456789" in page
    assert "(ref. PA-7731)" in page and "by Priya Shah" in page
    client.post(f"/second-opinions/{request.id}/edit", data=intake(navigator.id, insurance_status="pending",
                                                                  insurance_payer="Aetna"))
    db.session.expire_all()
    assert request.insurance_verified_on is None and request.insurance_verified_by_id is None


def test_the_insurance_list_shows_only_requests_waiting_on_it(navigator, client):
    """Waiting: not verified yet, or an authorization needed and not approved."""
    insured = {"insurance_payer": "Aetna", "insurance_member_id": "W1", "mrn": "", "same_patient_again": "y"}
    cases = {
        "pending, none needed": (True, {"insurance_status": "pending", "prior_authorization": "not_needed"}),
        "verified, requested": (True, {"insurance_status": "verified", "prior_authorization": "requested"}),
        "verified, approved": (False, {"insurance_status": "verified", "prior_authorization": "approved",
                                       "prior_authorization_reference": "PA-1"}),
        "self pay": (False, {"insurance_status": "self_pay"}),
    }
    made = {name: taken_in(client, navigator, **insured, **fields, last_name=f"Case {n}")
            for n, (name, (_, fields)) in enumerate(cases.items())}
    page = client.get("/second-opinions/?insurance=waiting").data.decode()
    assert "Prior authorization" in page
    for name, (waiting, _) in cases.items():
        assert (f"#{made[name].id}</a>" in page) is waiting, name


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), "white").save(out, "PNG")
    return out.getvalue()


def attach(client, request, kind: str, name: str, content: bytes):
    return client.post(f"/second-opinions/{request.id}/files", data={"kind": kind, "file": (io.BytesIO(content), name)},
                       content_type="multipart/form-data", follow_redirects=True)


def test_a_pdf_is_attached_kept_in_the_database_and_its_line_marked_received(navigator, client):
    request = taken_in(client, navigator)
    page = attach(client, request, "pathology_report", "Ravenscroft path.pdf", PDF).data.decode()
    assert "Pathology report: Ravenscroft path.pdf attached and marked received." in page
    stored = db.session.scalars(sa.select(RecordFile)).one()
    assert (stored.content, stored.media_type, stored.uploaded_by_id) == (PDF, "application/pdf", navigator.id)
    db.session.expire_all()
    line = next(item for item in request.records if item.kind is RecordKind.PATHOLOGY_REPORT)
    assert line.state is RecordState.RECEIVED and line.received_on == program_today()
    attach_entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "attach")).one()
    assert "Ravenscroft" not in attach_entry.detail and f"file={stored.id}" in attach_entry.detail
    download = client.get(f"/second-opinions/{request.id}/files/{stored.id}")
    assert download.status_code == 200 and download.data == PDF and download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "download")) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("scan.pdf", b"MZ\x90\x00" + b"\x00" * 400, "This file is not a PDF or an image"),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "This file is not a PDF or an image"),
        ("huge.pdf", PDF + b"\x00" * 3000, "a file may be at most"),
        ("ct.png", png_header_only(20_000, 20_000), "This image is far too large to open"),
    ],
)
def test_a_file_that_is_no_record_is_refused_and_nothing_is_kept(
    navigator, client, app, monkeypatch, name, content, message
):
    request = taken_in(client, navigator)
    monkeypatch.setitem(app.config, "RECORD_FILE_MAX_BYTES", 2048)
    page = attach(client, request, "labs", name, content).data.decode()
    assert message in page and db.session.scalar(sa.select(sa.func.count(RecordFile.id))) == 0
    db.session.expire_all()
    assert next(item for item in request.records if item.kind is RecordKind.LABS).state is RecordState.NEEDED


def test_an_upload_without_a_record_kind_or_file_says_so(navigator, client):
    request = taken_in(client, navigator)
    page = attach(client, request, "", "scan.png", png()).data.decode()
    assert "Choose the record and a file to attach." in page
    assert db.session.scalar(sa.select(sa.func.count(RecordFile.id))) == 0


def test_the_files_go_with_the_case_and_a_physician_reads_them_only_through_it(navigator, client, make, auth):
    request = taken_in(client, navigator)
    attach(client, request, "images", "ct.png", png())
    stored = db.session.scalars(sa.select(RecordFile)).one()
    physician = make.user(roles=(Role.PHYSICIAN,))
    auth.logout()
    g.pop("_login_user", None)  # the test's app context remembers the last request's user
    auth.login(physician.username)
    assert client.get(f"/second-opinions/{request.id}/files/{stored.id}").status_code == 403  # no case yet
    case = make.case(patient=make.patient(), source=CaseSource.SECOND_OPINION)
    request.case_id = case.id
    db.session.commit()
    shown = client.get(f"/cases/{case.id}").data.decode()
    assert f"/second-opinions/{request.id}/files/{stored.id}" in shown and "ct.png" in shown
    assert client.get(f"/second-opinions/{request.id}/files/{stored.id}").data == stored.content
    assert client.get(f"/second-opinions/{request.id + 1}/files/{stored.id}").status_code == 404


def test_open_closed_and_all_lists_and_the_dashboard_counts_equal_the_lists(navigator, client):
    kept = taken_in(client, navigator)
    cancelled = taken_in(client, navigator, last_name="Okafor", mrn="", same_patient_again="y")
    client.post(f"/second-opinions/{cancelled.id}/cancel", data={"reason": "withdrew"})
    created = taken_in(client, navigator, last_name="Lindqvist", mrn="", same_patient_again="y")
    created.status = SecondOpinionStatus.CASE_CREATED
    db.session.commit()
    counts = {state: client.get(f"/second-opinions/?state={state}").data.decode()
              for state in ("open", "closed", "all")}
    assert "2 requests" in counts["open"] and f"#{cancelled.id}</a>" not in counts["open"]
    assert "1 request" in counts["closed"] and f"#{cancelled.id}</a>" in counts["closed"]
    assert "3 requests" in counts["all"] and f"#{kept.id}</a>" in counts["all"]
    assert ">Closed or cancelled</option>" in counts["all"] and ">Cancelled only</option>" in counts["all"]
    only = client.get("/second-opinions/?state=cancelled").data.decode()
    assert "1 request" in only and f"#{cancelled.id}</a>" in only
    board = client.get("/").data.decode()
    open_tile = board[board.index("Open second-opinion requests") - 300:board.index("Open second-opinion requests")]
    assert ">2<" in open_tile.replace(" ", "")
    assert "1 request" in client.get("/second-opinions/?navigator=mine&source=staff&state=closed").data.decode()


def test_a_second_opinion_put_on_a_meeting_after_its_promise_warns_and_names_the_soonest(make, auth, client):
    coordinator = make.user(roles=(Role.COORDINATOR,))
    auth.login(coordinator.username)
    series = make.series()
    soon = make.conference(series=series, starts_at=datetime.now(UTC) + timedelta(days=1),
                           occurrence_start=datetime.now(UTC) + timedelta(days=1))
    late = make.conference(series=series, starts_at=datetime.now(UTC) + timedelta(days=9),
                           occurrence_start=datetime.now(UTC) + timedelta(days=9))
    case = make.case(source=CaseSource.SECOND_OPINION, submitted_at=datetime.now(UTC) - timedelta(days=2))
    db.session.add(SecondOpinionRequest(
        patient=case.patient, last_name="Doe", first_name="Jane", requester="patient", contact_name="Self",
        diagnosis_as_stated="Breast", requested_specialty="surgery", visit_mode="virtual", case_id=case.id,
        status=SecondOpinionStatus.CASE_CREATED, complete_at=datetime.now(UTC) - timedelta(days=2),
    ))
    db.session.commit()
    due = (datetime.now(UTC) + timedelta(days=5)).astimezone(ZoneInfo(series.timezone)).strftime("%d %b")
    assert f"promised by {due}" in client.get("/cases/").data.decode()
    agenda = client.get(f"/conferences/{late.id}").data.decode()
    assert f"promised by {due}: this meeting is after it" in agenda
    added = {"case_id": str(case.id), "version": str(late.agenda_version)}
    page = client.post(f"/conferences/{late.id}/agenda/add", data=added,
                       follow_redirects=True).data.decode()
    assert "this meeting" in page and "is after it" in page and "alert-warning" in page
    soonest = soon.starts_at.astimezone(ZoneInfo(series.timezone)).strftime("%a %d %b")
    assert f"The soonest meeting that takes it: {series.name} on {soonest}." in page
    assert "⚠ after the promise" in client.get(f"/conferences/{late.id}").data.decode()
    printed = pypdf.PdfReader(io.BytesIO(client.get(f"/conferences/{late.id}/agenda.pdf").data))
    text = " ".join(" ".join(p.extract_text().split()) for p in printed.pages)
    assert f"AFTER THE PROMISE: second opinion promised by {due}" in text


def test_a_request_page_runs_the_same_queries_for_1_or_12_files(navigator, client, count_statements):
    request = taken_in(client, navigator)

    def statements() -> int:
        with count_statements() as counter:
            assert client.get(f"/second-opinions/{request.id}").status_code == 200
        return counter.count

    attach(client, request, "labs", "labs.pdf", PDF)
    few = statements()
    for number in range(11):
        attach(client, request, "images", f"image-{number}.png", png())
    assert statements() == few


def test_the_edit_form_shows_the_day_received_in_the_programs_zone(navigator, client):
    request = taken_in(client, navigator)
    request.received_at = datetime(2026, 12, 8, 2, 30, tzinfo=UTC)  # 21:30 on the 7th in New York
    db.session.commit()
    form = client.get(f"/second-opinions/{request.id}/edit").data.decode()
    assert 'name="received_on" type="date" value="2026-12-07"' in form
