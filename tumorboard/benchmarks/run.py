"""The benchmarks of docs/performance.md: medians of several runs, each beside a floor measured in the same run.

Pages go through the app behind a threaded HTTP server in this process, as does their floor, a bare route
returning a constant, requested in turn with each page so that both see the same machine. Work that writes
(letters, the log import) runs in a transaction that is rolled back, so the benchmark database stays as
seeded and runs can be repeated. The load test needs PostgreSQL and gunicorn.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import logging
import os
import platform
import random
import resource
import statistics
import subprocess  # nosec B404 (the first request after start runs in a process of its own)
import sys
import threading
import time as timer
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph, SimpleDocTemplate
from werkzeug.serving import make_server

from tumorboard.audit.models import AuditSubject
from tumorboard.auth.models import User, UserRole
from tumorboard.benchmarks.load import Physician, gunicorn, state_url
from tumorboard.benchmarks.synthetic import SYNTHETIC_PASSWORD
from tumorboard.cases.importer import check_rows, read_table
from tumorboard.cases.models import Case, Patient
from tumorboard.cases.operations import import_cases, import_context
from tumorboard.conferences.models import Conference, ConferenceSeries
from tumorboard.db import utcnow
from tumorboard.domain import Actor
from tumorboard.extensions import db
from tumorboard.letters.operations import issue_letter, render
from tumorboard.program.settings import program_settings, program_today, program_zone
from tumorboard.reports.conference_log import PRESENTATION_COLUMNS, check_log
from tumorboard.reports.freshness import report_cache
from tumorboard.reports.operations import import_log, log_context
from tumorboard.room.models import Attendance, ConsensusPlan, Presentation, Vote
from tumorboard.room.operations import is_chair
from tumorboard.vocab import ConferenceStatus, LetterKind, PresentationStatus, Role, VoteChoice
from tumorboard.web.access import public


@dataclass(frozen=True)
class Result:
    """One benchmark: its median time, its floor's, and its target."""

    name: str
    seconds: float
    floor: str = ""
    floor_seconds: float | None = None
    target: str = ""
    met: bool | None = None

    @property
    def ratio(self) -> float | None:
        """How many floors the benchmark takes."""
        return self.seconds / self.floor_seconds if self.floor_seconds else None


@dataclass(frozen=True)
class Statements:
    """SQL statements one page sent, and how many rows it matched."""

    page: str
    rows: int
    statements: int


@dataclass(frozen=True)
class Load:
    """The concurrent load test."""

    physicians: int
    seconds: int
    requests: int
    throughput: float
    p50: float
    p95: float
    p99: float
    errors: int
    votes_lost: int
    by_page: dict[str, tuple[int, float]] = field(default_factory=dict)  # kind -> (requests, p95)


@dataclass
class BenchReport:
    """Everything one run measured."""

    machine: dict[str, str]
    results: list[Result] = field(default_factory=list)
    statements: list[Statements] = field(default_factory=list)
    load: Load | None = None
    load_note: str = ""
    peak_rss_mb: float = 0.0


def median_seconds(work: Callable[[], object], runs: int) -> float:
    """The median wall time of `runs` calls (after one warm-up call)."""
    work()
    times = []
    for _ in range(runs):
        began = timer.perf_counter()
        work()
        times.append(timer.perf_counter() - began)
    return statistics.median(times)


def median_pair(work: Callable[[], object], floor: Callable[[], object], runs: int) -> tuple[float, float]:
    """The median wall times of `work` and of its `floor`, called in turn (after a warm-up of each): drift on a shared
    machine then moves both alike."""
    work(), floor()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for call, kept in ((work, times[0]), (floor, times[1])):
            began = timer.perf_counter()
            call()
            kept.append(timer.perf_counter() - began)
    return statistics.median(times[0]), statistics.median(times[1])


def bench_app(config: dict[str, object]) -> Flask:
    """A fresh app on the same database with a bare floor route (routes can only be added before the first request)."""
    from tumorboard import create_app

    app = create_app(config)
    app.add_url_rule("/_bench/floor", "bench_floor", public(lambda: "ok"))
    gc.freeze()  # as wsgi.py does once the app is built
    return app


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """The app behind a threaded HTTP server on a free port, for the length of the block (werkzeug's request lines
    silenced meanwhile, and only meanwhile: the process's logging is as it was afterwards)."""
    requests_log = logging.getLogger("werkzeug")
    level = requests_log.level
    requests_log.setLevel(logging.WARNING)  # no line per benchmark request
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        requests_log.setLevel(level)


def run_benchmarks(
    config: dict[str, object],
    runs: int = 5,
    letters: int = 1_000,
    log_rows: int = 10_000,
    load_seconds: int = 60,
    load_physicians: int = 50,
    work_dir: Path | None = None,
) -> BenchReport:
    """Run every benchmark against the database in `config` (seeded by `seed-synthetic`)."""
    app = bench_app(config)
    with app.app_context():
        try:
            return _run(app, config, runs, letters, log_rows, load_seconds, load_physicians, work_dir)
        finally:
            db.session.remove()
            db.engine.dispose()  # this app's own connection pool: closed, not left to the garbage collector


def _run(
    app: Flask,
    config: dict[str, object],
    runs: int,
    letters: int,
    log_rows: int,
    load_seconds: int,
    load_physicians: int,
    work_dir: Path | None,
) -> BenchReport:
    with serving(app) as base:
        report = BenchReport(machine=_machine())
        subjects = _subjects()
        coordinator = Physician(base, subjects["coordinator"], SYNTHETIC_PASSWORD)
        physician = Physician(base, subjects["voter"], SYNTHETIC_PASSWORD)
        chair = Physician(base, subjects["chair"], SYNTHETIC_PASSWORD)
        for browser in (coordinator, physician, chair):
            browser.sign_in()
        page = lambda browser, url: lambda: browser.get(url)  # noqa: E731

        year = program_today().year - 1
        report_floor = median_seconds(lambda: _report_floor(year), runs)
        report_url = f"/reports/{year}/report.json"
        report.results += [
            Result(
                f"Accreditation report {year} (JSON), first request after start",
                _first_request_after_start(config, subjects["coordinator"], report_url),
                "",
                None,
                "< 1 s",
            ),
            Result(
                f"Accreditation report {year} (JSON), first request after a change",
                median_seconds(lambda: (report_cache().clear(), coordinator.get(report_url)), runs),
                "raw fetch of the measures' rows (driver only)",
                report_floor,
                "< 1 s and < 3x floor",
            ),
            Result(
                f"Accreditation report {year} (JSON), data unchanged",
                median_seconds(page(coordinator, report_url), runs),
                "raw fetch of the measures' rows (driver only)",
                report_floor,
                "< 1 s and < 3x floor",
            ),
        ]
        room, item = subjects["live_conference"], subjects["live_item"]
        pages = [
            ("Queue page (all cases, 50 a page)", coordinator, "/cases/?status=any"),
            ("Agenda page, 30 cases", coordinator, f"/conferences/{subjects['agenda']}"),
            ("Case page, 10 presentations", coordinator, f"/cases/{subjects['case_ten']}"),
            ("Live conference page", physician, f"/room/{room}"),
            ("Live case page, a physician voting", physician, f"/room/{room}/case/{item}"),
            ("Live case page, the chair (every form)", chair, f"/room/{room}/case/{item}"),
            ("Room state poll (JSON)", physician, f"/room/{room}/state.json?case={item}"),
            ("Series calendar feed", coordinator, f"/calendar/s/{subjects['series_token']}.ics"),
            ("Personal calendar feed", coordinator, f"/calendar/u/{subjects['token']}.ics"),
        ]
        for name, browser, url in pages:
            target = "< 200 ms" if "calendar" in name else "< 10x floor"
            seconds, floor = median_pair(page(browser, url), page(browser, "/_bench/floor"), runs)
            report.results.append(Result(name, seconds, "bare Flask route, same server, in turn", floor, target))

        report.peak_rss_mb = (
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        )  # serving the pages and the report
        presentation = db.session.get(Presentation, subjects["finalized"])
        pdf_floor = median_seconds(_one_page_pdf, runs)
        report.results.append(
            Result(
                "One plan letter PDF",
                median_seconds(lambda: render(presentation, LetterKind.REFERRER, date.today()), runs),
                "one-page reportlab PDF, same fonts",
                pdf_floor,
                "< 100 ms",
            )
        )
        report.results.append(
            Result(f"{letters:,} letters issued in a batch", _issue_letters(letters), "", None, "< 60 s")
        )
        # Issue 23 sets the imports' target on SQLite, the embedded database; PostgreSQL's figures are for comparison.
        import_target = "< 1 s" if db.engine.dialect.name == "sqlite" else "none (SQLite's: < 1 s)"
        report.results.append(
            Result(f"Import of a {log_rows:,}-row conference log", _import_log(log_rows), "", None, import_target)
        )
        report.results.append(
            Result(f"Import of {log_rows:,} cases", _import_cases(log_rows), "", None, import_target)
        )
        report.statements = _statement_counts(coordinator, physician, subjects, year)
        report.results = [_judge(result) for result in report.results]
        if db.engine.dialect.name != "postgresql":
            report.load_note = "The load test runs on PostgreSQL (DATABASE_URL=postgresql+psycopg://... make bench)."
        elif load_seconds > 0:
            report.load = _load(
                db.engine.url.render_as_string(hide_password=False),
                subjects,
                load_seconds,
                load_physicians,
                work_dir or Path(str(config["REPORTS_DIR"])),
            )
    return report


def _first_request_after_start(config: dict[str, object], username: str, url: str) -> float:
    """The report's first request in a new process: the app built, one sign-in, then the report (its SQL compiled and
    its code run for the first time), timed once (issue 23)."""
    code = "from tumorboard.benchmarks.run import first_request; first_request()"
    arguments = [sys.executable, "-c", code, json.dumps(config), username, url]
    done = subprocess.run(arguments, capture_output=True, text=True, check=True, timeout=300)  # nosec B603
    return float(done.stdout.split()[-1])


def first_request() -> None:
    """In the new process of `_first_request_after_start`: print the seconds the first report request took."""
    config, username, url = json.loads(sys.argv[1]), sys.argv[2], sys.argv[3]
    app = bench_app(config)
    with app.app_context(), serving(app) as base:
        browser = Physician(base, username, SYNTHETIC_PASSWORD)
        browser.sign_in()
        began = timer.perf_counter()
        browser.get(url)
        print(timer.perf_counter() - began)  # the parent reads it
        db.session.remove()
        db.engine.dispose()


def _subjects() -> dict[str, object]:
    """The rows the benchmarks open, found in the synthetic program (and a calendar token, set once)."""
    coordinator, auditor = (db.session.scalar(
        sa.select(User.username).join(UserRole).where(UserRole.role == role).order_by(User.id)
    ) for role in (Role.COORDINATOR, Role.AUDITOR))
    now = utcnow()
    live = db.session.scalar(
        sa.select(Presentation)
        .where(Presentation.status == PresentationStatus.IN_DISCUSSION)
        .join(Conference)
        .where(Conference.starts_at <= now)
        .order_by(Conference.starts_at.desc())
    )
    if coordinator is None or live is None:
        raise RuntimeError("Seed the database first: flask --app tumorboard seed-synthetic")
    attendees = db.session.scalars(
        sa.select(User)
        .join(Attendance, Attendance.user_id == User.id)
        .where(Attendance.conference_id == live.conference_id)
        .order_by(User.id)
    ).all()
    voters = [user.username for user in attendees]
    agenda = db.session.scalar(
        sa.select(Presentation.conference_id)
        .join(Conference)
        .where(Conference.status == ConferenceStatus.SCHEDULED, Conference.starts_at > now)
        .group_by(Presentation.conference_id)
        .order_by(sa.func.count().desc())
        .limit(1)
    )
    case_ten = db.session.scalar(
        sa.select(Presentation.case_id).group_by(Presentation.case_id).order_by(sa.func.count().desc()).limit(1)
    )
    finalized = db.session.scalar(
        sa.select(ConsensusPlan.presentation_id)
        .where(ConsensusPlan.final_plan != "")
        .order_by(ConsensusPlan.id.desc())
        .limit(1)
    )
    conference = db.session.get(Conference, live.conference_id)
    voter = next(user.username for user in attendees if not is_chair(user, conference))
    chair = db.session.scalar(sa.select(User.username).where(User.id == conference.chair_id))
    user = attendees[0]
    series = db.session.get(ConferenceSeries, 1)
    if not user.calendar_token or not series.feed_token:
        user.calendar_token = user.calendar_token or "bench" + "0" * 27
        series.feed_token = series.feed_token or "bench-series" + "0" * 20
        db.session.commit()
    return {
        "coordinator": coordinator,
        "auditor": auditor,
        "voter": voter,
        "chair": chair,
        "voters": voters,
        "live_conference": live.conference_id,
        "live_item": live.id,
        "agenda": agenda,
        "case_ten": case_ten,
        "finalized": finalized,
        "series_token": series.feed_token,
        "token": user.calendar_token,
    }


RAW_FETCH = (  # the rows the measures need, written by hand: the year's presentations at held conferences
    "SELECT p.conference_id, p.case_id, c.site_group, c.analytic, p.status, p.track, p.prospective, f.starts_at "
    "FROM presentations p JOIN conferences f ON p.conference_id = f.id JOIN cases c ON p.case_id = c.id "
    "WHERE f.status = 'held' AND f.starts_at >= {marker} AND f.starts_at < {marker}"
)


def _report_floor(year: int) -> int:
    """The raw fetch of the rows the report's measures read (issue 23): the year's presentations with their case's
    site group and analytic flag, the prospective flag and the conference's start, executed and fetched with the
    database driver alone (no SQLAlchemy rows, no pandas). Returns the number of rows."""
    zone = program_zone()
    begin, end = (datetime.combine(date(y, 1, 1), time(0), zone).astimezone(UTC) for y in (year, year + 1))
    sqlite = db.engine.dialect.name == "sqlite"
    bounds = [moment.replace(tzinfo=None).isoformat(" ", "microseconds") if sqlite else moment
              for moment in (begin, end)]
    cursor = db.session.connection().connection.cursor()  # the DBAPI cursor
    try:
        cursor.execute(RAW_FETCH.format(marker="?" if sqlite else "%s"), bounds)
        return len(cursor.fetchall())
    finally:
        cursor.close()


def _one_page_pdf() -> bytes:
    buffer = io.BytesIO()
    styles = getSampleStyleSheet()
    SimpleDocTemplate(buffer, pagesize=letter, invariant=1).build(
        [Paragraph("Riverside Regional Cancer Center", styles["Title"])]
        + [Paragraph("Recommendation text. " * 20, styles["BodyText"])] * 6
    )
    return buffer.getvalue()


def _issue_letters(count: int) -> float:
    """Issue the referrer letter of `count` finalized plans in one transaction, timed once, then roll back."""
    rows = db.session.execute(
        sa.select(Presentation, User)
        .select_from(Presentation)
        .join(ConsensusPlan, ConsensusPlan.presentation_id == Presentation.id)
        .join(Case, Presentation.case_id == Case.id)
        .join(User, Case.managing_physician_id == User.id)
        .where(ConsensusPlan.final_plan != "")
        .order_by(Presentation.id.desc())
        .limit(count)
    ).all()
    now, today = utcnow(), date.today()
    began = timer.perf_counter()
    try:
        for presentation, signer in rows:
            issue_letter(Actor(signer, None, now), presentation, LetterKind.REFERRER, today)
        db.session.flush()
        return timer.perf_counter() - began
    finally:
        db.session.rollback()


def _import_log(count: int) -> float:
    """Check and import a conference log of `count` new presentations (one series, weekly dates), then roll back."""
    name = db.session.scalar(sa.select(ConferenceSeries.name).order_by(ConferenceSeries.id).limit(1))
    rng = random.Random(1)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(PRESENTATION_COLUMNS)
    first = date.today() - timedelta(days=7 * 400)
    # On Sundays: the synthetic series meet on weekdays, so the log's conferences are new ones, whatever today is
    # (on a Monday they were the first series' own meetings, some of them cancelled: the check refused them).
    first -= timedelta(days=(first.weekday() + 1) % 7)
    for n in range(count):
        writer.writerow(
            [
                (first + timedelta(days=7 * (n // 25))).isoformat(),
                name,
                f"L{n:09d}",
                "Imported",
                "Pat",
                "1960-01-01",
                "breast",
                "yes",
                rng.choice(("yes", "no")),
                "yes",
                "yes",
                "no",
            ]
        )
    content = buffer.getvalue().encode()
    began = timer.perf_counter()
    try:
        rows = read_table(content, "log.csv")
        context = log_context(rows, [], program_today(), program_settings().mrn_pattern, program_zone())
        check = check_log(rows, None, context)
        if check.problems:
            raise RuntimeError(f"the benchmark log has problems: {check.problems[:3]}")
        import_log(Actor(None, None, utcnow()), check, program_zone())
        db.session.flush()
        return timer.perf_counter() - began
    finally:
        db.session.rollback()


def _import_cases(count: int) -> float:
    """Check and import `count` new submitted cases from a CSV (read, check, write), then roll back."""
    physician = db.session.scalar(
        sa.select(User.username).join(UserRole).where(UserRole.role == Role.PHYSICIAN).order_by(User.id).limit(1)
    )
    diagnosed = (date.today() - timedelta(days=30)).isoformat()
    columns = {
        "mrn": None, "last_name": "Imported", "first_name": "Pat", "birth_date": "1960-01-01", "sex": "female",
        "site_group": "breast", "histology": "Invasive ductal carcinoma", "diagnosis_date": diagnosed,
        "question": "Adjuvant therapy?", "status": "submitted", "biomarkers": "ER = positive; HER2 = negative",
        "ajcc_edition": "8", "clinical_t": "cT2", "clinical_n": "cN0", "clinical_m": "cM0", "clinical_stage": "IIA",
        "ecog": "1", "imaging_to_review": "MRI breast", "pathology_to_review": "Core biopsy",
        "presenting_physician": physician, "managing_physician": physician, "referring_name": "Dr Linda Park",
    }
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for n in range(count):
        writer.writerow([f"I{n:09d}" if value is None else value for value in columns.values()])
    content = buffer.getvalue().encode()
    began = timer.perf_counter()
    try:
        rows = read_table(content, "cases.csv")
        context = import_context({row["mrn"] for row in rows}, program_today(), program_settings().mrn_pattern)
        check = check_rows(rows, context)
        if check.problems:
            raise RuntimeError(f"the benchmark cases have problems: {check.problems[:3]}")
        import_cases(Actor(None, None, utcnow()), check.to_create)
        db.session.flush()
        return timer.perf_counter() - began
    finally:
        db.session.rollback()


def _statement_counts(
    coordinator: Physician, physician: Physician, subjects: dict[str, object], year: int
) -> list[Statements]:
    """Statements per page for few and many matching rows: they must be the same."""
    counts: list[Statements] = []

    def count(name: str, browser: Physician, url: str, rows: int, posted: dict[str, str] | None = None) -> None:
        send = (lambda: browser.post(url, token, **posted)) if posted is not None else lambda: browser.get(url)
        token = browser.token("/cases/find") if posted is not None else ""
        send()  # warm: the signed-in user is loaded once per session
        report_cache().clear()  # a report computed, not served again
        seen = [0]
        listener = lambda *_: seen.__setitem__(0, seen[0] + 1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            send()
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        counts.append(Statements(name, rows, seen[0]))

    days = db.session.scalars(
        sa.select(sa.func.date(Case.submitted_at)).where(Case.submitted_at.is_not(None)).order_by(Case.submitted_at)
    ).all()
    for wanted in (10, 1_000):
        if len(days) > wanted:
            begin, end = str(days[0])[:10], str(days[wanted - 1])[:10]
            matched = sum(1 for day in days if begin <= str(day)[:10] <= end)
            count(
                "Queue (status any, by submission dates)",
                coordinator,
                f"/cases/?status=any&submitted_from={begin}&submitted_to={end}",
                matched,
            )
    first_year = db.session.scalar(sa.select(sa.func.min(Conference.starts_at)))
    for report_year in sorted({first_year.astimezone(program_zone()).year, year}):
        rows = db.session.scalar(
            sa.select(sa.func.count(Presentation.id))
            .join(Conference)
            .where(Conference.status == ConferenceStatus.HELD, sa.extract("year", Conference.starts_at) == report_year)
        )
        count(f"Accreditation report {report_year}", coordinator, f"/reports/{report_year}/report.json", rows)
    for conference_id, label in (
        (subjects["live_conference"], "Live conference page"),
        (subjects["agenda"], "Agenda page"),
    ):
        rows = db.session.scalar(
            sa.select(sa.func.count(Presentation.id)).where(Presentation.conference_id == conference_id)
        )
        count(
            label,
            physician if label.startswith("Live") else coordinator,
            f"/{'room' if label.startswith('Live') else 'conferences'}/{conference_id}",
            rows,
        )
    one = db.session.get(Case, subjects["case_ten"])
    mrn = db.session.scalar(sa.select(Patient.mrn).where(Patient.id == one.patient_id))
    common = db.session.execute(
        sa.select(Patient.last_name, sa.func.count()).group_by(Patient.last_name).order_by(sa.func.count().desc())
    ).first()
    count("Find a patient (MRN)", coordinator, "/cases/find", 1, {"q": mrn})
    count("Find a patient (a common name)", coordinator, "/cases/find", common[1], {"q": common[0]})
    auditor = Physician(coordinator.base, subjects["auditor"], SYNTHETIC_PASSWORD)
    auditor.sign_in()
    seen_most, seen_least = (db.session.execute(
        sa.select(AuditSubject.patient_id, sa.func.count()).group_by(AuditSubject.patient_id).order_by(order).limit(1)
    ).one() for order in (sa.func.count().desc(), sa.func.count()))
    for patient_id, entries in (seen_least, seen_most):
        count("Audit log of one patient", auditor, f"/audit/?patient_id={patient_id}", entries)
    return counts


def _judge(result: Result) -> Result:
    """Whether a result meets its target."""
    met = None
    if result.target.startswith("< 1 s"):
        met = result.seconds < 1 and (result.ratio or 0) < 3
    elif result.target == "< 10x floor":
        met = (result.ratio or 0) <= 10
    elif result.target.endswith("ms"):
        met = result.seconds * 1000 < float(result.target.split()[1])
    elif result.target.endswith(" s"):
        met = result.seconds < float(result.target.split()[1])
    return Result(result.name, result.seconds, result.floor, result.floor_seconds, result.target, met)


WARM_UP = 10.0  # seconds of load before the counted ones (a sixth of a shorter run)
POLL_SECONDS = 2.0  # the live case page polls the tally this often


def _load(database_url: str, subjects: dict[str, object], seconds: int, physicians: int, work_dir: Path) -> Load:
    """For `seconds`: `physicians` signed-in physicians poll the tally every 2 s, vote now and then and reopen the case;
    a coordinator walks the queue, the agenda and a case page; /healthz (one SELECT 1) is sampled as the floor.

    Everybody signs in first (a burst of scrypt, its own line). The physicians' screens then start polling at moments
    spread over one poll period, as screens opened one by one do, and the first WARM_UP seconds are not counted: each
    gunicorn worker compiles a page's template and SQL on its first request of that page (about 60 ms once per process),
    as the in-process benchmarks' warm-up run does."""
    voters = list(subjects["voters"])[:physicians]
    case = f"/room/{subjects['live_conference']}/case/{subjects['live_item']}"
    rounds = [
        ("Queue page", "/cases/?status=any"),
        ("Agenda page", f"/conferences/{subjects['agenda']}"),
        ("Case page", f"/cases/{subjects['case_ten']}"),
        ("Live conference page", f"/room/{subjects['live_conference']}"),
    ]
    latencies: dict[str, list[float]] = {}
    errors = [0]
    last: dict[str, VoteChoice] = {}
    lock = threading.Lock()

    # Set once everybody is signed in: when the counted `seconds` begin, and when they end.
    counted, deadline = [float("inf")], [0.0]

    def timed(kind: str, request: Callable[[], bool], always: bool = False) -> bool:
        began = timer.perf_counter()
        try:
            ok = request()
        except Exception:  # noqa: BLE001  (an error of the app under load is counted, not raised)
            ok = False
        if always or timer.monotonic() >= counted[0]:
            with lock:
                latencies.setdefault(kind, []).append(timer.perf_counter() - began)
                errors[0] += not ok
        return ok

    def start_the_clock() -> None:
        counted[0] = timer.monotonic() + min(WARM_UP, seconds / 6)
        deadline[0] = counted[0] + seconds

    with gunicorn(database_url, work_dir / "bench-gunicorn.log") as base:
        everybody_in = threading.Barrier(len(voters) + 2, action=start_the_clock)

        def running() -> bool:
            return timer.monotonic() < deadline[0]

        def physician(username: str, seed: int) -> None:
            rng = random.Random(seed)
            browser = Physician(base, username, SYNTHETIC_PASSWORD)
            tokens: list[str] = []
            versions: list[str] = []
            signed_in = timed(
                "Sign in and open the case",
                lambda: (
                    browser.sign_in(), tokens.append(browser.token(case)), versions.append(browser.plan_version(case))
                )
                and True,
                always=True,
            )
            everybody_in.wait(timeout=600)
            if not signed_in:
                return
            token = tokens[0]
            timer.sleep(rng.uniform(0.0, POLL_SECONDS))
            while running():
                began, draw = timer.perf_counter(), rng.random()
                if draw < 0.15:
                    choice = rng.choice(list(VoteChoice))
                    if timed(
                        "Vote",
                        lambda choice=choice: (
                            browser.post(
                                f"{case}/vote", token, choice=choice.value, comment="load", plan_version=versions[0]
                            )
                            == 200
                        ),
                    ):
                        with lock:
                            last[username] = choice
                elif draw < 0.25:
                    timed("Live case page", lambda: bool(browser.get(case)))
                else:
                    timed("Room state poll", lambda: bool(browser.get(state_url(case))))
                timer.sleep(
                    max(0.0, rng.uniform(POLL_SECONDS - 0.5, POLL_SECONDS + 0.5) - (timer.perf_counter() - began))
                )

        def coordinator() -> None:
            browser = Physician(base, str(subjects["coordinator"]), SYNTHETIC_PASSWORD)
            browser.sign_in()
            everybody_in.wait(timeout=600)
            while running():
                for kind, url in rounds:
                    timed(kind, lambda url=url: bool(browser.get(url)))
                    timer.sleep(0.25)

        def floor() -> None:
            browser = Physician(base, "", "")
            everybody_in.wait(timeout=600)
            while running():
                timed("Floor: /healthz", lambda: bool(browser.get("/healthz")))
                timer.sleep(0.5)

        threads = [threading.Thread(target=physician, args=(name, n)) for n, name in enumerate(voters)]
        threads += [threading.Thread(target=coordinator), threading.Thread(target=floor)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 600)
        elapsed = timer.monotonic() - counted[0]
    db.session.rollback()
    stored = dict(
        db.session.execute(
            sa.select(User.username, Vote.choice)
            .join(Vote, Vote.voter_id == User.id)
            .where(Vote.presentation_id == subjects["live_item"])
        ).all()
    )
    lost = sum(1 for username, choice in last.items() if stored.get(username) != choice)
    # The overall figures are the steady state: the floor's samples and the opening burst of 50 sign-ins are apart.
    every = [t for kind, times in latencies.items() if not kind.startswith(("Floor", "Sign in")) for t in times]
    by_page = {kind: (len(times), percentile(times, 0.95)) for kind, times in sorted(latencies.items())}
    return Load(
        len(voters),
        seconds,
        len(every),
        len(every) / elapsed,
        percentile(every, 0.5),
        percentile(every, 0.95),
        percentile(every, 0.99),
        errors[0],
        lost,
        by_page,
    )


def percentile(values: list[float], q: float) -> float:
    """The q-quantile of `values` (nearest rank); 0 when there are none."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _machine() -> dict[str, str]:
    engine = db.engine
    version = db.session.scalar(
        sa.text("SELECT sqlite_version()" if engine.dialect.name == "sqlite" else "SHOW server_version")
    )
    presentations = db.session.scalar(sa.select(sa.func.count(Presentation.id)))
    return {
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, {platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "database": f"{engine.dialect.name} {version}",
        "data": f"{presentations:,} presentations, {db.session.scalar(sa.select(sa.func.count(Vote.id))):,} votes",
    }


def render_markdown(report: BenchReport) -> str:
    """The table docs/performance.md keeps."""
    ms = lambda s: f"{s * 1000:,.1f} ms" if s < 1 else f"{s:,.2f} s"  # noqa: E731
    mark = {True: "met", False: "**missed**", None: ""}
    lines = ["| benchmark | median | floor | floor median | ratio | target | |", "|---|---:|---|---:|---:|---|---|"]
    for r in report.results:
        lines.append(
            f"| {r.name} | {ms(r.seconds)} | {r.floor} | {ms(r.floor_seconds) if r.floor_seconds else ''} | "
            f"{f'{r.ratio:.1f}x' if r.ratio else ''} | {r.target} | {mark[r.met]} |"
        )
    lines += ["", "| page | matching rows | SQL statements |", "|---|---:|---:|"]
    lines += [f"| {s.page} | {s.rows:,} | {s.statements} |" for s in report.statements]
    lines += [
        "",
        f"Peak memory of the benchmark process (serving every page and the report): {report.peak_rss_mb:,.0f} MB "
        f"(target < 300 MB).",
    ]
    if report.load:
        load = report.load
        floor_p95 = load.by_page.get("Floor: /healthz", (0, 0.0))[1]
        lines += [
            "",
            f"Load test: {load.physicians} physicians and a coordinator for {load.seconds} s, gunicorn with 4 workers: "
            f"{load.requests:,} requests after signing in, {load.throughput:,.1f} requests/s, latency p50 "
            f"{ms(load.p50)}, p95 {ms(load.p95)}, "
            f"p99 {ms(load.p99)}; errors: {load.errors}; **votes lost: {load.votes_lost}**.",
            "",
            "| under load | requests | p95 | ratio to the floor's p95 | target p95 < 150 ms, <= 10x |",
            "|---|---:|---:|---:|---|",
        ]
        for kind, (count, p95) in load.by_page.items():
            ratio = p95 / floor_p95 if floor_p95 and not kind.startswith("Floor") else None
            met = "" if kind.startswith(("Floor", "Sign in")) else mark[p95 < 0.150 and (ratio or 0) <= 10]
            lines.append(f"| {kind} | {count:,} | {ms(p95)} | {f'{ratio:.1f}x' if ratio else ''} | {met} |")
    elif report.load_note:
        lines += ["", report.load_note]
    machine = "; ".join(f"{k}: {v}" for k, v in report.machine.items())
    return f"Run: {machine}.\n\n" + "\n".join(lines) + "\n"


def write_between_markers(path: Path, table: str, name: str) -> None:
    """Put `table` between the `name` bench markers of `path` (appended with markers when the file has none)."""
    begin, end = f"<!-- bench:{name}:begin -->", f"<!-- bench:{name}:end -->"
    text = path.read_text() if path.exists() else ""
    block = f"{begin}\n{table}{end}"
    if begin in text and end in text:
        text = text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    else:
        text = text + ("\n" if text and not text.endswith("\n") else "") + block + "\n"
    path.write_text(text)
