"""Second opinions: intake, the records checklist and the 7-day clock, the case created from a complete request."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case, Patient
from tumorboard.extensions import db
from tumorboard.program.settings import program_today
from tumorboard.second_opinions.models import SecondOpinionRequest
from tumorboard.vocab import CaseSource, CaseStatus, RecordKind, Role, SecondOpinionStatus


@pytest.fixture
def navigator(make, auth):
    user = make.user(roles=(Role.NAVIGATOR,), full_name="Priya Shah")
    auth.login(user.username)
    return user


def intake(navigator_user_id: int, **overrides: str) -> dict[str, str]:
    data = {
        "mrn": "TB555001",
        "last_name": "Ravenscroft",
        "first_name": "Helen",
        "birth_date": "1966-07-09",
        "sex": "female",
        "requester": "referring_provider",
        "contact_name": "Dr. Paul Grimaldi",
        "contact_phone": "555-0101",
        "referring_name": "Dr. Paul Grimaldi",
        "referring_practice": "Valley Internal Medicine",
        "diagnosis_as_stated": "Stage II breast cancer, offered mastectomy",
        "requested_specialty": "surgery",
        "visit_mode": "virtual",
        "insurance_status": "pending",
        "navigator_id": str(navigator_user_id),
        "received_on": program_today().isoformat(),
    }
    data.update(overrides)
    return data


def all_records(state: str = "received", **per_kind: str) -> dict[str, str]:
    states = {f"state_{kind.value}": per_kind.get(kind.value, state) for kind in RecordKind}
    today = program_today().isoformat()
    received = [kind for kind in RecordKind if states[f"state_{kind.value}"] == "received"]
    return states | {f"received_on_{kind.value}": today for kind in received}


def test_a_navigator_takes_in_a_request_with_a_full_checklist(navigator, client):
    response = client.post("/second-opinions/new", data=intake(navigator.id))
    assert response.status_code == 302
    request = db.session.scalars(sa.select(SecondOpinionRequest)).one()
    assert request.navigator_id == navigator.id and request.status is SecondOpinionStatus.OPEN
    assert len(request.records) == len(RecordKind) and request.complete_at is None
    assert "waiting for records" in client.get(f"/second-opinions/{request.id}").data.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contact_phone": "", "contact_email": ""}, "Give a phone number or an e-mail address"),
        ({"contact_email": "not-an-address"}, "This is not an e-mail address."),
        ({"referring_name": ""}, "Give the referring provider."),
        ({"received_on": "2099-01-01"}, "This date is in the future."),
        ({"diagnosis_as_stated": ""}, "Give the diagnosis as stated."),
        ({"navigator_id": ""}, "Give the navigator."),
        ({"received_on": "1950-01-01"}, "The request cannot come in before the patient was born."),
        ({"received_on": ""}, "Give the date the request came in."),
        ({"contact_phone": "call me maybe!!"}, "Write a phone number with digits"),
        ({"contact_phone": "555-01"}, "A phone number has 7 to 15 digits; this one has 5."),
        ({"referring_npi": "12345"}, "An NPI is 10 digits."),
        ({"referring_npi": "1234567890"}, "This is not a valid NPI"),
        ({"insurance_status": "verified"}, "Give the payer: verified insurance names them."),
        ({"insurance_status": "pending", "insurance_verified_on": "2026-01-05"},
         "A verification date goes with a verified or denied status."),
        ({"prior_authorization": "approved"}, "Give the payer&#39;s reference of the approval."),
        ({"mrn": "not an mrn!"}, "An MRN here is"),
    ],
)
def test_bad_intake_is_refused_with_the_input_kept(navigator, client, overrides, message):
    response = client.post("/second-opinions/new", data=intake(navigator.id, **overrides))
    page = response.data.decode()
    assert response.status_code == 200 and message in page and "Ravenscroft" in page
    assert db.session.scalar(sa.select(sa.func.count(SecondOpinionRequest.id))) == 0


def test_completing_the_records_starts_the_clock_and_a_missing_one_stops_it(navigator, client):
    client.post("/second-opinions/new", data=intake(navigator.id))
    request = db.session.scalars(sa.select(SecondOpinionRequest)).one()
    client.post(f"/second-opinions/{request.id}/records", data=all_records("requested"))
    db.session.expire_all()
    assert request.complete_at is None
    client.post(f"/second-opinions/{request.id}/records", data=all_records("received", genetic_tests="not_applicable"))
    db.session.expire_all()
    assert request.status is SecondOpinionStatus.RECORDS_COMPLETE and request.complete_at is not None
    assert all(item.received_on is not None for item in request.records if item.kind is not RecordKind.GENETIC_TESTS)
    assert "7 days left" in client.get(f"/second-opinions/{request.id}").data.decode()
    client.post(f"/second-opinions/{request.id}/records", data=all_records("received", labs="requested"))
    db.session.expire_all()
    assert request.status is SecondOpinionStatus.OPEN and request.complete_at is None


def test_bad_checklist_dates_are_refused_and_nothing_changes(navigator, client):
    client.post("/second-opinions/new", data=intake(navigator.id))
    request = db.session.scalars(sa.select(SecondOpinionRequest)).one()
    data = {
        **all_records("received"),
        "received_on_labs": "2099-01-01",
        "requested_on_images": "soon",
        "state_slides_blocks": "lost",
    }
    page = client.post(f"/second-opinions/{request.id}/records", data=data, follow_redirects=True).data.decode()
    assert "Labs: the received date is in the future." in page
    assert (
        "Images: the requested date &#39;soon&#39; is not a date." in page
        and "Slides and blocks: choose a state." in page
    )
    db.session.expire_all()
    assert request.complete_at is None


def test_the_list_shows_days_left_and_breaches_in_red(navigator, client, make):
    patient = make.patient()
    now = datetime.now(UTC)
    late = SecondOpinionRequest(
        patient=patient,
        requester="patient",
        contact_name="Self",
        diagnosis_as_stated="Lung mass",
        requested_specialty="surgery",
        visit_mode="in_person",
        navigator_id=navigator.id,
        status=SecondOpinionStatus.RECORDS_COMPLETE,
        complete_at=now - timedelta(days=9),
    )
    fresh = SecondOpinionRequest(
        patient=make.patient(),
        requester="patient",
        contact_name="Self",
        diagnosis_as_stated="Prostate",
        requested_specialty="urology",
        visit_mode="virtual",
        navigator_id=navigator.id,
        status=SecondOpinionStatus.RECORDS_COMPLETE,
        complete_at=now - timedelta(days=2, hours=1),
    )
    db.session.add_all([late, fresh])
    db.session.commit()
    page = client.get("/second-opinions/").data.decode()
    assert 'class="table-danger"' in page and '<strong class="text-danger">2 days overdue</strong>' in page
    assert "5 days left" in page
    assert page.index(f"#{late.id}") < page.index(f"#{fresh.id}")  # breaches first


def test_a_complete_request_becomes_a_case_in_the_queue(navigator, client, make):
    physician = make.user(roles=(Role.PHYSICIAN,))
    client.post("/second-opinions/new", data=intake(navigator.id))
    request = db.session.scalars(sa.select(SecondOpinionRequest)).one()
    assert client.get(f"/cases/new/second-opinion/{request.id}").status_code == 302  # not before the records are in
    client.post(f"/second-opinions/{request.id}/records", data=all_records())
    form = client.get(f"/cases/new/second-opinion/{request.id}").data.decode()
    assert 'value="Ravenscroft"' in form and "Diagnosis as stated: Stage II breast cancer" in form
    case_data = {
        "mrn": "TB555001",
        "last_name": "Ravenscroft",
        "first_name": "Helen",
        "birth_date": "1966-07-09",
        "sex": "female",
        "site_group": "breast",
        "histology": "Invasive ductal carcinoma",
        "diagnosis_date": "2026-09-15",
        "ajcc_edition": "8",
        "clinical_t": "T2",
        "clinical_n": "N0",
        "clinical_m": "M0",
        "clinical_stage": "IIA",
        "ecog": "0",
        "question": "Second opinion: breast conservation?",
        "imaging_to_review": "Outside MRI",
        "pathology_to_review": "Outside slides",
        "presenting_physician_id": str(physician.id),
        "managing_physician_id": str(physician.id),
        "referring_name": "Dr. Paul Grimaldi",
        "source": "second_opinion",
        "urgency": "routine",
        "submit_case": "1",
    }
    response = client.post(f"/cases/new/second-opinion/{request.id}", data=case_data)
    assert response.status_code == 302
    db.session.expire_all()
    case = db.session.scalars(sa.select(Case)).one()
    assert request.case_id == case.id and request.status is SecondOpinionStatus.CASE_CREATED
    assert case.source is CaseSource.SECOND_OPINION and case.status is CaseStatus.SUBMITTED and not case.analytic
    assert db.session.scalar(sa.select(sa.func.count(Patient.id))) == 1  # the same patient, not entered twice
    assert client.get(f"/cases/new/second-opinion/{request.id}").status_code == 302  # only once


def test_cancel_and_audit(navigator, client):
    client.post("/second-opinions/new", data=intake(navigator.id))
    request = db.session.scalars(sa.select(SecondOpinionRequest)).one()
    client.get(f"/second-opinions/{request.id}")
    client.post(f"/second-opinions/{request.id}/cancel", data={"reason": "Patient chose another center"})
    db.session.expire_all()
    assert request.status is SecondOpinionStatus.CANCELLED
    assert client.post(f"/second-opinions/{request.id}/records", data=all_records()).status_code == 302
    db.session.expire_all()
    assert request.complete_at is None  # a cancelled request does not change
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_type == "second_opinion").order_by(AuditEntry.id)
    ).all()
    assert actions[:3] == ["create", "view", "cancel"]


@pytest.mark.parametrize(
    ("roles", "method", "path", "status"),
    [
        ((Role.PHYSICIAN,), "get", "/second-opinions/", 403),
        ((Role.AUDITOR,), "get", "/second-opinions/", 200),
        ((Role.AUDITOR,), "get", "/second-opinions/new", 403),
        ((Role.AUDITOR,), "post", "/second-opinions/{id}/records", 403),
        ((Role.COORDINATOR,), "get", "/second-opinions/new", 200),
    ],
)
def test_who_may_do_what(make, auth, client, roles, method, path, status):
    navigator = make.user(roles=(Role.NAVIGATOR,))
    request = SecondOpinionRequest(
        patient=make.patient(),
        requester="patient",
        contact_name="Self",
        diagnosis_as_stated="x",
        requested_specialty="surgery",
        visit_mode="virtual",
        navigator_id=navigator.id,
    )
    db.session.add(request)
    db.session.commit()
    auth.login(make.user(roles=roles).username)
    assert getattr(client, method)(path.format(id=request.id)).status_code == status


def test_a_navigator_cannot_enter_or_edit_cases(navigator, client, make):
    case = make.case()
    assert client.get("/cases/new").status_code == 403
    assert client.post(f"/cases/{case.id}/edit", data={}).status_code == 403
    assert client.post(f"/cases/{case.id}/ready/imaging", data={"ready": "yes"}).status_code == 403


def test_the_list_runs_the_same_queries_for_1_or_20_requests(navigator, client, make, count_statements):
    def add() -> None:
        db.session.add(
            SecondOpinionRequest(
                patient=make.patient(),
                requester="patient",
                contact_name="Self",
                diagnosis_as_stated="x",
                requested_specialty="surgery",
                visit_mode="virtual",
                navigator_id=navigator.id,
            )
        )
        db.session.commit()

    def statements() -> int:
        with count_statements() as counter:
            assert client.get("/second-opinions/").status_code == 200
        return counter.count

    add()
    few = statements()
    for _ in range(19):
        add()
    assert statements() == few


def test_one_submit_says_every_problem_of_the_intake(navigator, client):
    page = client.post("/second-opinions/new", data=intake(
        navigator.id, birth_date="3/4/61", referring_name="", diagnosis_as_stated=""
    )).get_data(as_text=True)
    for message in ("Write the date as YYYY-MM-DD", "Give the referring provider.", "Give the diagnosis as stated."):
        assert message in page, message
