"""Many physicians voting at once through gunicorn workers on PostgreSQL: no vote lost, none counted twice."""

from __future__ import annotations

import json
import random
import threading
import urllib.error
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tumorboard.benchmarks.load import Physician, gunicorn
from tumorboard.extensions import db
from tumorboard.sessions.models import Attendance, ConsensusPlan, Vote
from tumorboard.vocab import CaseStatus, PresentationStatus, Role, Specialty, VoteChoice

VOTERS = 40
ROUNDS = 3
PASSWORD = "correct-horse-battery"


@pytest.fixture
def server(app, tmp_path) -> Iterator[str]:
    """The app under gunicorn with four worker processes, on the same PostgreSQL database as the test."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the concurrent-voting test runs against PostgreSQL (make test runs it in its PostgreSQL pass)")
    with gunicorn(db.engine.url.render_as_string(hide_password=False), tmp_path / "gunicorn.log") as base:
        yield base


def test_simultaneous_votes_are_all_counted_once(make, server):
    series = make.series()
    start = datetime.now(UTC) - timedelta(minutes=10)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start)
    item = make.presentation(conference=conference, case=make.case(status=CaseStatus.SCHEDULED), status=PresentationStatus.IN_DISCUSSION)
    db.session.add(ConsensusPlan(presentation_id=item.id, text="Neoadjuvant chemotherapy, then surgery", vote_opened_at=start))
    users = [make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.MEDICAL_ONCOLOGY) for _ in range(VOTERS)]
    db.session.add_all(Attendance(conference_id=conference.id, user_id=u.id, attendee_name=u.full_name, specialty=u.specialty) for u in users)
    voters = [(u.id, u.username) for u in users]  # plain values: the threads have no database session
    item_id = item.id
    db.session.commit()
    case_page = f"/room/{conference.id}/case/{item_id}"

    final: dict[int, VoteChoice] = {}
    failures: list[str] = []
    ready = threading.Barrier(VOTERS)

    def vote(user_id: int, username: str, seed: int) -> None:
        rng = random.Random(seed)
        try:
            browser = Physician(server, username, PASSWORD)
            browser.sign_in()
            token = browser.token(case_page)
            ready.wait(timeout=120)  # everyone votes at the same moment
            for _ in range(ROUNDS):
                choice = rng.choice(list(VoteChoice))
                status = browser.post(f"{case_page}/vote", token, choice=choice.value, comment=f"round by {username}")
                if status != 200:
                    failures.append(f"{username}: HTTP {status}")
                final[user_id] = choice
        except Exception as error:  # noqa: BLE001  (collected and reported below)
            failures.append(f"{username}: {type(error).__name__}: {error}")

    threads = [threading.Thread(target=vote, args=(user_id, username, n)) for n, (user_id, username) in enumerate(voters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert failures == []
    db.session.expire_all()
    stored = {v.voter_id: v.choice for v in db.session.scalars(db.select(Vote).where(Vote.presentation_id == item_id))}
    assert len(stored) == VOTERS  # none lost, none twice (one row per physician)
    assert stored == final  # each physician's last vote is the one that counts
    observer = Physician(server, voters[0][1], PASSWORD)
    observer.sign_in()
    shown = json.loads(observer.get(f"{case_page}/tally.json"))
    assert (shown["agree"], shown["disagree"], shown["abstain"]) == tuple(sum(c is k for c in final.values()) for k in VoteChoice)


def test_simultaneous_check_ins_of_one_physician_give_one_row_and_no_error(make, server):
    start = datetime.now(UTC) - timedelta(minutes=10)
    conference = make.conference(starts_at=start, occurrence_start=start)
    user = make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.PATHOLOGY)
    conference_id, username = conference.id, user.username
    browsers = [Physician(server, username, PASSWORD) for _ in range(6)]  # six devices, six sessions
    tokens = []
    for browser in browsers:
        browser.sign_in()
        tokens.append(browser.token(f"/room/{conference_id}"))
    ready = threading.Barrier(len(browsers))
    statuses: list[object] = []

    def tap(browser: Physician, token: str) -> None:
        ready.wait(timeout=60)
        try:
            statuses.append(browser.post(f"/room/{conference_id}/check-in", token, mode="in_person"))
        except Exception as error:  # noqa: BLE001  (an HTTP 500 arrives as an exception; reported below)
            statuses.append(repr(error))

    threads = [threading.Thread(target=tap, args=pair) for pair in zip(browsers, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200] * len(browsers)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Attendance.id)).where(Attendance.conference_id == conference_id)) == 1


def test_simultaneous_guesses_check_no_more_passwords_than_the_free_attempts(make, server):
    from tumorboard.audit.models import AuditEntry

    user = make.user(username="target")
    guessers = [Physician(server, user.username, f"guess-number-{n}") for n in range(40)]
    tokens = [browser.token("/login") for browser in guessers]
    ready = threading.Barrier(len(guessers))
    answers: list[int] = []

    def guess(browser: Physician, token: str) -> None:
        ready.wait(timeout=60)
        try:
            answers.append(browser.post("/login", token, username=browser.username, password=browser.password))
        except urllib.error.HTTPError as error:  # 401 wrong password, 429 wait
            answers.append(error.code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(guessers, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    db.session.expire_all()
    checked = db.session.scalar(db.select(db.func.count(AuditEntry.id)).where(AuditEntry.action == "login_failed"))
    assert checked == 5 and sorted(answers) == [401] * 5 + [429] * 35
