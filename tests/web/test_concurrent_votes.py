"""Many physicians voting at once through gunicorn workers on PostgreSQL: no vote lost, none counted twice."""

from __future__ import annotations

import random
import threading
import urllib.error
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from tumorboard.benchmarks.load import Physician, gunicorn
from tumorboard.extensions import db
from tumorboard.room.models import Attendance, ConsensusPlan, Vote
from tumorboard.vocab import CaseStatus, PresentationStatus, Role, Specialty, VoteChoice

VOTERS = 40
ROUNDS = 3
PASSWORD = "correct-horse-battery"


def _at_once(task: Callable[..., object], arguments: list[tuple]) -> list[object]:
    """Run task(*args) for each args in a thread of its own, all released at one moment: the results, in order.

    An HTTP error answers its status code; any other failure its repr, so an assertion on the results reports it.
    """
    ready = threading.Barrier(len(arguments))
    results: list[object] = [None] * len(arguments)

    def run(n: int, args: tuple) -> None:
        ready.wait(timeout=120)
        try:
            results[n] = task(*args)
        except urllib.error.HTTPError as error:
            results[n] = error.code
        except Exception as error:  # noqa: BLE001  (reported through the results)
            results[n] = repr(error)

    threads = [threading.Thread(target=run, args=(n, args)) for n, args in enumerate(arguments)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


@pytest.fixture
def server(app, tmp_path) -> Iterator[str]:
    """The app under gunicorn with four worker processes, on the same PostgreSQL database as the test."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the concurrent-voting test runs against PostgreSQL (make test runs it in its PostgreSQL pass)")
    with gunicorn(
        db.engine.url.render_as_string(hide_password=False), tmp_path / "gunicorn.log", reports_dir=tmp_path / "reports"
    ) as base:
        yield base


def test_simultaneous_votes_are_all_counted_once(make, server):
    series = make.series()
    start = datetime.now(UTC) - timedelta(minutes=10)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start)
    item = make.presentation(
        conference=conference, case=make.case(status=CaseStatus.SCHEDULED), status=PresentationStatus.IN_DISCUSSION
    )
    db.session.add(
        ConsensusPlan(presentation_id=item.id, text="Neoadjuvant chemotherapy, then surgery", vote_opened_at=start)
    )
    users = [make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.MEDICAL_ONCOLOGY) for _ in range(VOTERS)]
    db.session.add_all(
        Attendance(conference_id=conference.id, user_id=u.id, attendee_name=u.full_name, specialty=u.specialty)
        for u in users
    )
    voters = [(u.id, u.username) for u in users]  # plain values: the threads have no database session
    item_id = item.id
    db.session.commit()
    case_page = f"/room/{conference.id}/case/{item_id}"

    final: dict[int, VoteChoice] = {}
    browsers = []
    for _, username in voters:
        browsers.append(Physician(server, username, PASSWORD))
        browsers[-1].sign_in()
    tokens = [browser.token(case_page) for browser in browsers]
    version = browsers[0].plan_version(case_page)

    def vote(user_id: int, browser: Physician, token: str, seed: int) -> list[int]:
        rng = random.Random(seed)
        statuses = []
        for _ in range(ROUNDS):
            choice = rng.choice(list(VoteChoice))
            statuses.append(
                browser.post(
                    f"{case_page}/vote", token, choice=choice.value, comment=f"round by {browser.username}",
                    plan_version=version,
                )
            )
            final[user_id] = choice
        return statuses

    arguments = [
        (user_id, browser, token, n)
        for n, ((user_id, _), browser, token) in enumerate(zip(voters, browsers, tokens, strict=True))
    ]
    assert _at_once(vote, arguments) == [[200] * ROUNDS] * VOTERS  # everyone votes at the same moment
    db.session.expire_all()
    stored = {v.voter_id: v.choice for v in db.session.scalars(sa.select(Vote).where(Vote.presentation_id == item_id))}
    assert len(stored) == VOTERS  # none lost, none twice (one row per physician)
    assert stored == final  # each physician's last vote is the one that counts
    observer = Physician(server, voters[0][1], PASSWORD)
    observer.sign_in()
    shown = observer.state(case_page)["case"]["tally"]
    assert (shown["agree"], shown["disagree"], shown["abstain"]) == tuple(
        sum(c is k for c in final.values()) for k in VoteChoice
    )


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

    def tap(browser: Physician, token: str) -> int:
        return browser.post(f"/room/{conference_id}/check-in", token, mode="in_person")

    assert _at_once(tap, list(zip(browsers, tokens, strict=True))) == [200] * len(browsers)
    db.session.expire_all()
    assert (
        db.session.scalar(sa.select(sa.func.count(Attendance.id)).where(Attendance.conference_id == conference_id)) == 1
    )


def test_simultaneous_guesses_check_no_more_passwords_than_the_free_attempts(make, server):
    from tumorboard.audit.models import AuditEntry

    user = make.user(username="target")
    guessers = [Physician(server, user.username, f"guess-number-{n}") for n in range(40)]
    tokens = [browser.token("/login") for browser in guessers]

    def guess(browser: Physician, token: str) -> int:
        return browser.post("/login", token, username=browser.username, password=browser.password)

    answers = _at_once(guess, list(zip(guessers, tokens, strict=True)))  # 401 wrong password, 429 wait
    db.session.expire_all()
    checked = db.session.scalar(sa.select(sa.func.count(AuditEntry.id)).where(AuditEntry.action == "login_failed"))
    assert checked == 5 and sorted(answers) == [401] * 5 + [429] * 35


def test_ten_simultaneous_corrections_of_one_letter_make_one_new_version(make, server, tmp_path):
    from tumorboard.letters.models import PlanLetter

    managing = make.user(roles=(Role.PHYSICIAN,), specialty=Specialty.MEDICAL_ONCOLOGY)
    start = datetime.now(UTC) - timedelta(days=1)
    item = make.presentation(
        conference=make.conference(starts_at=start, occurrence_start=start),
        status=PresentationStatus.CLOSED,
        case=make.case(status=CaseStatus.PLAN_FINALIZED, managing_physician=managing),
    )
    db.session.add(
        ConsensusPlan(
            presentation_id=item.id, text="Surgery", final_plan="Lumpectomy, then radiation", finalized_at=start
        )
    )
    db.session.commit()
    issue, username, item_id = f"/letters/presentation/{item.id}/issue", managing.username, item.id
    first = Physician(server, username, PASSWORD)
    first.sign_in()
    first.post(issue, first.token(f"/letters/presentation/{item_id}"), kind="referrer")
    screens = [Physician(server, username, PASSWORD) for _ in range(10)]  # ten tabs, each showing version 1
    tokens = []
    for screen in screens:
        screen.sign_in()
        tokens.append(screen.token(f"/letters/presentation/{item_id}"))

    def correct(n: int, screen: Physician, token: str) -> int:
        return screen.post(issue, token, kind="referrer", corrects_version="1", correction_reason=f"correction {n}")

    statuses = _at_once(correct, [(n, *pair) for n, pair in enumerate(zip(screens, tokens, strict=True))])
    assert statuses == [200] * len(screens)  # nine of them told that version 2 was issued meanwhile
    db.session.expire_all()
    versions = db.session.scalars(
        sa.select(PlanLetter.version).where(PlanLetter.presentation_id == item_id).order_by(PlanLetter.version)
    )
    assert list(versions) == [1, 2]
    assert len(list((tmp_path / "reports").rglob("*.pdf"))) == 2
