"""The dashboard shows each role what it needs, in a bounded number of queries."""

from datetime import UTC, datetime, timedelta

from tumorboard.conferences.models import SeriesMember
from tumorboard.extensions import db
from tumorboard.vocab import CaseStatus, ConferenceStatus, Role


def test_physician_sees_their_cases_and_upcoming_conferences(make, auth, client):
    me = make.user(roles=(Role.PHYSICIAN,))
    other = make.user(roles=(Role.PHYSICIAN,))
    series = make.series(name="Breast Tumor Board")
    db.session.add(SeriesMember(series_id=series.id, user_id=me.id))
    db.session.commit()
    conference = make.conference(series=series)
    make.presentation(
        conference=conference,
        case=make.case(presenting_physician=me, patient=make.patient(first_name="Maria", last_name="Lockhart")),
    )
    make.case(managing_physician=other)
    make.case(presenting_physician=me, status=CaseStatus.WITHDRAWN)
    auth.login(me.username)
    page = client.get("/").data.decode()
    assert "Breast Tumor Board" in page and "member" in page and "1 / 12" in page
    assert "(ML)" in page and "Lockhart" not in page  # initials only on the dashboard
    assert page.count("presenting") == 1  # the withdrawn case and the colleague's case are not shown


def test_coordinator_sees_the_queue_and_this_years_conferences(make, auth, client):
    make.case(status=CaseStatus.SUBMITTED)
    make.case(status=CaseStatus.SUBMITTED, imaging_ready_at=datetime.now(UTC), pathology_ready_at=datetime.now(UTC))
    make.case(status=CaseStatus.DRAFT)
    make.conference(status=ConferenceStatus.HELD, starts_at=datetime.now(UTC) - timedelta(hours=5))
    auth.login(make.user(roles=(Role.COORDINATOR,)).username)
    page = client.get("/").data.decode()
    assert (
        '<div class="tb-stat-value">2</div>\n      <div class="tb-stat-label"><a href="/cases/">Cases waiting in '
        "the queue" in page
    )
    assert (
        '<div class="tb-stat-value">1</div>\n      <div class="tb-stat-label"><a href="/cases/?ready=no">of them '
        "missing imaging or pathology" in page
    )
    assert (
        '<div class="tb-stat-value">1</div>\n      <div class="tb-stat-label"><a href="/conferences/">Conferences '
        "held this year" in page
    )


def test_dashboard_queries_do_not_grow_with_the_rows(make, auth, client, count_statements):
    me = make.user(roles=(Role.PHYSICIAN, Role.COORDINATOR, Role.NAVIGATOR, Role.AUDITOR))
    auth.login(me.username)

    def statements() -> int:
        with count_statements() as counter:
            assert client.get("/").status_code == 200
        return counter.count

    make.presentation(conference=make.conference(), case=make.case(presenting_physician=me))
    few = statements()
    series = make.series()
    for day in range(1, 9):
        conference = make.conference(
            series=series,
            starts_at=datetime.now(UTC) + timedelta(days=day),
            occurrence_start=datetime.now(UTC) + timedelta(days=day),
        )
        for _ in range(3):
            make.presentation(conference=conference, case=make.case(presenting_physician=me))
    assert statements() == few
