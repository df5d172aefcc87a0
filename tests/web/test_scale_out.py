"""Two app servers behind HAProxy on one PostgreSQL: losing one mid-meeting (SIGKILL) loses no vote, and the
survivor serves everything (sessions, sign-in throttling, letters, reports) on its own."""

from __future__ import annotations

import random
import threading
import time
import urllib.error
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from tumorboard.benchmarks.load import HAPROXY, Physician, gunicorn, haproxy, kill_hard
from tumorboard.extensions import db
from tumorboard.letters.models import PlanLetter
from tumorboard.room.models import Attendance, ConsensusPlan, Vote
from tumorboard.vocab import CaseStatus, PresentationStatus, Role, Specialty, VoteChoice

PASSWORD = "correct-horse-battery"
VOTERS = 12
SECONDS, KILL_AFTER = 6.0, 2.0
# What a client may meet while one server dies: the proxy's 502/503, or the connection cut. Never a 500.
RETRYABLE = {502, 503, 504, "RemoteDisconnected", "ConnectionResetError", "URLError", "IncompleteRead"}


@pytest.fixture
def servers(app, tmp_path) -> Iterator[tuple[str, str, str]]:
    """Two gunicorn instances (two workers each) on the test's PostgreSQL, and HAProxy in front of both."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the scale-out test runs against PostgreSQL (make test runs it in its PostgreSQL pass)")
    if not Path(HAPROXY).exists():
        pytest.fail("haproxy is missing: make test installs Debian's haproxy (make system-deps)")
    url, reports = db.engine.url.render_as_string(hide_password=False), tmp_path / "reports"
    with gunicorn(url, tmp_path / "a.log", workers=2, reports_dir=reports) as first, \
            gunicorn(url, tmp_path / "b.log", workers=2, reports_dir=reports) as second, \
            haproxy([first, second], tmp_path) as proxy:
        yield first, second, proxy


def _outcome(call) -> object:  # noqa: ANN001
    try:
        return call()
    except urllib.error.HTTPError as error:
        return error.code
    except urllib.error.URLError as error:
        return type(error.reason).__name__ if isinstance(error.reason, Exception) else "URLError"
    except (ConnectionError, OSError) as error:
        return type(error).__name__


def _meeting(make) -> tuple[int, str, list[tuple[int, str]], str, int]:
    start = datetime.now(UTC) - timedelta(minutes=10)
    conference = make.conference(starts_at=start, occurrence_start=start)
    item = make.presentation(conference=conference, case=make.case(status=CaseStatus.SCHEDULED),
                             status=PresentationStatus.IN_DISCUSSION)
    plan = "Neoadjuvant chemotherapy, then surgery"
    db.session.add(ConsensusPlan(presentation_id=item.id, text=plan, vote_opened_at=start))
    voters = [make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.MEDICAL_ONCOLOGY) for _ in range(VOTERS)]
    db.session.add_all(Attendance(conference_id=conference.id, user_id=u.id, attendee_name=u.full_name,
                                  specialty=u.specialty) for u in voters)
    managing = make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.SURGERY)
    closed = make.presentation(conference=conference, status=PresentationStatus.CLOSED,
                               case=make.case(status=CaseStatus.PLAN_FINALIZED, managing_physician=managing))
    db.session.add(ConsensusPlan(presentation_id=closed.id, text="Surgery", final_plan="Lumpectomy",
                                 finalized_at=start))
    db.session.commit()
    case_page = f"/room/{conference.id}/case/{item.id}"
    return item.id, case_page, [(u.id, u.username) for u in voters], managing.username, closed.id


def test_losing_one_of_two_app_servers_loses_no_vote_and_the_survivor_serves_everything(make, servers, tmp_path,
                                                                                        capsys):
    first, _second, proxy = servers
    item_id, case_page, voters, managing, closed_id = _meeting(make)
    browsers = [Physician(proxy, username, PASSWORD) for _, username in voters]
    for browser in browsers:
        browser.sign_in()  # round robin: half the sessions begin on the server that will die
    tokens = [browser.token(case_page) for browser in browsers]
    version = browsers[0].plan_version(case_page)
    end = time.monotonic() + SECONDS
    acknowledged: dict[int, VoteChoice] = {}
    met: list[object] = []
    counted = [0]

    def vote(user_id: int, browser: Physician, token: str, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < end:
            choice = rng.choice(list(VoteChoice))
            for _ in range(20):  # the same vote again until it is acknowledged: a vote is an upsert
                answer = _outcome(lambda: browser.post(f"{case_page}/vote", token, choice=choice.value,  # noqa: B023
                                                       comment="load", plan_version=version))
                if answer == 200:
                    acknowledged[user_id] = choice
                    counted[0] += 1
                    break
                met.append(answer)
                time.sleep(0.1)

    threads = [threading.Thread(target=vote, args=(user_id, browser, token, n))
               for n, ((user_id, _), browser, token) in enumerate(zip(voters, browsers, tokens, strict=True))]
    for thread in threads:
        thread.start()
    time.sleep(KILL_AFTER)
    kill_hard(first)  # mid-meeting, no graceful shutdown
    for thread in threads:
        thread.join(timeout=120)

    db.session.expire_all()
    stored = {v.voter_id: v.choice for v in db.session.scalars(sa.select(Vote).where(Vote.presentation_id == item_id))}
    assert len(acknowledged) == VOTERS and stored == acknowledged  # every acknowledged vote is the one stored
    assert set(met) <= RETRYABLE, met  # what failed could be retried, and was
    with capsys.disabled():
        kinds = ", ".join(f"{met.count(kind)} x {kind}" for kind in sorted(set(met), key=str)) or "none"
        print(f"\nscale-out: {VOTERS} voters for {SECONDS:.0f} s through HAProxy, one of two servers SIGKILLed at "
              f"{KILL_AFTER:.0f} s: {counted[0]} votes acknowledged, all stored; retried answers: {kinds}")

    # The survivor serves every session, including those the lost server began.
    assert all("Neoadjuvant chemotherapy" in browser.get(case_page) for browser in browsers)
    # Sign-in throttling is shared: failures counted on either server make the next attempt wait.
    guesser = Physician(proxy, voters[0][1], "not-the-password")
    answers = [_outcome(lambda: guesser.post("/login", guesser.token("/login"), username=guesser.username,  # noqa: B023
                                                password=guesser.password)) for _ in range(6)]
    assert answers == [401] * 5 + [429]
    # Letters are issued and filed by the survivor, into the shared reports folder.
    signer = Physician(proxy, managing, PASSWORD)
    signer.sign_in()
    letters = f"/letters/presentation/{closed_id}"
    assert signer.post(f"{letters}/issue", signer.token(letters), kind="referrer") == 200
    db.session.expire_all()
    issued = sa.select(sa.func.count(PlanLetter.id)).where(PlanLetter.presentation_id == closed_id)
    assert db.session.scalar(issued) == 1
    assert len(list((tmp_path / "reports").rglob("*.pdf"))) == 1
    # And the accreditation report (its cache follows the database's data token, whichever server computed it).
    coordinator = Physician(proxy, make.user(roles=(Role.COORDINATOR,)).username, PASSWORD)
    coordinator.sign_in()
    assert "presented" in coordinator.get("/reports/").lower()
