"""Many physicians voting at once through gunicorn workers on PostgreSQL: no vote lost, none counted twice."""

from __future__ import annotations

import json
import os
import random
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.cookiejar import CookieJar
from pathlib import Path

import pytest

from tumorboard.extensions import db
from tumorboard.sessions.models import Attendance, ConsensusPlan, Vote
from tumorboard.vocab import CaseStatus, PresentationStatus, Role, Specialty, VoteChoice

ROOT = Path(__file__).resolve().parents[2]
VOTERS = 40
ROUNDS = 3
TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def gunicorn(app, tmp_path) -> Iterator[str]:
    """The app under gunicorn with four worker processes, on the same PostgreSQL database as the test."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the concurrent-voting test runs against PostgreSQL (make test runs it in its PostgreSQL pass)")
    port = _free_port()
    env = {**os.environ, "TUMORBOARD_ENV": "development", "SECRET_KEY": "c" * 32,
           "DATABASE_URL": db.engine.url.render_as_string(hide_password=False)}
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", "4", "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
                                  cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"gunicorn did not start: {log.read_text()[-2000:]}") from None
                time.sleep(0.2)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=20)


class Physician:
    """One physician's browser: cookies, CSRF tokens, form posts."""

    def __init__(self, base: str, username: str) -> None:
        self.base, self.username = base, username
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

    def get(self, path: str) -> str:
        return self.opener.open(self.base + path, timeout=60).read().decode()

    def post(self, path: str, token: str, **fields: str) -> int:
        body = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        return self.opener.open(self.base + path, data=body, timeout=60).status

    def sign_in(self) -> None:
        token = TOKEN.search(self.get("/login")).group(1)
        self.post("/login", token, username=self.username, password="correct-horse-battery")


def test_simultaneous_votes_are_all_counted_once(make, gunicorn):
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
            browser = Physician(gunicorn, username)
            browser.sign_in()
            token = TOKEN.search(browser.get(case_page)).group(1)
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
    observer = Physician(gunicorn, voters[0][1])
    observer.sign_in()
    shown = json.loads(observer.get(f"{case_page}/tally.json"))
    assert (shown["agree"], shown["disagree"], shown["abstain"]) == tuple(sum(c is k for c in final.values()) for k in VoteChoice)
