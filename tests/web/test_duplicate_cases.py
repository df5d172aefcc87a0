"""A new case repeating an open one is stopped at the door; user names and e-mails are one whatever their case."""

import pytest
import sqlalchemy as sa

from tests.web.test_cases import form_data
from tumorboard.audit.models import AuditEntry, AuditSubject
from tumorboard.cases.models import Case
from tumorboard.cases.operations import open_cases_like
from tumorboard.extensions import db
from tumorboard.vocab import CaseStatus, Role, SiteGroup


@pytest.fixture
def surgeon(make, auth):
    user = make.user(roles=(Role.PHYSICIAN,))
    db.session.commit()
    auth.login(user.username)
    return user


def _cases() -> list[Case]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Case).order_by(Case.id)))


@pytest.mark.parametrize(("status", "repeats"), [
    (CaseStatus.DRAFT, True), (CaseStatus.SUBMITTED, True), (CaseStatus.PLAN_FINALIZED, True),
    (CaseStatus.WITHDRAWN, False), (CaseStatus.LETTER_SENT, False),
])
def test_an_open_case_is_one_not_withdrawn_and_without_its_letter(make, status, repeats):
    patient = make.patient(mrn="TB555001")
    case = make.case(patient=patient, status=status)
    make.case(patient=patient, site_group=SiteGroup.THORACIC)  # another site group never counts
    assert [c.id for c in open_cases_like("TB555001", SiteGroup.BREAST)] == ([case.id] if repeats else [])


def test_a_second_case_for_the_same_patient_and_site_group_needs_a_confirmation(surgeon, client):
    first = client.post("/cases/new", data=form_data(surgeon.id, mrn="TB555002"))
    assert first.status_code == 302
    (case,) = _cases()

    again = client.post("/cases/new", data=form_data(surgeon.id, mrn="TB555002", question="Second opinion on margins?"))
    page = again.data.decode()
    assert again.status_code == 200 and len(_cases()) == 1
    assert f"already has an open breast case: #{case.id} (submitted)" in page
    assert f'href="/cases/{case.id}"' in page and 'name="another_case"' in page
    assert "Second opinion on margins?" in page  # the input is kept
    shown = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.detail.like("new case: same patient%"))).one()
    named = db.session.scalars(sa.select(AuditSubject.case_id).where(AuditSubject.audit_id == shown.id)).all()
    assert shown.user_id == surgeon.id and named == [case.id]

    confirmed = client.post("/cases/new", data=form_data(surgeon.id, mrn="TB555002", another_case="y"))
    assert confirmed.status_code == 302 and len(_cases()) == 2


def test_the_repeat_is_said_with_every_other_problem_of_the_form(surgeon, client, make):
    make.case(patient=make.patient(mrn="TB555003"))
    db.session.commit()
    page = client.post("/cases/new", data=form_data(surgeon.id, mrn="TB555003", histology="")).data.decode()
    assert "already has an open breast case" in page and "Give the histology" in page
    assert len(_cases()) == 1


def test_editing_a_case_never_asks(surgeon, client):
    client.post("/cases/new", data=form_data(surgeon.id, mrn="TB555004"))
    (case,) = _cases()
    assert client.post(f"/cases/{case.id}/edit", data=form_data(surgeon.id, mrn="TB555004")).status_code == 302
