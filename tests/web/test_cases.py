"""Case flows through the app: draft, submit, returning patients, the queue, the case page, moves, readiness, roles."""

import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.cases.models import Case, Patient
from tumorboard.extensions import db
from tumorboard.vocab import CaseStatus, Role, SiteGroup, Specialty, Urgency


def form_data(presenter_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "mrn": "TB123456",
        "last_name": "Pemberton",
        "first_name": "Ann",
        "birth_date": "1961-02-03",
        "sex": "female",
        "site_group": "breast",
        "primary_site": "C50.4",
        "histology": "Invasive ductal carcinoma",
        "laterality": "left",
        "diagnosis_date": "2026-10-01",
        "ajcc_edition": "8",
        "clinical_t": "T2",
        "clinical_n": "N1",
        "clinical_m": "M0",
        "clinical_stage": "IIB",
        "ecog": "1",
        "biomarkers": "ER = positive\nHER2 = 0",
        "question": "Neoadjuvant therapy?",
        "imaging_to_review": "MRI breast 2026-10-03",
        "pathology_to_review": "Core biopsy S26-1234",
        "presenting_physician_id": str(presenter_id),
        "managing_physician_id": str(presenter_id),
        "referring_name": "Dr. Anne Whitaker",
        "source": "internal",
        "urgency": "routine",
        "analytic": "y",
        "submit_case": "1",
    }
    data.update(overrides)
    return data


@pytest.fixture
def physician(make, auth):
    user = make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.SURGERY)
    auth.login(user.username)
    return user


def test_physician_submits_a_complete_case(physician, client):
    response = client.post("/cases/new", data=form_data(physician.id))
    assert response.status_code == 302
    case = db.session.scalars(sa.select(Case)).one()
    assert response.location == f"/cases/{case.id}"
    assert case.status is CaseStatus.SUBMITTED and case.submitted_at is not None
    assert (case.clinical_t, case.clinical_stage) == ("cT2", "IIB")
    assert [(m.name, m.value) for m in case.biomarkers] == [("ER", "positive"), ("HER2", "0")]
    assert [(c.from_status, c.to_status) for c in case.status_changes] == [
        (None, CaseStatus.DRAFT),
        (CaseStatus.DRAFT, CaseStatus.SUBMITTED),
    ]


def test_an_incomplete_case_is_saved_as_a_draft_but_not_submitted(physician, client):
    partial = form_data(physician.id, histology="", question="", ecog="")
    refused = client.post("/cases/new", data=partial)
    assert refused.status_code == 200
    page = refused.data.decode()
    assert (
        "Give the histology before submitting." in page and "Give the question for the board before submitting." in page
    )
    assert 'value="Pemberton"' in page and "Core biopsy S26-1234" in page  # input kept
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0

    draft = client.post("/cases/new", data={**partial, "submit_case": "", "save_draft": "1"})
    assert draft.status_code == 302
    assert db.session.scalars(sa.select(Case)).one().status is CaseStatus.DRAFT


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"birth_date": "2099-01-01"}, "This date is in the future."),
        ({"diagnosis_date": "1950-01-01"}, "The diagnosis cannot be before the date of birth."),
        ({"ecog": "9"}, "ECOG performance status is 0 to 4."),
        ({"ecog": "two"}, "Write a whole number, for example 2."),
        ({"clinical_t": "T7"}, "is not an AJCC 8th edition T category."),
        ({"mrn": "x"}, "An MRN here is 6 to 12 capital letters or digits."),
        ({"birth_date": "31/12/1960"}, "Write the date as YYYY-MM-DD, for example 1961-02-03."),
        ({"site_group": "lungs"}, "Choose one from the list."),
        ({"biomarkers": "ER positive"}, "Write each biomarker as name = value"),
        ({"presenting_physician_id": "999999"}, "Choose one from the list."),
    ],
)
def test_bad_input_is_refused_next_to_the_field(physician, client, overrides, message):
    response = client.post("/cases/new", data=form_data(physician.id, **overrides))
    assert response.status_code == 200 and message in response.data.decode()
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_a_returning_patient_is_found_by_mrn_and_not_entered_twice(physician, client, make):
    make.patient(mrn="TB777777", last_name="Lockhart", first_name="Maria")
    found = client.post("/cases/new", data={"mrn": "TB777777", "find_patient": "1"})
    assert 'value="Lockhart"' in found.data.decode() and "Returning patient" in found.data.decode()
    assert 'value="1960-05-17"' in found.data.decode()
    client.post(
        "/cases/new",
        data=form_data(physician.id, mrn="TB777777", last_name="Lockhart", first_name="Maria", birth_date="1960-05-17"),
    )
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 1
    assert db.session.scalars(sa.select(Case)).one().patient.mrn == "TB777777"


def test_an_mrn_of_someone_else_is_refused(physician, client, make):
    make.patient(mrn="TB777777", last_name="Lockhart", first_name="Maria")
    response = client.post("/cases/new", data=form_data(physician.id, mrn="TB777777"))
    assert "This MRN belongs to a patient with another name or date of birth." in response.data.decode()
    assert db.session.scalar(sa.select(sa.func.count(Case.id))) == 0


def test_edit_keeps_the_case_and_records_what_changed(physician, client):
    client.post("/cases/new", data=form_data(physician.id))
    case = db.session.scalars(sa.select(Case)).one()
    assert 'value="Pemberton"' in client.get(f"/cases/{case.id}/edit").data.decode()
    response = client.post(
        f"/cases/{case.id}/edit", data=form_data(physician.id, ecog="2", save_draft="1", submit_case="")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert case.ecog == 2 and case.status is CaseStatus.SUBMITTED
    details = db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.action == "update")).all()
    assert details == ["fields=ecog"]


def test_the_case_page_shows_summary_history_and_who_viewed_it(physician, client):
    client.post("/cases/new", data=form_data(physician.id))
    case = db.session.scalars(sa.select(Case)).one()
    client.get(f"/cases/{case.id}")
    page = client.get(f"/cases/{case.id}").data.decode()
    assert "Invasive ductal carcinoma" in page and "cT2 cN1 cM0, clinical stage IIB" in page and "ER positive" in page
    assert "created → <strong>Draft</strong>" in page and "Draft → <strong>Submitted</strong>" in page
    assert page.count(f"{physician.full_name} — view") == 2
    assert "Not presented yet." in page


def test_every_view_and_change_is_audited(physician, client):
    client.post("/cases/new", data=form_data(physician.id))
    case = db.session.scalars(sa.select(Case)).one()
    client.get(f"/cases/{case.id}")
    client.get("/cases/")
    client.post(f"/cases/{case.id}/status", data={"to_status": "withdrawn", "reason": "Patient moved away"})
    entries = db.session.execute(
        sa.select(AuditEntry.action, AuditEntry.entity_id, AuditEntry.detail)
        .where(AuditEntry.entity_type == "case")
        .order_by(AuditEntry.id)
    ).all()
    assert entries == [
        ("create", case.id, "status=submitted"),
        ("view", case.id, ""),
        ("list", None, "shown=1"),
        ("status", case.id, "submitted->withdrawn"),
    ]
    subjects = db.session.execute(sa.select(AuditSubject.case_id, AuditSubject.patient_id)).all()
    assert subjects == [(case.id, case.patient_id)] * 4  # each entry names the patient, the queue's list too


def test_status_moves_follow_the_workflow(physician, client, make):
    case = make.case(status=CaseStatus.SUBMITTED, presenting_physician=physician)
    assert client.post(f"/cases/{case.id}/status", data={"to_status": "presented"}).status_code == 302
    db.session.expire_all()
    assert case.status is CaseStatus.SUBMITTED  # refused: presenting happens in the conference room
    page = client.get(f"/cases/{case.id}").data.decode()
    assert "A submitted case cannot become presented; it can become: deferred, draft, scheduled, withdrawn." in page


def test_an_illegal_move_gets_the_workflows_message(physician, client, make):
    case = make.case(status=CaseStatus.WITHDRAWN)
    client.post(f"/cases/{case.id}/status", data={"to_status": "submitted"})
    assert (
        "A withdrawn case cannot become submitted; it can become: draft."
        in client.get(f"/cases/{case.id}").data.decode()
    )


def test_submitting_an_incomplete_draft_from_the_case_page_sends_you_to_the_form(physician, client, make):
    case = make.case(status=CaseStatus.DRAFT)
    response = client.post(f"/cases/{case.id}/status", data={"to_status": "submitted"})
    assert response.location == f"/cases/{case.id}/edit"
    db.session.expire_all()
    assert case.status is CaseStatus.DRAFT


def test_a_physician_cannot_defer_but_a_coordinator_can(physician, client, auth, make):
    case = make.case(status=CaseStatus.SUBMITTED)
    assert client.post(f"/cases/{case.id}/status", data={"to_status": "deferred"}).status_code == 403
    client.post("/logout")
    auth.login(make.user(roles=(Role.COORDINATOR,)).username)
    assert (
        client.post(f"/cases/{case.id}/status", data={"to_status": "deferred", "reason": "Awaiting PET"}).status_code
        == 302
    )
    db.session.expire_all()
    assert case.status is CaseStatus.DEFERRED and case.status_changes[-1].reason == "Awaiting PET"


@pytest.mark.parametrize(
    ("specialty", "material", "status"),
    [
        (Specialty.DIAGNOSTIC_RADIOLOGY, "imaging", 302),
        (Specialty.PATHOLOGY, "pathology", 302),
        (Specialty.SURGERY, "imaging", 403),
        (Specialty.DIAGNOSTIC_RADIOLOGY, "pathology", 403),
        (Specialty.PATHOLOGY, "slides", 403),
    ],
)
def test_radiology_and_pathology_mark_their_material_ready(make, auth, client, specialty, material, status):
    case = make.case()
    auth.login(make.user(roles=(Role.PHYSICIAN,), specialty=specialty).username)
    assert client.post(f"/cases/{case.id}/ready/{material}", data={"ready": "yes"}).status_code == status
    db.session.expire_all()
    if status == 302:
        assert getattr(case, f"{material}_ready_at") is not None


@pytest.mark.parametrize(
    ("roles", "path", "status"),
    [
        ((Role.NAVIGATOR,), "/cases/new", 403),
        ((Role.AUDITOR,), "/cases/new", 403),
        ((Role.AUDITOR,), "/cases/{id}/edit", 403),
        ((Role.AUDITOR,), "/cases/{id}", 200),
        ((Role.AUDITOR,), "/cases/", 200),
        ((Role.NAVIGATOR,), "/cases/{id}", 200),
        ((Role.ADMIN,), "/cases/", 403),
        ((Role.PHYSICIAN,), "/cases/import", 403),
        ((Role.COORDINATOR,), "/cases/import", 200),
    ],
)
def test_who_may_open_what(make, auth, client, roles, path, status):
    case = make.case()
    auth.login(make.user(roles=roles).username)
    assert client.get(path.format(id=case.id)).status_code == status


def test_an_auditor_cannot_change_a_case(make, auth, client):
    case = make.case(status=CaseStatus.SUBMITTED)
    auth.login(make.user(roles=(Role.AUDITOR,)).username)
    assert client.post(f"/cases/{case.id}/status", data={"to_status": "withdrawn"}).status_code == 403
    assert client.post(f"/cases/{case.id}/edit", data={}).status_code == 403


def test_the_queue_filters_sorts_counts_and_pages(physician, client, make):
    now = datetime.now(UTC)
    old = make.case(
        site_group=SiteGroup.THORACIC, submitted_at=now - timedelta(days=9), patient=make.patient(last_name="Oakridge")
    )
    urgent = make.case(
        urgency=Urgency.URGENT, submitted_at=now - timedelta(days=2), patient=make.patient(last_name="Quillan")
    )
    make.case(status=CaseStatus.DRAFT, patient=make.patient(last_name="Draftperson"))
    page = client.get("/cases/").data.decode()
    assert "2 cases" in page and "Draftperson" not in page
    assert page.index("Oakridge") < page.index("Quillan") and "9 days" in page
    by_urgency = client.get("/cases/?sort=urgency").data.decode()
    assert by_urgency.index("Quillan") < by_urgency.index("Oakridge")
    thoracic = client.get("/cases/?site_group=thoracic").data.decode()
    assert "1 case" in thoracic and "Quillan" not in thoracic
    assert "Draftperson" in client.get("/cases/?status=draft").data.decode()
    make.case(
        status=CaseStatus.PRESENTED,
        submitted_at=now - timedelta(days=40),
        patient=make.patient(last_name="Presentedperson"),
    )
    presented = client.get("/cases/?status=presented").data.decode()
    assert "Presentedperson" in presented and "40 days" not in presented  # no longer waiting
    assert f"#{old.id}" in client.get("/cases/?ready=no").data.decode()
    assert "0 cases" in client.get("/cases/?ready=yes").data.decode()
    assert urgent.id


def test_the_queue_pages_by_25(physician, client, make):
    for _ in range(27):
        make.case()
    assert "27 cases, page 1 of 2" in client.get("/cases/").data.decode()
    second = client.get("/cases/?page=2").data.decode()
    assert len(set(re.findall(r'href="/cases/(\d+)"', second))) == 2


def test_the_pager_keeps_the_filter_and_drops_what_the_queue_does_not_read(physician, client, make):
    for _ in range(27):
        make.case(status=CaseStatus.DRAFT)
    page = client.get("/cases/?status=any&sort=urgency&_method=POST&_external=1&page=1")
    assert page.status_code == 200
    next_link = re.search(r'href="(/cases/\?[^"]*)">Next', page.get_data(as_text=True)).group(1)
    assert sorted(next_link.split("?")[1].replace("&amp;", "&").split("&")) == ["page=2", "sort=urgency", "status=any"]


def test_no_patient_data_in_any_url(physician, client):
    response = client.post("/cases/new", data=form_data(physician.id))
    assert "TB123456" not in response.location and "Pemberton" not in response.location
    page = client.get("/cases/").data.decode()
    assert not [href for href in re.findall(r'href="([^"]*)"', page) if "TB123456" in href or "Pemberton" in href]


def test_case_pages_run_a_bounded_number_of_queries(physician, client, make, count_statements):
    def statements(path: str) -> int:
        with count_statements() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    case = make.case()
    make.presentation(case=case)
    few_queue, few_case = statements("/cases/"), statements(f"/cases/{case.id}")
    for _ in range(30):
        make.case()
    for _ in range(5):
        make.presentation(case=case)
    assert statements("/cases/") == few_queue
    assert statements(f"/cases/{case.id}") == few_case


@pytest.mark.parametrize(
    "path", ["/cases/99999999999", "/cases/2147483648/edit", "/second-opinions/99999999999999999999"]
)
def test_ids_beyond_the_database_are_not_found(physician, client, path):
    assert client.get(path).status_code in (404, 403)


def test_filters_beyond_the_database_are_ignored(physician, client):
    response = client.get("/cases/?series_id=99999999999")
    assert response.status_code == 200 and "Ignored the conference filter" in response.data.decode()


def test_an_overlong_cell_is_a_row_problem_not_a_database_error(make, runner, tmp_path):
    make.user(username="skim", roles=(Role.PHYSICIAN,))
    path = tmp_path / "long.csv"
    path.write_text(
        "mrn,last_name,first_name,birth_date,sex,site_group,histology,status\n"
        f"TB100001,{'L' * 81},Ann,1961-02-03,female,breast,{'H' * 201},draft\n"
    )
    result = runner.invoke(args=["import-cases", str(path)])
    assert result.exit_code == 1
    assert (
        "row 2, last_name: Use at most 80 characters." in result.output
        and "row 2, histology: Use at most 200 characters." in result.output
    )


def test_a_physician_cannot_make_themselves_the_signer_of_someone_elses_case(make, auth, client):
    manager = make.user(roles=(Role.PHYSICIAN,), full_name="Dr Managing")
    case_owner = make.user(roles=(Role.PHYSICIAN,))
    presenter = make.user(roles=(Role.PHYSICIAN,))  # may edit the case, not change who signs it
    auth.login(case_owner.username)
    client.post("/cases/new", data=form_data(presenter.id, managing_physician_id=str(manager.id)))
    case = db.session.scalars(sa.select(Case)).one()
    client.post("/logout")
    auth.login(presenter.username)
    response = client.post(
        f"/cases/{case.id}/edit", data=form_data(presenter.id, managing_physician_id=str(presenter.id))
    )
    page = response.data.decode()
    assert (
        response.status_code == 200
        and "Only a coordinator or the current managing physician changes who manages this case." in page
    )
    assert 'value="Pemberton"' in page  # the rest of the input is kept
    db.session.expire_all()
    assert case.managing_physician_id == manager.id


@pytest.mark.parametrize("who", ["manager", "coordinator"])
def test_the_managing_physician_or_a_coordinator_hands_the_case_over_audited(make, auth, client, who):
    manager = make.user(roles=(Role.PHYSICIAN,))
    successor = make.user(roles=(Role.PHYSICIAN,))
    coordinator = make.user(roles=(Role.COORDINATOR,))
    auth.login(manager.username)
    client.post("/cases/new", data=form_data(manager.id))
    case = db.session.scalars(sa.select(Case)).one()
    client.post("/logout")
    auth.login((manager if who == "manager" else coordinator).username)
    assert (
        client.post(
            f"/cases/{case.id}/edit", data=form_data(manager.id, managing_physician_id=str(successor.id))
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert case.managing_physician_id == successor.id
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "managing_physician")).one()
    assert (entry.entity_id, entry.detail) == (case.id, f"{manager.id}->{successor.id}")


def test_one_submit_says_every_problem_of_the_form_in_plain_words(physician, client):
    data = form_data(physician.id, mrn="12", birth_date="1961-13-45", biomarkers="ER positive", histology="",
                     clinical_t="T9", ecog="7", diagnosis_date="2030-01-01")
    page = client.post("/cases/new", data=data).get_data(as_text=True)
    for message in (
        "An MRN here is 6 to 12 capital letters or digits.",  # the program's rule, not its regex
        "Write the date as YYYY-MM-DD",  # the form's own
        "Give the histology before submitting.",
        "This date is in the future.",
        "ECOG performance status is 0 to 4.",
        "is not an AJCC 8th edition T category.",
        "Write each biomarker as name = value",
    ):
        assert message in page, message
    assert 'value="Pemberton"' in page and db.session.scalar(sa.select(sa.func.count(Case.id))) == 0
