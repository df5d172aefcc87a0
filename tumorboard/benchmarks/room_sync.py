"""Screens following one meeting in step (issue 16): a load test of the room's live state, under gunicorn.

`screens` signed-in physicians keep one case page open; `voters` of them vote and change their vote every few
seconds, each vote with a comment no other vote has (`m<voter>-<n>`). Every screen polls the room's state as its
page does, and notes when each voter's newest comment first reaches it: the time from a vote's answer to its
appearance on a screen is measured for every (vote, screen) pair. A vote overtaken on a screen by the same voter's
next one counts as shown when the next one is. Two mechanisms run in turn on the same signed-in screens:

- `conditional`: what room.js does, a poll every 1.5 s with If-None-Match, answered 304 while nothing changed;
- `plain-2s`: the poll the room had before, every two seconds, answered in full every time.

The meeting lives in a database of its own (`room_database`), so the synthetic program is left as it is.
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import threading
import time as timer
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from tumorboard.auth.models import User
from tumorboard.benchmarks.load import SERVERS, Physician, gunicorn, state_url
from tumorboard.benchmarks.run import percentile
from tumorboard.cases.models import Case, Patient
from tumorboard.conferences.models import (
    Conference,
    ConferenceSeries,
    SeriesMember,
    SeriesRequiredSpecialty,
    SeriesSiteGroup,
)
from tumorboard.extensions import db
from tumorboard.room.models import Attendance, ConsensusPlan, Presentation, Vote
from tumorboard.vocab import (
    COC_REQUIRED_SPECIALTIES,
    CaseStatus,
    ConferenceStatus,
    PresentationStatus,
    Role,
    Sex,
    SiteGroup,
    VoteChoice,
)

PASSWORD = "room-bench-password"
MARKER = re.compile(r"m(\d+)-(\d+)")
MECHANISMS = {"conditional": (1.5, True), "plain-2s": (2.0, False)}  # name: (seconds between polls, If-None-Match)
VOTE_EVERY = (3.0, 9.0)  # seconds between one voter's votes
QUIET_END = 3.0  # the last seconds: screens poll, nobody votes (so that the last votes can reach every screen)


@dataclass(frozen=True)
class SyncRun:
    """One mechanism's figures."""

    mechanism: str
    screens: int
    voters: int
    seconds: float
    polls: int
    not_modified: int
    errors: int
    votes: int
    lost: int
    never_shown: int  # (vote, screen) pairs not shown by the end of the run
    p50: float
    p95: float
    p99: float
    poll_p95: float
    app_cpu: float  # CPU seconds of gunicorn's processes
    database_cpu: float | None  # CPU seconds of the PostgreSQL server's processes
    client_cpu: float


def room_database(url: str) -> str:
    """A fresh database beside `url` for the meeting: `<file>-room.db` for SQLite, `<name>_room` on the same
    PostgreSQL server (dropped and created again)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "instance/bench.db")
        room = path.with_name(f"{path.stem}-room.db")
        for leftover in (room, room.with_name(room.name + "-wal"), room.with_name(room.name + "-shm")):
            leftover.unlink(missing_ok=True)
        return parsed.set(database=str(room)).render_as_string(hide_password=False)
    name = f"{parsed.database}_room"
    engine = sa.create_engine(parsed, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def seed_meeting(screens: int, now: datetime) -> dict[str, object]:
    """A meeting that started ten minutes ago: a chair and `screens - 1` physicians checked in, one case under
    discussion with a plan put to the vote (in the app context of the meeting's database)."""
    password_hash = generate_password_hash(PASSWORD)
    specialties = COC_REQUIRED_SPECIALTIES
    people = []
    for n in range(screens):
        user = User(username=f"screen{n:03d}", email=f"screen{n:03d}@bench.example.org", full_name=f"Dr Screen {n:03d}",
                    specialty=specialties[n % len(specialties)], credentials="MD", password_hash=password_hash)
        user.roles = frozenset({Role.PHYSICIAN})
        people.append(user)
    db.session.add_all(people)
    start = now - timedelta(minutes=10)
    series = ConferenceSeries(name="Network virtual breast board", rrule="FREQ=WEEKLY;BYDAY=TU",
                              starts_on=date.today() - timedelta(days=28), start_time=time(7, 0), duration_minutes=120,
                              timezone="UTC")
    series.site_group_rows = [SeriesSiteGroup(site_group=SiteGroup.BREAST)]
    series.required_specialty_rows = [SeriesRequiredSpecialty(specialty=s) for s in specialties]
    conference = Conference(series=series, occurrence_start=start, starts_at=start, duration_minutes=120,
                            status=ConferenceStatus.SCHEDULED)
    db.session.add_all([series, conference])
    db.session.flush()
    db.session.add(SeriesMember(series_id=series.id, user_id=people[0].id, is_chair=True))
    db.session.add_all(
        Attendance(conference_id=conference.id, user_id=p.id, attendee_name=p.full_name, specialty=p.specialty,
                   checked_in_at=start)
        for p in people
    )
    patient = Patient(mrn="BENCH000001", last_name="Synthetic", first_name="Patient", birth_date=date(1960, 5, 17),
                      sex=Sex.FEMALE)
    case = Case(patient=patient, site_group=SiteGroup.BREAST, histology="Invasive ductal carcinoma",
                status=CaseStatus.SCHEDULED, diagnosis_date=date.today() - timedelta(days=20),
                question="Neoadjuvant therapy?")
    db.session.add(case)
    db.session.flush()
    item = Presentation(conference_id=conference.id, case_id=case.id, position=0, presenter_id=people[0].id,
                        status=PresentationStatus.IN_DISCUSSION, started_at=start)
    item.consensus_plan = ConsensusPlan(text="Neoadjuvant chemotherapy, then lumpectomy and radiation", version=1,
                                        vote_opened_at=start)
    db.session.add(item)
    db.session.commit()
    return {"conference": conference.id, "item": item.id, "usernames": [p.username for p in people]}


def run_room_sync(database_url: str, subjects: dict[str, object], voters: int, seconds: float, work_dir: Path,
                  vote_every: tuple[float, float] = VOTE_EVERY) -> list[SyncRun]:
    """Sign every screen in once, then run each mechanism for `seconds` on the same gunicorn (4 workers)."""
    case = f"/room/{subjects['conference']}/case/{subjects['item']}"
    usernames = list(subjects["usernames"])
    with gunicorn(database_url, work_dir / "room-gunicorn.log") as base:
        browsers = [Physician(base, name, PASSWORD) for name in usernames]
        forms = _sign_in_all(browsers, case)
        runs = []
        for number, mechanism in enumerate(MECHANISMS):
            runs.append(_one_run(base, browsers, forms, case, voters, seconds, mechanism, number, vote_every))
    return runs


def _sign_in_all(browsers: list[Physician], case: str) -> list[tuple[str, str]]:
    """Sign in (ten at a time: a room fills over minutes, not in one instant) and open the case: its CSRF token and
    the plan version the page shows."""
    forms: list[tuple[str, str] | None] = [None] * len(browsers)

    def open_one(n: int) -> None:
        browser = browsers[n]
        browser.sign_in()
        forms[n] = (browser.token(case), browser.plan_version(case))

    for first in range(0, len(browsers), 10):
        threads = [threading.Thread(target=open_one, args=(n,)) for n in range(first, min(first + 10, len(browsers)))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    if any(form is None for form in forms):
        raise RuntimeError("a screen could not sign in and open the case")
    return forms  # type: ignore[return-value]


def _one_run(base: str, browsers: list[Physician], forms: list[tuple[str, str]], case: str, voters: int,
             seconds: float, mechanism: str, number: int, vote_every: tuple[float, float]) -> SyncRun:
    every, conditional = MECHANISMS[mechanism]
    poll_url = base + state_url(case)
    lock = threading.Lock()
    cast: list[tuple[int, int, float]] = []  # (voter, n, answered at)
    last: dict[str, tuple[VoteChoice, str]] = {}
    polls, not_modified, errors, poll_times = [0], [0], [0], []
    seen: list[dict[int, list[tuple[int, float]]]] = [{} for _ in browsers]  # screen -> voter -> (newest n, when)
    began = timer.monotonic()
    stop_voting, deadline = began + seconds - QUIET_END, began + seconds

    def screen(n: int) -> None:
        rng = random.Random(number * 10_000 + n)
        browser, etag, count = browsers[n], None, number * 100_000  # no marker of an earlier run comes back
        next_vote = began + rng.uniform(*vote_every) if n < voters else float("inf")
        timer.sleep(rng.uniform(0, every))  # screens opened one by one poll at moments spread over a period
        while timer.monotonic() < deadline:
            started = timer.monotonic()
            if started >= next_vote and started < stop_voting:
                count += 1
                choice = rng.choice(list(VoteChoice))
                comment = f"m{n}-{count}"
                token, version = forms[n]
                try:  # the vote is committed when its answer (a redirect) arrives; then the page, as a browser does
                    status, then = browser.post_once(f"{case}/vote", token, choice=choice.value, comment=comment,
                                                     plan_version=version)
                    answered = timer.monotonic()
                    ok = status == 302 and bool(browser.get(then.removeprefix(base)))
                except (urllib.error.URLError, OSError):
                    ok = False
                with lock:
                    if ok:
                        cast.append((n, count, answered))
                        last[browser.username] = (choice, comment)
                    else:
                        errors[0] += 1
                next_vote = timer.monotonic() + rng.uniform(*vote_every)
            etag = _poll(browser, poll_url, etag if conditional else None, seen[n], lock, polls, not_modified,
                         errors, poll_times)
            timer.sleep(max(0.0, every - (timer.monotonic() - started)))

    app_before, database_before = _app_cpu(base), _database_cpu()
    client_before = _client_cpu()
    threads = [threading.Thread(target=screen, args=(n,)) for n in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    elapsed = timer.monotonic() - began
    database_after = _database_cpu()
    lost = _lost(last)
    delays, never = [], 0
    for voter, n, answered in cast:
        for screen_seen in seen:
            when = next((t for newest, t in screen_seen.get(voter, []) if newest >= n), None)
            if when is None:
                never += 1
            else:
                delays.append(max(0.0, when - answered))
    return SyncRun(
        mechanism, len(browsers), voters, elapsed, polls[0], not_modified[0], errors[0], len(cast), lost, never,
        percentile(delays, 0.5), percentile(delays, 0.95), percentile(delays, 0.99), percentile(poll_times, 0.95),
        _app_cpu(base) - app_before,
        None if database_before is None or database_after is None else database_after - database_before,
        _client_cpu() - client_before,
    )


def _poll(browser: Physician, url: str, etag: str | None, seen: dict[int, list[tuple[int, float]]],
          lock: threading.Lock, polls: list[int], not_modified: list[int], errors: list[int],
          poll_times: list[float]) -> str | None:
    """One poll of the room's state; notes the newest comment of each voter it shows. Returns the ETag to send next."""
    request = urllib.request.Request(url, headers={"If-None-Match": etag} if etag else {})  # noqa: S310 (our server)
    started = timer.perf_counter()
    try:
        with browser.opener.open(request, timeout=60) as response:  # nosec B310
            body, etag = response.read(), response.headers.get("ETag")
    except urllib.error.HTTPError as error:
        ok = error.code == 304
        with lock:
            polls[0] += 1
            not_modified[0] += ok
            errors[0] += not ok
            poll_times.append(timer.perf_counter() - started)
        return etag
    except (urllib.error.URLError, OSError):
        with lock:
            polls[0] += 1
            errors[0] += 1
        return etag
    arrived = timer.monotonic()
    newest: dict[int, int] = {}
    for voter, n in MARKER.findall(json.loads(body)["fragments"].get("comments", "")):
        newest[int(voter)] = max(newest.get(int(voter), 0), int(n))
    with lock:
        polls[0] += 1
        poll_times.append(timer.perf_counter() - started)
    for voter, n in newest.items():
        history = seen.setdefault(voter, [])
        if not history or history[-1][0] < n:
            history.append((n, arrived))
    return etag


def _lost(last: dict[str, tuple[VoteChoice, str]]) -> int:
    """Votes whose answer said counted but whose row holds something else."""
    db.session.rollback()
    stored = {
        name: (choice, comment)
        for name, choice, comment in db.session.execute(
            sa.select(User.username, Vote.choice, Vote.comment).join(Vote, Vote.voter_id == User.id)
        )
    }
    return sum(1 for name, vote in last.items() if stored.get(name) != vote)


def _cpu_of(pids: list[int]) -> float:
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def _processes(match: object) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if match(stat):  # type: ignore[operator]
                pids.append(int(entry.name))
    return pids


def _app_cpu(base: str) -> float:
    group = SERVERS[base].pid  # gunicorn's master leads its own process group
    return _cpu_of(_processes(lambda stat: int(stat.rsplit(")", 1)[1].split()[2]) == group))


def _database_cpu() -> float | None:
    if db.engine.dialect.name != "postgresql":
        return None
    return _cpu_of(_processes(lambda stat: "(postgres)" in stat))


def _client_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def render_room_sync(runs: list[SyncRun], database: str, when: datetime | None = None) -> str:
    """The markdown table of a run, for docs/performance.md."""
    when = when or datetime.now(UTC)
    lines = [
        f"Run: {when:%Y-%m-%d}; {database}; {runs[0].screens} screens on one case, {runs[0].voters} of them voting "
        f"every {VOTE_EVERY[0]:.0f}-{VOTE_EVERY[1]:.0f} s; gunicorn, 4 workers; {os.cpu_count()} CPUs shared by "
        "the server, the database and the screens.",
        "",
        "| mechanism | polls | 304 | errors | votes | lost | not shown | change to every screen p50 | p95 | p99 "
        "| poll p95 | app CPU | database CPU | screens' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        database_cpu = f"{r.database_cpu / r.seconds:.0%}" if r.database_cpu is not None else "in process"
        lines.append(
            f"| {r.mechanism} | {r.polls:,} | {r.not_modified:,} | {r.errors} | {r.votes:,} | **{r.lost}** | "
            f"{r.never_shown} | {r.p50:.2f} s | **{r.p95:.2f} s** | {r.p99:.2f} s | {r.poll_p95 * 1000:.1f} ms | "
            f"{r.app_cpu / r.seconds:.0%} | {database_cpu} | {r.client_cpu / r.seconds:.0%} |"
        )
    lines += ["", "CPU is a share of one core over the run (200% is both cores)."]
    return "\n".join(lines) + "\n"
