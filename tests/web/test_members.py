"""The coordinator puts physicians on a board, names its chairs and deputy, and sees each member's attendance."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
import sqlalchemy as sa

from tumorboard.conferences.models import SeriesMember
from tumorboard.extensions import db
from tumorboard.room.models import Attendance
from tumorboard.room.operations import is_chair
from tumorboard.vocab import ConferenceStatus, Role, Specialty


@pytest.fixture
def board(make, auth):
    coordinator = make.user(username="dana", roles=(Role.COORDINATOR,))
    series = make.series(name="Breast Tumor Board")
    db.session.commit()
    auth.login(coordinator.username)
    return series


def _members(series) -> dict[str, str]:
    db.session.expire_all()
    return {m.user.username: m.role.value for m in db.session.scalars(
        sa.select(SeriesMember).where(SeriesMember.series_id == series.id)
    )}


def _add(client, series, username: str, role: str = "member"):
    return client.post(f"/conferences/series/{series.id}/members", data={"member": username, "role": role})


def test_the_coordinator_adds_members_a_chair_and_a_deputy(make, client, board):
    for name in ("skim", "rpatel", "lchen"):
        make.user(username=name, roles=(Role.PHYSICIAN,))
    db.session.commit()
    page = client.get(f"/conferences/series/{board.id}/members").get_data(as_text=True)
    assert '<option value="skim">' in page and "Nobody is on this board yet" in page
    assert _add(client, board, "SKIM", "chair").status_code == 302  # the name whatever its case
    _add(client, board, "rpatel", "deputy")
    _add(client, board, "lchen", "deputy")
    assert _members(board) == {"skim": "chair", "rpatel": "member", "lchen": "deputy"}  # one deputy a board
    said = client.get(f"/conferences/series/{board.id}/members").get_data(as_text=True)
    assert "is a member again (one deputy a board)" in said and '<option value="skim">' not in said
    assert said.count('<option value="chair" selected>Chair</option>') == 1  # each member's role, chosen


@pytest.mark.parametrize(("who", "message"), [
    ("nobody", "Choose an active physician from the list."),
    ("nina", "is not a physician: only physicians sit on boards."),
    ("skim", "is already on this board."),
    ("", "Choose an active physician from the list."),
])
def test_a_member_who_cannot_join_is_refused_next_to_the_field(make, client, board, who, message):
    make.user(username="nina", roles=(Role.NAVIGATOR,))
    _add(client, board, make.user(username="skim").username)
    response = _add(client, board, who)
    assert response.status_code == 200 and message in response.get_data(as_text=True)


def test_roles_change_and_members_leave(make, client, board):
    _add(client, board, make.user(username="skim").username)
    user_id = db.session.scalar(sa.select(SeriesMember.user_id))
    client.post(f"/conferences/series/{board.id}/members/{user_id}", data={"role": "chair"})
    assert _members(board) == {"skim": "chair"}
    assert client.post(f"/conferences/series/{board.id}/members/{user_id}", data={"role": "boss"}).status_code == 400
    client.post(f"/conferences/series/{board.id}/members/{user_id}", data={"role": "remove"})
    assert _members(board) == {}
    gone = client.post(f"/conferences/series/{board.id}/members/{user_id}", data={"role": "chair"},
                       follow_redirects=True)
    assert "no longer on the board" in gone.get_data(as_text=True)


def test_each_members_attendance_is_shown_and_flagged_under_the_target(make, client, board):
    regular, absent = make.user(full_name="Dr Regular"), make.user(full_name="Dr Absent")
    year = datetime.now(UTC).year
    for user in (regular, absent):
        db.session.add(SeriesMember(series_id=board.id, user_id=user.id, joined_on=date(year - 1, 1, 1)))
    days = [date(year, 1, 1) + timedelta(days=7 * n + 1) for n in range(3)]
    for day in days:
        start = datetime.combine(day, time(12), UTC)
        if start > datetime.now(UTC):
            pytest.skip("early January: fewer than three meetings held this year")
        meeting = make.conference(series=board, starts_at=start, occurrence_start=start, status=ConferenceStatus.HELD)
        db.session.add(Attendance(conference_id=meeting.id, user_id=regular.id, attendee_name="Dr Regular",
                                  specialty=Specialty.SURGERY, checked_in_at=start))
    db.session.commit()
    page = client.get(f"/conferences/series/{board.id}/members").get_data(as_text=True)
    assert "3 of 3 (100%)" in page and "0 of 3 (0%)" in page
    assert page.count("under target") == 1 and "Target: 2 of 3 meetings" in page


def test_an_auditor_reads_the_members_page_and_changes_nothing_and_a_physician_neither(make, client, auth, board):
    auditor, physician = make.user(roles=(Role.AUDITOR,)), make.user(username="skim")
    db.session.commit()
    client.post("/logout")
    auth.login(auditor.username)
    assert client.get(f"/conferences/series/{board.id}/members").status_code == 200
    assert _add(client, board, "skim").status_code == 403
    client.post("/logout")
    auth.login(physician.username)
    assert client.get(f"/conferences/series/{board.id}/members").status_code == 403
    assert _members(board) == {}


def test_a_member_sees_their_boards_on_their_profile_and_the_deputy_runs_meetings(make, client, auth, board):
    physician = make.user(username="skim")
    _add(client, board, "skim", "deputy")
    client.post("/logout")
    auth.login(physician.username)
    profile = client.get("/profile").get_data(as_text=True)
    assert "Breast Tumor Board</a> (deputy), since" in profile
    assert is_chair(physician, make.conference(series=board))
