"""Who may change a case, through the pages: each standing edits or withdraws, or is refused and nothing changes."""

from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from tests.web.test_cases import form_data
from tumorboard.cases.models import Case
from tumorboard.conferences.models import SeriesMember
from tumorboard.extensions import db
from tumorboard.vocab import CaseStatus, Role


@dataclass
class People:
    presenter: object
    manager: object
    board: object
    coordinator: object
    outsider: object
    case: Case


@pytest.fixture
def people(make) -> People:
    presenter, manager = make.user(full_name="Dr Surgeon"), make.user(full_name="Dr Oncologist")
    board, outsider = make.user(full_name="Dr Board"), make.user(full_name="Dr Pathologist")
    coordinator = make.user(roles=(Role.COORDINATOR,))
    series = make.series()
    db.session.add(SeriesMember(series_id=series.id, user_id=board.id))
    case = make.case(presenting_physician_id=presenter.id, managing_physician_id=manager.id,
                     requested_series_id=series.id)
    db.session.commit()
    return People(presenter, manager, board, coordinator, outsider, case)


def _edit(client, people: People) -> object:
    return client.post(f"/cases/{people.case.id}/edit", data=form_data(
        people.presenter.id, managing_physician_id=str(people.manager.id), question="Adjuvant radiotherapy?",
        requested_series_id=str(people.case.requested_series_id),
    ))


def _withdraw(client, people: People) -> object:
    return client.post(f"/cases/{people.case.id}/status", data={"to_status": "withdrawn", "reason": "duplicate"})


def _case(people: People) -> Case:
    db.session.expire_all()
    return db.session.get(Case, people.case.id)


@pytest.mark.parametrize("who", ["presenter", "manager", "board", "coordinator"])
def test_the_presenter_manager_board_and_coordinators_edit(people, auth, client, who):
    auth.login(getattr(people, who).username)
    assert client.get(f"/cases/{people.case.id}/edit").status_code == 200
    response = _edit(client, people)
    assert response.status_code == 302, response.data.decode()[:2000]
    assert _case(people).question == "Adjuvant radiotherapy?"


def test_any_other_physician_is_refused_the_form_the_change_and_the_buttons(people, auth, client):
    auth.login(people.outsider.username)
    page = client.get(f"/cases/{people.case.id}").data.decode()
    assert f"/cases/{people.case.id}/edit" not in page and 'value="withdrawn"' not in page
    form = client.get(f"/cases/{people.case.id}/edit")
    assert form.status_code == 403 and "may edit this case" in form.data.decode()
    refused = _edit(client, people)
    assert refused.status_code == 403 and "a member of the requested board" in refused.data.decode()
    assert _withdraw(client, people).status_code == 403
    case = _case(people)
    assert (case.question, case.status) == ("Neoadjuvant therapy?", CaseStatus.SUBMITTED)


@pytest.mark.parametrize("who", ["presenter", "manager", "coordinator"])
def test_the_presenter_manager_and_coordinators_withdraw(people, auth, client, who):
    auth.login(getattr(people, who).username)
    assert 'value="withdrawn"' in client.get(f"/cases/{people.case.id}").data.decode()
    assert _withdraw(client, people).status_code == 302
    assert _case(people).status is CaseStatus.WITHDRAWN


def test_a_board_member_edits_but_does_not_withdraw(people, auth, client):
    auth.login(people.board.username)
    page = client.get(f"/cases/{people.case.id}").data.decode()
    assert f"/cases/{people.case.id}/edit" in page and 'value="withdrawn"' not in page
    refused = _withdraw(client, people)
    assert refused.status_code == 403 and "may withdraw or reopen this case" in refused.data.decode()
    assert _case(people).status is CaseStatus.SUBMITTED


def test_who_entered_a_draft_finishes_it_and_then_has_no_more_say_than_anyone(make, auth, client):
    author, presenter = make.user(full_name="Dr Fellow"), make.user(full_name="Dr Attending")
    db.session.commit()
    auth.login(author.username)
    client.post("/cases/new", data=form_data(presenter.id) | {"submit_case": ""})
    case = db.session.scalars(sa.select(Case)).one()
    assert case.status is CaseStatus.DRAFT
    assert client.post(f"/cases/{case.id}/status", data={"to_status": "submitted"}).status_code == 302
    edited = client.post(f"/cases/{case.id}/edit", data=form_data(presenter.id))
    assert edited.status_code == 403  # submitted: no longer the author's draft
