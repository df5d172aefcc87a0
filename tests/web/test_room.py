"""The conference room through the app: attendance, recommendations, discussion items, votes, closing."""

import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO

import pypdf
import pytest
import sqlalchemy as sa
from flask import g

from tumorboard.audit.models import AuditEntry
from tumorboard.conferences.models import SeriesMember
from tumorboard.extensions import db
from tumorboard.room.models import Attendance, ConsensusPlan, Presentation, Recommendation, RecommendationVersion, Vote
from tumorboard.vocab import (
    COC_REQUIRED_SPECIALTIES,
    CaseStatus,
    ConferenceStatus,
    NoConsensusAction,
    PresentationReason,
    PresentationStatus,
    PresentationTrack,
    Role,
    Specialty,
    VoteChoice,
    VoteResult,
)


class Room:
    """A meeting starting now with one scheduled case, a chair and physicians of each required specialty."""

    def __init__(self, make) -> None:
        self.make = make
        self.series = make.series(name="Breast Tumor Board")
        start = datetime.now(UTC) - timedelta(minutes=5)
        self.conference = make.conference(series=self.series, starts_at=start, occurrence_start=start)
        self.chair = make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.SURGERY, full_name="Elena Vasquez")
        db.session.add(SeriesMember(series_id=self.series.id, user_id=self.chair.id, is_chair=True))
        self.doctors = {
            s: make.user(roles=(Role.PHYSICIAN,), specialty=s, full_name=f"Dr {s.label}")
            for s in COC_REQUIRED_SPECIALTIES[1:]
        }
        self.case = make.case(
            status=CaseStatus.SCHEDULED, patient=make.patient(last_name="Lockhart", first_name="Maria")
        )
        self.item = make.presentation(conference=self.conference, case=self.case, presenter_id=self.chair.id)
        db.session.commit()

    def url(self, action: str = "") -> str:
        return f"/room/{self.conference.id}/case/{self.item.id}" + (f"/{action}" if action else "")

    def state_url(self) -> str:
        return f"/room/{self.conference.id}/state.json?case={self.item.id}"

    def state(self, client) -> dict:
        """The case as the signed-in user's screen polls it."""
        return client.get(self.state_url()).json["case"]


@pytest.fixture
def room(make) -> Room:
    return Room(make)


def as_user(auth, client, user) -> None:
    client.post("/logout")
    auth.login(user.username)


def check_in(client, room: Room, user=None) -> None:
    data = {"mode": "in_person"} | ({"user_id": user.id} if user else {})
    client.post(f"/room/{room.conference.id}/check-in", data=data)


def test_self_check_in_and_the_quorum(room, auth, client):
    as_user(auth, client, room.chair)
    page = client.get(f"/room/{room.conference.id}").data.decode()
    assert "Not quorate" in page and "Missing: Surgery, Medical oncology" in page
    check_in(client, room)
    for doctor in room.doctors.values():
        check_in(client, room, doctor)  # the chair checks the others in
    page = client.get(f"/room/{room.conference.id}").data.decode()
    assert ">Quorate<" in page and "Missing:" not in page
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 5


def test_only_the_chair_checks_in_someone_else(room, auth, client):
    as_user(auth, client, room.doctors[Specialty.PATHOLOGY])
    response = client.post(f"/room/{room.conference.id}/check-in", data={"mode": "virtual", "user_id": room.chair.id})
    assert response.status_code == 403
    check_in(client, room)
    row = db.session.scalars(sa.select(Attendance)).one()
    assert (row.user_id, row.specialty) == (room.doctors[Specialty.PATHOLOGY].id, Specialty.PATHOLOGY)


def test_a_specialty_records_its_own_recommendation_and_the_chair_on_behalf(room, auth, client):
    oncologist = room.doctors[Specialty.MEDICAL_ONCOLOGY]
    as_user(auth, client, oncologist)
    check_in(client, room)
    rec = {
        "rec-specialty": "medical_oncology",
        "rec-modality": "systemic_therapy",
        "rec-intent": "curative",
        "rec-sequence": "neoadjuvant, then surgery",
        "rec-text": "ddAC-T",
    }
    assert client.post(room.url("recommendation"), data=rec).status_code == 302
    other = {**rec, "rec-specialty": "radiation_oncology", "rec-modality": "radiation"}
    page = client.post(room.url("recommendation"), data=other, follow_redirects=True).get_data(as_text=True)
    assert "choose medical oncology, your own specialty" in page  # a message on the case page, not a bare 403
    empty = client.post(room.url("recommendation"), data={**rec, "rec-text": " "}, follow_redirects=True)
    assert "Write the medical oncology recommendation" in empty.get_data(as_text=True)
    as_user(auth, client, room.chair)
    client.post(
        room.url("recommendation"),
        data={**rec, "rec-specialty": "radiation_oncology", "rec-modality": "radiation", "rec-text": "Whole breast RT"},
    )
    rows = {r.specialty: r for r in db.session.scalars(sa.select(Recommendation))}
    assert (
        rows[Specialty.MEDICAL_ONCOLOGY].author_id == oncologist.id
        and rows[Specialty.MEDICAL_ONCOLOGY].recorded_by_id is None
    )
    assert (
        rows[Specialty.RADIATION_ONCOLOGY].author_id is None
        and rows[Specialty.RADIATION_ONCOLOGY].recorded_by_id == room.chair.id
    )
    assert "on behalf of radiation oncology" in client.get(room.url()).data.decode()


def test_discussion_items_and_the_prospective_rule(room, auth, client):
    as_user(auth, client, room.chair)
    refused = client.post(
        room.url("discussion"), data={"guideline_discussed": "y"}, follow_redirects=True
    ).data.decode()
    assert "Name the guideline" in refused
    client.post(
        room.url("discussion"),
        data={
            "stage_discussed": "y",
            "guideline_discussed": "y",
            "guideline_name": "NCCN Breast Cancer",
            "guideline_version": "4.2026",
            "guideline_concordant": "yes",
            "trials_discussed": "y",
            "trials_named": "NRG-BR007",
        },
    )
    db.session.expire_all()
    assert (
        room.item.stage_discussed,
        room.item.guideline_name,
        room.item.guideline_concordant,
        room.item.trials_named,
    ) == (True, "NCCN Breast Cancer", True, "NRG-BR007")
    client.post(room.url("prospective"), data={"reason": "review"})
    db.session.expire_all()
    assert room.item.prospective is False and room.item.reason is PresentationReason.REVIEW
    refused = client.post(
        room.url("prospective"), data={"reason": "review", "override": "yes"}, follow_redirects=True
    ).data.decode()
    assert "Say why the rule" in refused
    client.post(
        room.url("prospective"), data={"reason": "review", "override": "yes", "why": "Adjuvant therapy still to decide"}
    )
    db.session.expire_all()
    assert room.item.prospective is True and room.item.prospective_override_reason == "Adjuvant therapy still to decide"
    as_user(auth, client, room.doctors[Specialty.PATHOLOGY])
    assert client.post(room.url("discussion"), data={"stage_discussed": "y"}).status_code == 403


def _open_vote(room, auth, client, text="Neoadjuvant chemotherapy, then lumpectomy and radiation") -> None:
    as_user(auth, client, room.chair)
    check_in(client, room)
    for doctor in room.doctors.values():
        check_in(client, room, doctor)
    client.post(room.url("plan"), data={"plan-text": text, "plan-intent": "curative"})


def _vote(auth, client, room, user, choice: str, comment: str = "", version: int | None = None):
    as_user(auth, client, user)
    current = sa.select(ConsensusPlan.version).where(ConsensusPlan.presentation_id == room.item.id)
    shown = version or db.session.scalar(current)
    return client.post(room.url("vote"), data={"choice": choice, "comment": comment, "plan_version": shown})


def test_only_checked_in_physicians_vote_and_a_vote_can_change(room, auth, client, make):
    _open_vote(room, auth, client)
    outsider = make.user(roles=(Role.PHYSICIAN,))
    refused = _vote(auth, client, room, outsider, "agree")
    assert "Check in to this conference before voting." in client.get(refused.location).get_data(as_text=True)
    navigator = make.user(roles=(Role.NAVIGATOR,))
    assert _vote(auth, client, room, navigator, "agree").status_code == 403
    pathologist = room.doctors[Specialty.PATHOLOGY]
    _vote(auth, client, room, pathologist, "disagree", "Margins need review first")
    _vote(auth, client, room, pathologist, "agree", "Fine after discussion")
    votes = db.session.scalars(sa.select(Vote)).all()
    assert [(v.voter_id, v.choice, v.comment) for v in votes] == [
        (pathologist.id, VoteChoice.AGREE, "Fine after discussion")
    ]


def test_the_tally_and_a_unanimous_close(room, auth, client):
    _open_vote(room, auth, client)
    for doctor in room.doctors.values():
        _vote(auth, client, room, doctor, "agree")
    _vote(auth, client, room, room.chair, "abstain")
    state = room.state(client)
    assert state["tally"] == {
        "agree": 4,
        "disagree": 0,
        "abstain": 1,
        "cast": 4,
        "result": "unanimous",
        "result_label": "Unanimous",
    }
    assert (state["status"], state["plan_version"], state["my_vote"]) == ("in_discussion", 1, "abstain")
    page = client.post(room.url("close"), data={}, follow_redirects=True).data.decode()
    assert "Case closed: unanimous (4 agree, 0 disagree, 1 abstain)." in page
    db.session.expire_all()
    plan = room.item.consensus_plan
    assert (plan.result, plan.agree_count, plan.abstain_count) == (VoteResult.UNANIMOUS, 4, 1)
    assert room.item.status is PresentationStatus.CLOSED and room.item.closed_at >= room.item.started_at
    assert room.case.status is CaseStatus.PRESENTED and room.conference.status is ConferenceStatus.HELD
    late = _vote(auth, client, room, room.doctors[Specialty.PATHOLOGY], "disagree")
    assert (
        late.status_code == 302
        and db.session.scalar(sa.select(sa.func.count(Vote.id)).where(Vote.choice == VoteChoice.DISAGREE)) == 0
    )


def test_no_consensus_needs_a_next_step_and_dissent_is_kept(room, auth, client):
    _open_vote(room, auth, client)
    doctors = list(room.doctors.values())
    _vote(auth, client, room, doctors[0], "agree")
    _vote(auth, client, room, doctors[1], "disagree", "Would operate first")
    _vote(auth, client, room, doctors[2], "disagree", "Margins unclear")
    as_user(auth, client, room.chair)
    refused = client.post(room.url("close"), data={}, follow_redirects=True).data.decode()
    assert "There is no consensus" in refused and "Would operate first" in refused
    client.post(room.url("close"), data={"action": "defer"})
    db.session.expire_all()
    assert (
        room.item.consensus_plan.no_consensus_action is NoConsensusAction.DEFER
        and room.case.status is CaseStatus.DEFERRED
    )
    assert db.session.scalar(sa.select(Vote.comment).where(Vote.choice == VoteChoice.DISAGREE)) == "Would operate first"


def test_re_present_puts_the_case_first_at_the_next_meeting(room, auth, client, make):
    later = datetime.now(UTC) + timedelta(days=7)
    upcoming = make.conference(series=room.series, starts_at=later, occurrence_start=later)
    waiting = make.presentation(conference=upcoming, position=0)
    _open_vote(room, auth, client)
    _vote(auth, client, room, room.doctors[Specialty.PATHOLOGY], "disagree", "Needs more imaging")
    as_user(auth, client, room.chair)
    client.post(room.url("close"), data={"action": "re_present", "override_reason": "Imaging first, then the board"})
    db.session.expire_all()
    agenda = db.session.scalars(
        sa.select(Presentation).where(Presentation.conference_id == upcoming.id).order_by(Presentation.position)
    ).all()
    assert [p.case_id for p in agenda] == [room.case.id, waiting.case_id] and room.case.status is CaseStatus.SCHEDULED


def test_opening_the_vote_starts_the_discussion_and_computes_prospective(room, auth, client):
    _open_vote(room, auth, client)
    db.session.expire_all()
    assert room.item.status is PresentationStatus.IN_DISCUSSION and room.item.started_at is not None
    assert room.item.prospective is True  # pre-treatment, first course not started


def test_changing_the_plan_starts_the_vote_again_and_keeps_earlier_votes_uncounted(room, auth, client):
    _open_vote(room, auth, client)
    _vote(auth, client, room, room.doctors[Specialty.PATHOLOGY], "agree", "As planned")
    as_user(auth, client, room.chair)
    client.post(room.url("plan"), data={"plan-text": "Mastectomy first", "plan-intent": "curative"})
    kept = db.session.scalars(sa.select(Vote)).all()
    assert [(v.choice, v.plan_version) for v in kept] == [(VoteChoice.AGREE, 1)]  # kept, and shown as such
    assert room.state(client)["tally"]["agree"] == 0 and room.item.consensus_plan.version == 2
    assert "on version 1, not counted" in client.get(room.url()).get_data(as_text=True)


def test_a_vote_from_a_screen_showing_an_earlier_plan_is_refused_with_the_plan_as_it_is(room, auth, client):
    """The defect: a stale screen's "agree" was counted for a plan the voter never saw."""
    _open_vote(room, auth, client)
    pathologist = room.doctors[Specialty.PATHOLOGY]
    as_user(auth, client, room.chair)
    client.post(room.url("plan"), data={"plan-text": "Mastectomy first", "plan-intent": "curative"})
    response = _vote(auth, client, room, pathologist, "agree", version=1)  # the form of the page opened before
    page = client.get(response.location).get_data(as_text=True)
    assert "The plan changed since your screen showed it" in page and "Mastectomy first" in page
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 0
    _vote(auth, client, room, pathologist, "agree", version=2)
    assert room.state(client)["tally"]["agree"] == 1
    missing = client.post(room.url("vote"), data={"choice": "agree"}, follow_redirects=True).get_data(as_text=True)
    assert "The plan changed since your screen showed it" in missing  # a form without a version is refused too


def test_closing_needs_a_quorate_room_and_a_majority_of_its_physicians_or_a_stated_reason(room, auth, client):
    """The defect: a case closed as "Unanimous" with 2 of 7 checked-in physicians voting."""
    _open_vote(room, auth, client)
    doctors = list(room.doctors.values())
    for doctor in doctors[:2]:
        _vote(auth, client, room, doctor, "agree")
    as_user(auth, client, room.chair)
    refused = client.post(room.url("close"), data={}, follow_redirects=True).get_data(as_text=True)
    assert "2 of 5 checked-in physicians voted on this plan; closing needs more than 50% of them (3)." in refused
    assert room.item.status is PresentationStatus.IN_DISCUSSION
    closed = client.post(room.url("close"), data={"override_reason": "Three left for the OR; all agreed beforehand"},
                         follow_redirects=True).get_data(as_text=True)
    assert "Case closed: unanimous (2 agree, 0 disagree, 0 abstain)." in closed
    db.session.expire_all()
    plan = room.item.consensus_plan
    assert (plan.close_override_reason, plan.physicians_checked_in, plan.quorate_at_close) == (
        "Three left for the OR; all agreed beforehand", 5, True)
    assert "Three left for the OR" in client.get(f"/letters/presentation/{room.item.id}").get_data(as_text=True)


def test_a_room_without_quorum_closes_only_with_a_reason(room, auth, client):
    as_user(auth, client, room.chair)
    check_in(client, room)
    client.post(room.url("plan"), data={"plan-text": "Lumpectomy", "plan-intent": "curative"})
    _vote(auth, client, room, room.chair, "agree")
    refused = client.post(room.url("close"), data={}, follow_redirects=True).get_data(as_text=True)
    assert "The meeting is not quorate (missing: medical oncology, radiation oncology" in refused
    client.post(room.url("close"), data={"override_reason": "Colleagues joined by phone, not checked in"})
    db.session.expire_all()
    assert room.item.consensus_plan.quorate_at_close is False and room.item.status is PresentationStatus.CLOSED


def test_listed_not_discussed_needs_the_standard(room, auth, client):
    as_user(auth, client, room.chair)
    assert (
        "Name the standard of care"
        in client.post(room.url("listed"), data={"standard": ""}, follow_redirects=True).data.decode()
    )
    client.post(room.url("listed"), data={"standard": "Low-risk DCIS: lumpectomy and RT per protocol"})
    db.session.expire_all()
    assert room.item.track is PresentationTrack.LISTED_NOT_DISCUSSED and room.item.status is PresentationStatus.CLOSED
    assert room.case.status is CaseStatus.PRESENTED


def test_every_change_is_audited(room, auth, client):
    _open_vote(room, auth, client)
    _vote(auth, client, room, room.doctors[Specialty.PATHOLOGY], "agree")
    as_user(auth, client, room.chair)
    client.post(room.url("close"), data={"override_reason": "Only pathology could stay"})
    actions = db.session.scalars(
        sa.select(AuditEntry.action).where(AuditEntry.entity_type == "presentation").order_by(AuditEntry.id)
    ).all()
    assert actions == ["plan", "vote", "close"]
    assert db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "check_in")) == 5


def test_the_room_state_holds_no_patient_data(room, auth, client):
    _open_vote(room, auth, client)
    _vote(auth, client, room, room.doctors[Specialty.PATHOLOGY], "agree", "Margins fine")
    as_user(auth, client, room.chair)
    body = client.get(room.state_url()).data
    assert b"Margins fine" in body and b"Dr Pathology" in body  # the comments and the roster are there
    as_user(auth, client, room.doctors[Specialty.RADIATION_ONCOLOGY])
    body += client.get(room.state_url()).data
    assert b"Lockhart" not in body and room.case.patient.mrn.encode() not in body


@pytest.mark.parametrize(
    ("roles", "path", "status"),
    [
        ((Role.NAVIGATOR,), "", 403),
        ((Role.AUDITOR,), "", 200),
        ((Role.AUDITOR,), "/start", 403),
        ((Role.ADMIN,), "", 403),
    ],
)
def test_who_may_open_the_room(room, auth, client, make, roles, path, status):
    as_user(auth, client, make.user(roles=roles))
    url = room.url() if not path else room.url(path.strip("/"))
    assert (client.get(url) if not path else client.post(url, data={})).status_code == status


def test_the_attendance_certificate_lists_the_meetings_attended(room, auth, client, make):
    as_user(auth, client, room.chair)
    check_in(client, room)
    room.conference.status = ConferenceStatus.HELD
    db.session.commit()
    response = client.get(f"/room/certificate.pdf?start={date.today().replace(month=1, day=1)}&end={date.today()}")
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(BytesIO(response.data)).pages)
    assert (
        "Certificate of attendance" in text
        and "Elena Vasquez" in text
        and "attended 1 multidisciplinary cancer conference" in text
    )
    assert "Breast Tumor Board" in text and "Lockhart" not in text


def test_the_case_panel_queries_do_not_grow_with_votes(room, auth, client, count_statements):
    _open_vote(room, auth, client)
    _vote(auth, client, room, room.doctors[Specialty.PATHOLOGY], "agree")

    def statements() -> int:
        with count_statements() as counter:
            assert client.get(room.url()).status_code == 200
        return counter.count

    as_user(auth, client, room.chair)
    few = statements()
    for doctor in list(room.doctors.values())[:-1]:
        _vote(auth, client, room, doctor, "disagree", "A comment")
    as_user(auth, client, room.chair)
    assert statements() == few


def test_the_case_panel_and_the_tally_read_the_presentation_with_what_it_needs_at_once(room, auth, client):
    _open_vote(room, auth, client)
    as_user(auth, client, room.chair)
    panel_url, poll_url = room.url(), room.state_url()
    read: list[str] = []

    def fresh_request() -> None:  # a request starts with an empty session (the test's is shared with the app)
        db.session.expunge_all()
        g.pop("_login_user", None)

    def listen(_conn, _cursor, statement, *_args) -> None:
        read.append(" ".join(statement.split()))

    sa.event.listen(db.engine, "before_cursor_execute", listen)
    try:
        fresh_request()
        assert client.get(panel_url).status_code == 200
        panel, read[:] = list(read), []
        fresh_request()
        assert client.get(poll_url).status_code == 200
        poll = list(read)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", listen)
    on_their_own = (
        "SELECT conferences.",
        "SELECT conference_series.",
        "SELECT series_site_groups.",
        "SELECT cases.",
        "SELECT patients.",
        "SELECT consensus_plans.",
    )
    # The presentation, its conference and series (and, for the panel, its case, patient and plan) come in one
    # statement.
    assert [s for s in panel if s.startswith(on_their_own)] == []
    # The poll reads the meeting with its series first (all a 304 needs, with the room's token), then the case.
    assert [s for s in poll if s.startswith(on_their_own)] == [s for s in poll if s.startswith("SELECT conferences.")]
    assert len([s for s in poll if s.startswith("SELECT conferences.")]) == 1
    for statements in (panel, poll):  # the quorum (of the closing rule, of the room), once
        assert len([s for s in statements if s.startswith("SELECT series_required_specialties.")]) == 1
    rows = lambda statements: [s for s in statements if s.startswith("SELECT presentations.")  # noqa: E731
                               and not s.startswith(("SELECT presentations.id FROM",  # the agenda's order: ids only
                                                     "SELECT presentations.id, presentations.status FROM"))]
    assert len(rows(panel)) == 1 and len(rows(poll)) == 1


def test_no_element_id_is_used_twice_on_the_case_panel(room, auth, client, app, monkeypatch):
    as_user(auth, client, room.chair)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)  # every form then renders its token
    page = client.get(room.url()).data.decode()
    assert page.count('name="csrf_token"') + page.count('csrf_token" type="hidden"') > 3
    ids = re.findall(r' id="([^"]+)"', page)
    assert sorted({i for i in ids if ids.count(i) > 1}) == []


def test_a_change_racing_another_writer_is_a_message_not_an_error(room, auth, client, monkeypatch):
    from sqlalchemy.orm.exc import StaleDataError

    from tumorboard.room import operations

    _open_vote(room, auth, client)
    as_user(auth, client, room.doctors[Specialty.PATHOLOGY])

    def raced(*_args, **_kwargs) -> None:
        raise StaleDataError("UPDATE statement on table 'conferences' expected to update 1 row(s); 0 were matched.")

    monkeypatch.setattr(operations, "cast_vote", raced)
    response = client.post(room.url("vote"), data={"choice": "agree"}, follow_redirects=True)
    assert response.status_code == 200 and "Someone else changed this at the same moment" in response.data.decode()
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 0


def _move_meeting(room: Room, starts_in: timedelta) -> None:
    room.conference.starts_at = datetime.now(UTC) + starts_in
    db.session.commit()


def test_nobody_checks_in_long_before_the_meeting(room, auth, client):
    _move_meeting(room, timedelta(hours=2))
    for person in (room.doctors[Specialty.PATHOLOGY], room.chair):
        as_user(auth, client, person)
        page = client.post(
            f"/room/{room.conference.id}/check-in", data={"mode": "in_person"}, follow_redirects=True
        ).data.decode()
        assert "Check-in opens at" in page and "30 minutes before the meeting starts." in page
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0


def test_a_past_meeting_takes_no_self_check_in_and_the_chair_corrects_it(room, auth, client):
    _move_meeting(room, -timedelta(days=365))
    pathologist = room.doctors[Specialty.PATHOLOGY]
    as_user(auth, client, pathologist)
    page = client.post(
        f"/room/{room.conference.id}/check-in", data={"mode": "in_person"}, follow_redirects=True
    ).data.decode()
    assert "This meeting is over" in page
    assert db.session.scalar(sa.select(sa.func.count(Attendance.id))) == 0
    as_user(auth, client, room.chair)
    check_in(client, room, pathologist)
    assert db.session.scalar(sa.select(Attendance.user_id)) == pathologist.id
    entry = db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == "attendance_correction")).one()
    assert (entry.user_id, entry.detail) == (room.chair.id, f"user={pathologist.id};mode=in_person")


def test_checking_in_twice_keeps_one_row_and_the_latest_mode(room, auth, client):
    as_user(auth, client, room.chair)
    check_in(client, room)
    client.post(f"/room/{room.conference.id}/check-in", data={"mode": "virtual"})
    row = db.session.scalars(sa.select(Attendance)).one()
    assert row.mode.value == "virtual"


REC = {
    "rec-specialty": "pathology",
    "rec-modality": "further_workup",
    "rec-intent": "",
    "rec-sequence": "",
    "rec-text": "Recut block A3",
}


def test_a_specialty_records_its_recommendation_only_once_checked_in(room, auth, client):
    pathologist = room.doctors[Specialty.PATHOLOGY]
    as_user(auth, client, pathologist)
    page = client.post(room.url("recommendation"), data=REC, follow_redirects=True).get_data(as_text=True)
    assert "Check in to this conference before recording" in page
    assert db.session.scalar(sa.select(sa.func.count(Recommendation.id))) == 0
    check_in(client, room)
    assert client.post(room.url("recommendation"), data=REC).status_code == 302
    assert db.session.scalar(sa.select(Recommendation.text)) == "Recut block A3"


def test_a_changed_recommendation_keeps_its_earlier_version_with_who_and_when(room, auth, client, make):
    pathologist = room.doctors[Specialty.PATHOLOGY]
    as_user(auth, client, pathologist)
    check_in(client, room)
    client.post(room.url("recommendation"), data=REC)
    client.post(room.url("recommendation"), data=REC)  # the same again: nothing to keep
    other = make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.PATHOLOGY, full_name="Dr Second Pathologist")
    as_user(auth, client, other)
    check_in(client, room)
    client.post(room.url("recommendation"), data={**REC, "rec-text": "No further workup: proceed"})
    current = db.session.scalars(sa.select(Recommendation)).one()
    assert (current.text, current.author_id) == ("No further workup: proceed", other.id)
    earlier = db.session.scalars(sa.select(RecommendationVersion)).one()
    assert (earlier.text, earlier.author_id, earlier.replaced_by_id) == ("Recut block A3", pathologist.id, other.id)
    assert earlier.recorded_at <= earlier.replaced_at
    page = client.get(room.url()).data.decode()
    assert "1 earlier version" in page and "Recut block A3" in page and "replaced by Dr Second Pathologist, MD" in page


def test_a_disagree_vote_needs_a_comment_unless_the_series_says_otherwise(room, auth, client):
    _open_vote(room, auth, client)
    pathologist = room.doctors[Specialty.PATHOLOGY]
    refused = _vote(auth, client, room, pathologist, "disagree")
    assert "a disagree vote needs a comment" in client.get(refused.location).get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(Vote.id))) == 0
    room.series.disagree_needs_comment = False
    db.session.commit()
    _vote(auth, client, room, pathologist, "disagree")
    assert db.session.scalar(sa.select(Vote.choice)) is VoteChoice.DISAGREE



def test_a_meeting_runs_at_its_time_nothing_is_discussed_or_closed_days_ahead_or_long_after(room, auth, client):
    """The 08 Dec board could be run on 02 Dec: discussed, closed, marked held and put on a certificate."""
    _move_meeting(room, timedelta(days=6))
    as_user(auth, client, room.chair)
    for action, data in (("start", {}), ("plan", {"plan-text": "Surgery", "plan-intent": "curative"}), ("close", {})):
        page = client.post(room.url(action), data=data, follow_redirects=True).get_data(as_text=True)
        assert "This meeting opens at" in page and "wait until then" in page, action
    db.session.expire_all()
    assert room.item.status is PresentationStatus.PLANNED and room.conference.status is ConferenceStatus.SCHEDULED
    _move_meeting(room, -timedelta(hours=6))  # a 60-minute meeting that ended five hours ago: closed after four
    page = client.post(room.url("start"), data={}, follow_redirects=True).get_data(as_text=True)
    assert "This meeting closed at" in page
    room.series.closes_hours_after = 8  # the series gives its room longer
    db.session.commit()
    moved = client.post(room.url("start"), data={}, follow_redirects=True).get_data(as_text=True)
    assert "The room is on this case." in moved


def test_the_certificate_never_lists_a_meeting_that_has_not_taken_place(room, auth, client, make):
    as_user(auth, client, room.chair)
    check_in(client, room)
    future = make.conference(series=room.series, starts_at=datetime.now(UTC) + timedelta(days=6),
                             occurrence_start=datetime.now(UTC) + timedelta(days=6), status=ConferenceStatus.HELD)
    db.session.add(Attendance(conference_id=future.id, user_id=room.chair.id, attendee_name=room.chair.full_name,
                              specialty=room.chair.specialty))  # a row an import or an old release could have left
    room.conference.status = ConferenceStatus.HELD
    db.session.commit()
    end = date.today() + timedelta(days=30)
    response = client.get(f"/room/certificate.pdf?start={date.today().replace(month=1, day=1)}&end={end}")
    text = " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(BytesIO(response.data)).pages)
    assert "attended 1 multidisciplinary cancer conference" in text


def test_the_chair_steps_through_the_agenda_sees_the_clock_and_unready_material(room, auth, client, make):
    after = make.presentation(conference=room.conference, position=1, case=make.case(status=CaseStatus.SCHEDULED))
    room.case.imaging_ready_at = datetime.now(UTC)  # imaging marked ready, pathology not
    db.session.commit()
    as_user(auth, client, room.chair)
    client.post(room.url("start"))
    db.session.expire_all()
    room.item.started_at = datetime.now(UTC) - timedelta(minutes=12)  # 12 minutes into a 5-minute slot
    db.session.commit()
    page = client.get(room.url()).get_data(as_text=True)
    assert "Not ready for review:</strong> pathology." in page
    assert f'action="/room/{room.conference.id}/case/{after.id}/start"' in page and "Previous case" not in page
    assert "12 of 5 min" in page and "text-danger fw-semibold" in page
    voter = room.doctors[Specialty.PATHOLOGY]
    as_user(auth, client, voter)  # a physician browses the agenda with links, and follows the chair by default
    page = client.get(room.url()).get_data(as_text=True)
    assert f'/room/{room.conference.id}/case/{after.id}" rel="next">Next case' in page and "Follow the chair" in page
    assert client.get(room.state_url()).json["current"]["id"] == room.item.id
    as_user(auth, client, room.chair)
    moved = client.post(f"/room/{room.conference.id}/case/{after.id}/start", follow_redirects=True)
    assert moved.request.path == f"/room/{room.conference.id}/case/{after.id}"  # the chair is on the next case
    assert f'action="/room/{room.conference.id}/case/{room.item.id}/start"' in moved.get_data(as_text=True)
    as_user(auth, client, voter)
    current = client.get(room.state_url()).json["current"]  # the voter's screen, still on the first case, is told
    assert current == {"id": after.id, "url": f"/room/{room.conference.id}/case/{after.id}",
                       "label": "case 2 of 2 on the agenda"}
    db.session.expire_all()
    assert after.status is PresentationStatus.IN_DISCUSSION and after.started_at is not None


def test_the_chair_sees_who_voted_and_who_did_not_before_closing(room, auth, client):
    _open_vote(room, auth, client)
    _vote(auth, client, room, room.doctors[Specialty.PATHOLOGY], "disagree", "Margins unclear")
    as_user(auth, client, room.chair)
    page = client.get(room.url()).get_data(as_text=True)
    assert "Checked-in physicians: 1 of 5 voted on this plan" in page
    roster = page[page.index("Checked-in physicians:"):page.index("Close the case")]
    assert "<strong>disagree</strong>: Margins unclear" in roster and "Dr Pathology" in roster
    assert page.count("not voted") == 4
    assert "Closing rule not met." in roster and "1 of 5 checked-in physicians voted on this plan" in roster


def test_a_screen_polls_the_room_and_hears_304_until_something_changes(room, auth, client):
    _open_vote(room, auth, client)
    pathologist = room.doctors[Specialty.PATHOLOGY]
    as_user(auth, client, pathologist)
    first = client.get(room.state_url())
    tag = first.headers["ETag"]
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-store"
    again = client.get(room.state_url(), headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b""
    _vote(auth, client, room, room.doctors[Specialty.MEDICAL_ONCOLOGY], "agree")  # someone else votes
    as_user(auth, client, pathologist)
    changed = client.get(room.state_url(), headers={"If-None-Match": tag})
    assert changed.status_code == 200 and changed.json["case"]["tally"]["agree"] == 1
    assert changed.json["case"]["my_vote"] == "none yet"  # the state every screen shares, then the caller's own vote
    _vote(auth, client, room, pathologist, "abstain")
    assert room.state(client)["my_vote"] == "abstain" and room.state(client)["tally"]["abstain"] == 1


def test_every_change_in_the_room_reaches_the_screens(room, auth, client, make):
    """Check-in, quorum, the case under discussion, the plan and its version, votes, comments and closing."""
    as_user(auth, client, room.doctors[Specialty.PATHOLOGY])
    live = f"/room/{room.conference.id}/state.json"
    tags = {client.get(live).headers["ETag"]}
    before = client.get(live).json
    assert "Not quorate" in before["fragments"]["quorum"]
    assert "Nobody is checked in" in before["fragments"]["attendance"]
    as_user(auth, client, room.chair)
    check_in(client, room)
    for doctor in room.doctors.values():
        check_in(client, room, doctor)
    steps = [
        lambda: client.post(room.url("start")),
        lambda: client.post(room.url("plan"), data={"plan-text": "Lumpectomy", "plan-intent": "curative"}),
        lambda: client.post(room.url("plan"), data={"plan-text": "Mastectomy", "plan-intent": "curative"}),
    ]
    for step in steps:
        step()
        tags.add(client.get(live).headers["ETag"])
    dissenter, *others = list(room.doctors.values())[:3]
    for doctor, choice, comment in [(dissenter, "disagree", "Close margins"), *((d, "agree", "") for d in others)]:
        _vote(auth, client, room, doctor, choice, comment)
        tags.add(client.get(live).headers["ETag"])
    as_user(auth, client, room.doctors[Specialty.PATHOLOGY])
    meeting, state = client.get(live).json, client.get(room.state_url()).json
    assert len(tags) == 7  # each change made a new state
    assert ">Quorate<" in meeting["fragments"]["quorum"] and "Dr Pathology" in meeting["fragments"]["attendance"]
    assert meeting["current"]["id"] == room.item.id and meeting["statuses"][str(room.item.id)] == "In discussion"
    assert state["current"]["id"] == room.item.id and "attendance" not in state["fragments"]  # a case page's own
    assert (state["case"]["plan_version"], state["case"]["plan_text"]) == (2, "Mastectomy")
    assert state["case"]["tally"]["agree"] == 2 and "Close margins" in state["fragments"]["comments"]
    assert "roster" not in state["fragments"]  # who has not voted yet is the chair's view
    as_user(auth, client, room.chair)
    chair_view = client.get(room.state_url()).json
    assert "3 of 5 voted on this plan" in chair_view["fragments"]["roster"]
    client.post(room.url("close"), data={"action": "defer"})
    as_user(auth, client, room.doctors[Specialty.PATHOLOGY])
    assert room.state(client)["status"] == "closed"


def test_a_screen_of_another_board_cannot_poll_this_room(room, auth, client, make):
    from tumorboard.program.models import ProgramSettings

    outsider = make.user(roles=(Role.PHYSICIAN,))
    settings = db.session.get(ProgramSettings, 1) or ProgramSettings(id=1)
    settings.restrict_cases_to_series = True
    db.session.add(settings)
    db.session.commit()
    as_user(auth, client, outsider)
    assert client.get(room.state_url()).status_code == 403
    assert client.get(f"/room/{room.conference.id + 99}/state.json").status_code == 404
