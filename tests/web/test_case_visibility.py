"""When the program restricts physicians to their own boards, a physician reads only those cases and conferences."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tumorboard.conferences.models import SeriesMember
from tumorboard.extensions import db
from tumorboard.program.models import PROGRAM_SETTINGS_ID, ProgramSettings
from tumorboard.room.models import Attendance
from tumorboard.vocab import PresentationStatus, Role, SiteGroup


@pytest.fixture
def boards(make):
    """A breast board with its member, a thoracic board with a thoracic case on its agenda, and an outsider."""
    member = make.user(username="breastdoc", roles=(Role.PHYSICIAN,))
    outsider = make.user(username="lungdoc", roles=(Role.PHYSICIAN,))
    breast = make.series(name="Breast Tumor Board")
    db.session.add(SeriesMember(series_id=breast.id, user_id=member.id))
    thoracic = make.series(name="Thoracic Tumor Board")
    thoracic.site_group_rows[0].site_group = SiteGroup.THORACIC
    db.session.add(SeriesMember(series_id=thoracic.id, user_id=outsider.id))
    db.session.commit()
    start = datetime.now(UTC) - timedelta(minutes=10)
    conference = make.conference(series=breast, starts_at=start, occurrence_start=start)
    case = make.case(site_group=SiteGroup.BREAST)
    item = make.presentation(conference=conference, case=case, status=PresentationStatus.IN_DISCUSSION)
    return member, outsider, conference, case, item


def _restrict(on: bool) -> None:
    settings = db.session.get(ProgramSettings, PROGRAM_SETTINGS_ID) or ProgramSettings(id=PROGRAM_SETTINGS_ID)
    settings.restrict_cases_to_series = on
    db.session.add(settings)
    db.session.commit()


def _pages(conference, case, item) -> list[str]:
    return [
        f"/cases/{case.id}",
        f"/conferences/{conference.id}",
        f"/conferences/{conference.id}/agenda.pdf",
        f"/room/{conference.id}",
        f"/room/{conference.id}/case/{item.id}",
        f"/letters/presentation/{item.id}",
    ]


def test_restricted_a_physician_outside_the_board_is_refused(client, auth, boards):
    member, outsider, conference, case, item = boards
    _restrict(True)
    auth.login("lungdoc")
    for path in _pages(conference, case, item):
        assert client.get(path).status_code == 403, path
    assert f"#{case.id}" not in client.get("/cases/?status=any").get_data(as_text=True)


def test_restricted_the_boards_member_and_the_staff_still_read_it(client, auth, make, boards):
    member, outsider, conference, case, item = boards
    _restrict(True)
    make.user(username="dana", roles=(Role.COORDINATOR,))
    for username in ("breastdoc", "dana"):
        client.post("/logout")
        auth.login(username)
        assert (
            client.get(f"/cases/{case.id}").status_code == 200
            and client.get(f"/conferences/{conference.id}").status_code == 200
        )
        assert f"#{case.id}" in client.get("/cases/?status=any").get_data(as_text=True)


def test_restricted_a_case_one_presents_is_readable(client, auth, boards):
    member, outsider, conference, case, item = boards
    case.presenting_physician_id = outsider.id
    db.session.commit()
    _restrict(True)
    auth.login("lungdoc")
    assert client.get(f"/cases/{case.id}").status_code == 200


def test_unrestricted_every_physician_reads_every_case(client, auth, boards):
    member, outsider, conference, case, item = boards
    _restrict(False)
    auth.login("lungdoc")
    assert (
        client.get(f"/cases/{case.id}").status_code == 200 and client.get(f"/room/{conference.id}").status_code == 200
    )


def test_the_admin_turns_the_restriction_on(client, auth, make):
    make.user(username="root", roles=(Role.ADMIN,))
    auth.login("root")
    page = client.get("/settings/").get_data(as_text=True)
    assert "Physicians see only the cases of their own boards" in page


def test_restricted_checking_in_is_no_way_around_the_board(client, auth, boards):
    member, outsider, conference, case, item = boards
    _restrict(True)
    auth.login("lungdoc")
    assert client.post(f"/room/{conference.id}/check-in", data={"mode": "in_person"}).status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Attendance)) == 0
    for path in _pages(conference, case, item):
        assert client.get(path).status_code == 403, path


def test_restricted_a_guest_the_chair_checks_in_reads_the_room(client, auth, make, boards):
    member, outsider, conference, case, item = boards
    _restrict(True)
    make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")
    assert (
        client.post(f"/room/{conference.id}/check-in", data={"mode": "virtual", "user_id": outsider.id}).status_code
        == 302
    )
    client.post("/logout")
    auth.login("lungdoc")
    assert client.get(f"/room/{conference.id}/case/{item.id}").status_code == 200


def test_restricted_the_boards_member_checks_in(client, auth, boards):
    member, outsider, conference, case, item = boards
    _restrict(True)
    auth.login("breastdoc")
    assert client.post(f"/room/{conference.id}/check-in", data={"mode": "in_person"}).status_code == 302
    assert db.session.scalar(sa.select(Attendance.user_id)) == member.id


def test_restricted_find_patient_loads_only_a_patient_of_ones_own_boards(client, auth, make, boards):
    member, outsider, conference, case, item = boards
    _restrict(True)
    auth.login("lungdoc")
    page = client.post("/cases/new", data={"mrn": case.patient.mrn, "find_patient": "1"}).get_data(as_text=True)
    assert (
        "No patient with this MRN yet" in page
        and case.patient.last_name not in page
        and "Returning patient" not in page
    )
    client.post("/logout")
    auth.login("breastdoc")
    page = client.post("/cases/new", data={"mrn": case.patient.mrn, "find_patient": "1"}).get_data(as_text=True)
    assert "Returning patient" in page and f'value="{case.patient.last_name}"' in page


def test_find_patient_is_throttled_and_every_lookup_audited(client, auth, make):
    from tumorboard.audit.models import AuditEntry
    from tumorboard.cases.operations import LOOKUPS_PER_MINUTE

    known = make.patient(mrn="TB900009", last_name="Quillfeather")
    user = make.user(roles=(Role.PHYSICIAN,))
    auth.login(user.username)
    for n in range(LOOKUPS_PER_MINUTE):
        client.post("/cases/new", data={"mrn": f"TB90000{n}", "find_patient": "1"})
    page = client.post("/cases/new", data={"mrn": known.mrn, "find_patient": "1"}).get_data(as_text=True)
    assert f"You looked up {LOOKUPS_PER_MINUTE} MRNs in the last minute" in page and "Quillfeather" not in page
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "patient_lookup").order_by(AuditEntry.id)
    ).all()
    assert [e.detail for e in entries] == ["not found"] * 9 + ["found", "refused: too many"]
    assert entries[9].entity_id == known.id and all(e.user_id == user.id for e in entries)
    assert all(known.mrn not in e.detail for e in entries)


def test_the_second_opinion_case_form_is_for_those_who_read_the_request(client, auth, make):
    from tumorboard.second_opinions.models import SecondOpinionRequest
    from tumorboard.vocab import SecondOpinionStatus

    request = SecondOpinionRequest(
        patient=make.patient(),
        requester="patient",
        contact_name="Self",
        diagnosis_as_stated="Breast cancer",
        requested_specialty="surgery",
        visit_mode="virtual",
        status=SecondOpinionStatus.RECORDS_COMPLETE,
        complete_at=datetime.now(UTC),
    )
    db.session.add(request)
    db.session.commit()
    auth.login(make.user(roles=(Role.PHYSICIAN,)).username)
    assert client.get(f"/second-opinions/{request.id}").status_code == 403
    assert client.get(f"/cases/new/second-opinion/{request.id}").status_code == 403


def test_a_navigator_reads_the_outcome_of_a_case_but_not_the_votes(client, auth, make):
    from tumorboard.room.models import ConsensusPlan
    from tumorboard.vocab import VoteResult

    make.user(username="nina", roles=(Role.NAVIGATOR,))
    make.user(username="skim", roles=(Role.PHYSICIAN,))
    held = datetime.now(UTC) - timedelta(days=2)
    case = make.case()
    item = make.presentation(
        conference=make.conference(starts_at=held, occurrence_start=held), case=case, status=PresentationStatus.CLOSED
    )
    db.session.add(
        ConsensusPlan(
            presentation_id=item.id,
            text="Lumpectomy",
            result=VoteResult.CONSENSUS,
            agree_count=5,
            disagree_count=2,
            abstain_count=1,
        )
    )
    db.session.commit()
    auth.login("nina")
    page = client.get(f"/cases/{case.id}").get_data(as_text=True)
    assert "Lumpectomy" in page and "5 agree" not in page  # the tally is the room's, refused to navigators
    client.post("/logout")
    auth.login("skim")
    assert "5 agree, 2 disagree, 1 abstain" in client.get(f"/cases/{case.id}").get_data(as_text=True)
