"""A synthetic program at the scale of a large cancer center, written with bulk inserts (seeded: reproducible).

Large: 300 users, 12 weekly site-specific series, 25 cases a conference, ~8,000 cases and ~15,600
presentations a year, 5 recommendations and 12 votes a presentation. Rows are built year by year and
inserted with executemany in chunks, ids assigned here so no row needs a round trip. Besides history,
it leaves what the benchmarks open: a queue, a 30-case agenda next week, a case presented 10 times,
and a conference meeting now with a vote open.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from tumorboard.auth.models import User, UserRole
from tumorboard.cases.models import Case, Patient
from tumorboard.conferences.models import (
    Conference,
    ConferenceSeries,
    SeriesMember,
    SeriesRequiredSpecialty,
    SeriesSiteGroup,
)
from tumorboard.extensions import db
from tumorboard.program.models import ProgramSettings
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.room.models import Attendance, ConsensusPlan, Presentation, Recommendation, Vote
from tumorboard.vocab import (
    COC_REQUIRED_SPECIALTIES,
    CaseStatus,
    ConferenceStatus,
    Implementation,
    Intent,
    Modality,
    PresentationReason,
    PresentationStatus,
    Role,
    Sex,
    SiteGroup,
    Specialty,
    VoteChoice,
    VoteResult,
)

SYNTHETIC_PASSWORD = "synthetic-bench"
LOAD_TEST_PHYSICIANS = 50  # checked in at the conference meeting now
CHUNK = 5_000
SITES = (
    SiteGroup.BREAST,
    SiteGroup.THORACIC,
    SiteGroup.COLORECTAL,
    SiteGroup.UPPER_GI,
    SiteGroup.HEPATOBILIARY_PANCREAS,
    SiteGroup.PROSTATE,
    SiteGroup.BLADDER_KIDNEY,
    SiteGroup.GYNECOLOGIC,
    SiteGroup.HEAD_NECK,
    SiteGroup.CNS,
    SiteGroup.SKIN_MELANOMA,
    SiteGroup.HEMATOLOGIC,
)
MODALITY = {
    Specialty.SURGERY: Modality.SURGERY,
    Specialty.MEDICAL_ONCOLOGY: Modality.SYSTEMIC_THERAPY,
    Specialty.RADIATION_ONCOLOGY: Modality.RADIATION,
    Specialty.DIAGNOSTIC_RADIOLOGY: Modality.FURTHER_WORKUP,
    Specialty.PATHOLOGY: Modality.OTHER,
}
LAST_NAMES = (
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Tanaka",
    "Haddad",
    "Kowalski",
    "Nguyen",
    "Alvarez",
    "Brennan",
    "Sato",
    "Mensah",
    "Ivanova",
    "Castillo",
    "Fischer",
    "Rossi",
    "Dubois",
    "Novak",
    "Park",
    "Silva",
    "Ahmed",
)
FIRST_NAMES = (
    "Ada",
    "Eva",
    "Luc",
    "Kai",
    "Mara",
    "Omar",
    "Lena",
    "Ravi",
    "Nora",
    "Jon",
    "Ines",
    "Tomas",
    "Aiko",
    "Femi",
    "Rosa",
)


@dataclass(frozen=True)
class Scale:
    """How big the synthetic program is."""

    series: int
    physicians_per_series: int
    cases_per_conference: int
    recommendations: int
    votes: int
    attendees: int
    other_users: int


SCALES = {
    "large": Scale(
        series=12,
        physicians_per_series=24,
        cases_per_conference=25,
        recommendations=5,
        votes=12,
        attendees=15,
        other_users=12,
    ),
    "small": Scale(
        series=2,
        physicians_per_series=8,
        cases_per_conference=6,
        recommendations=3,
        votes=4,
        attendees=6,
        other_users=4,
    ),
}


@dataclass(frozen=True)
class SyntheticSummary:
    """What was written."""

    users: int
    series: int
    conferences: int
    cases: int
    presentations: int
    votes: int


class _Ids:
    """Sequential ids per table, handed out before the rows are written."""

    def __init__(self) -> None:
        self.next: dict[str, int] = {}

    def __call__(self, table: str) -> int:
        self.next[table] = self.next.get(table, 0) + 1
        return self.next[table]


class _Writer:
    """Collects rows per table and writes them in chunks, parents before children."""

    ORDER = (Patient, Case, Conference, Presentation, Attendance, Recommendation, Vote, ConsensusPlan)

    def __init__(self) -> None:
        self.rows: dict[type, list[dict]] = {model: [] for model in self.ORDER}
        self.counts: dict[type, int] = {model: 0 for model in self.ORDER}

    def add(self, model: type, row: dict) -> None:
        self.rows[model].append(row)

    def flush(self) -> None:
        for model in self.ORDER:
            rows = self.rows[model]
            shapes: dict[frozenset[str], list[dict]] = {}
            for row in rows:  # one executemany needs one set of columns
                shapes.setdefault(frozenset(row), []).append(row)
            for same in shapes.values():
                for start in range(0, len(same), CHUNK):
                    db.session.execute(sa.insert(model.__table__), same[start : start + CHUNK])
            self.counts[model] += len(rows)
            rows.clear()


def seed_synthetic(scale_name: str, years: int, now: datetime, zone: ZoneInfo, seed: int = 8000) -> SyntheticSummary:
    """Fill an empty database with `years` of a synthetic program ending now (the caller commits)."""
    scale = SCALES[scale_name]
    rng = random.Random(seed)
    ids = _Ids()
    today = now.astimezone(zone).date()
    password_hash = generate_password_hash(SYNTHETIC_PASSWORD)
    db.session.add(
        ProgramSettings(letterhead_name="Synthetic Comprehensive Cancer Center", letterhead_address="1 Benchmark Way")
    )

    users, physicians = _users(scale, ids, password_hash)
    series_members: list[list[tuple[int, Specialty]]] = []
    for index in range(scale.series):
        members = physicians[index * scale.physicians_per_series : (index + 1) * scale.physicians_per_series]
        series_members.append(members)
        db.session.add(
            ConferenceSeries(
                id=ids("series"),
                name=f"{SITES[index].label} Tumor Board",
                rrule=f"FREQ=WEEKLY;BYDAY={('MO', 'TU', 'WE', 'TH', 'FR')[index % 5]}",
                starts_on=today - timedelta(days=365 * years),
                start_time=time(7 + index % 6),
                duration_minutes=90,
                timezone=zone.key,
                capacity=30,
                minutes_per_case=3,
                weeks_ahead=4,
                site_group_rows=[SeriesSiteGroup(site_group=SITES[index])],
                required_specialty_rows=[SeriesRequiredSpecialty(specialty=s) for s in COC_REQUIRED_SPECIALTIES],
                members=[
                    SeriesMember(user_id=uid, is_chair=position == 0, joined_on=today - timedelta(days=365 * years))
                    for position, (uid, _) in enumerate(members)
                ],
            )
        )
    db.session.flush()

    writer = _Writer()
    first_day = today - timedelta(days=365 * years)
    for index in range(scale.series):
        series_id = index + 1
        weekday = index % 5
        day = first_day + timedelta(days=(weekday - first_day.weekday()) % 7)
        recent: list[tuple[int, date]] = []  # (case id, first presented) of cases that may come back
        held_ids: list[int] = []
        while _start(day, index, zone) <= now:  # held: every meeting before now (today's too, once it began)
            if conference_id := _held_conference(
                writer, ids, rng, scale, series_id, SITES[index], series_members[index], day, index, zone, recent
            ):
                held_ids.append(conference_id)
            day += timedelta(days=7)
            if len(writer.rows[Vote]) > 200_000:
                writer.flush()
        _upcoming(writer, ids, rng, scale, series_id, SITES[index], day, index, zone)
        if index == 0:
            _case_presented_ten_times(writer, ids, rng, SITES[index], series_members[index], held_ids[-10:], zone)
            guests = [p for p in physicians if p not in series_members[index]][
                : LOAD_TEST_PHYSICIANS - len(series_members[index])
            ]
            _meeting_now(writer, ids, rng, series_id, SITES[index], series_members[index], guests, now)
    writer.flush()
    _caseload(writer, today, years)
    db.session.flush()
    _reset_sequences()
    return SyntheticSummary(
        users=len(users),
        series=scale.series,
        conferences=writer.counts[Conference],
        cases=writer.counts[Case],
        presentations=writer.counts[Presentation],
        votes=writer.counts[Vote],
    )


def _users(scale: Scale, ids: _Ids, password_hash: str) -> tuple[list[int], list[tuple[int, Specialty]]]:
    """Physicians (a fifth of each series' members per required specialty) and coordinators, navigators, an admin."""
    rows, roles, physicians = [], [], []
    count = scale.series * scale.physicians_per_series
    for n in range(count):
        specialty = COC_REQUIRED_SPECIALTIES[n % len(COC_REQUIRED_SPECIALTIES)]
        uid = ids("users")
        rows.append(
            {
                "id": uid,
                "username": f"md{n + 1:03d}",
                "email": f"md{n + 1:03d}@synthetic.example.org",
                "full_name": f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {LAST_NAMES[n % len(LAST_NAMES)]} {n + 1}",
                "credentials": "MD",
                "specialty": specialty,
                "password_hash": password_hash,
            }
        )
        roles.append({"user_id": uid, "role": Role.PHYSICIAN})
        physicians.append((uid, specialty))
    for n in range(scale.other_users):
        uid = ids("users")
        role = (Role.COORDINATOR, Role.NAVIGATOR, Role.ADMIN, Role.AUDITOR)[n % 4]
        rows.append(
            {
                "id": uid,
                "username": f"{role.value}{n // 4 + 1}",
                "email": f"{role.value}{n // 4 + 1}@synthetic.example.org",
                "full_name": f"{role.label} {n // 4 + 1}",
                "credentials": "",
                "specialty": Specialty.OTHER,
                "password_hash": password_hash,
            }
        )
        roles.append({"user_id": uid, "role": role})
    db.session.execute(sa.insert(User.__table__), rows)
    db.session.execute(sa.insert(UserRole.__table__), roles)
    return [row["id"] for row in rows], physicians


def _start(day: date, index: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(7 + index % 6), zone)


def _new_case(
    writer: _Writer,
    ids: _Ids,
    rng: random.Random,
    site: SiteGroup,
    status: CaseStatus,
    diagnosed: date,
    presenter: int,
    created: datetime,
) -> int:
    patient_id = ids("patients")
    writer.add(
        Patient,
        {
            "id": patient_id,
            "mrn": f"S{patient_id:09d}",
            "last_name": rng.choice(LAST_NAMES),
            "first_name": rng.choice(FIRST_NAMES),
            "birth_date": date(rng.randint(1935, 1990), rng.randint(1, 12), rng.randint(1, 28)),
            "sex": rng.choice((Sex.FEMALE, Sex.MALE)),
            "created_at": created,
        },
    )
    case_id = ids("cases")
    analytic = rng.random() < 0.9
    writer.add(
        Case,
        {
            "id": case_id,
            "patient_id": patient_id,
            "status": status,
            "site_group": site,
            "histology": "Adenocarcinoma",
            "diagnosis_date": diagnosed,
            "ajcc_edition": 8,
            "clinical_t": "cT2",
            "clinical_n": "cN0",
            "clinical_m": "cM0",
            "clinical_stage": "IIA",
            "ecog": rng.randint(0, 2),
            "question": "Best first treatment?",
            "imaging_to_review": "CT",
            "pathology_to_review": "Biopsy",
            "presenting_physician_id": presenter,
            "managing_physician_id": presenter,
            "referring_name": "Dr. Outside",
            "analytic": analytic,
            "class_of_case": rng.choice(("10", "14", "22")) if analytic else "32",
            "created_at": created,
            "submitted_at": created,
        },
    )
    return case_id


def _held_conference(
    writer: _Writer,
    ids: _Ids,
    rng: random.Random,
    scale: Scale,
    series_id: int,
    site: SiteGroup,
    members: list[tuple[int, Specialty]],
    day: date,
    index: int,
    zone: ZoneInfo,
    recent: list,
) -> int | None:
    """A held (or, 2% of weeks, cancelled) conference with its attendance, cases, recommendations, votes and plans; its
    id when held.
    """
    start = _start(day, index, zone)
    cancelled = rng.random() < 0.02
    conference_id = ids("conferences")
    writer.add(
        Conference,
        {
            "id": conference_id,
            "series_id": series_id,
            "occurrence_start": start,
            "starts_at": start,
            "duration_minutes": 90,
            "status": ConferenceStatus.CANCELLED if cancelled else ConferenceStatus.HELD,
            "place": "Room 1",
            "chair_id": members[0][0],
            "cancel_reason": "Holiday" if cancelled else "",
            "updated_at": start,
        },
    )
    if cancelled:
        return None
    attendees = rng.sample(members, min(scale.attendees, len(members)))
    for uid, specialty in attendees:
        writer.add(
            Attendance,
            {
                "id": ids("attendance"),
                "conference_id": conference_id,
                "user_id": uid,
                "attendee_name": f"Member {uid}",
                "specialty": specialty,
                "checked_in_at": start,
            },
        )
    voters = [uid for uid, _ in attendees][: scale.votes]
    speakers = list({specialty: uid for uid, specialty in attendees}.items())[
        : scale.recommendations
    ]  # one per specialty
    returning = [item for item in recent if (day - item[1]).days <= 90]
    recent[:] = returning
    chosen = rng.sample(returning, min(len(returning), scale.cases_per_conference * 45 // 100))
    cases = [case_id for case_id, _ in chosen]
    while len(cases) < scale.cases_per_conference:
        case_id = _new_case(
            writer,
            ids,
            rng,
            site,
            CaseStatus.PLAN_FINALIZED,
            day - timedelta(days=rng.randint(5, 40)),
            members[rng.randrange(len(members))][0],
            start - timedelta(days=7),
        )
        cases.append(case_id)
        recent.append((case_id, day))
    for position, case_id in enumerate(cases):
        presentation_id = ids("presentations")
        prospective = rng.random() < 0.88
        writer.add(
            Presentation,
            {
                "id": presentation_id,
                "conference_id": conference_id,
                "case_id": case_id,
                "position": position,
                "minutes_allotted": 3,
                "presenter_id": members[position % len(members)][0],
                "status": PresentationStatus.CLOSED,
                "reason": PresentationReason.PRE_TREATMENT if prospective else PresentationReason.REVIEW,
                "prospective": prospective,
                "stage_discussed": rng.random() < 0.95,
                "guideline_discussed": rng.random() < 0.9,
                "guideline_name": "NCCN",
                "trials_discussed": rng.random() < 0.6,
                "started_at": start,
                "closed_at": start + timedelta(minutes=3 * position + 3),
                "closed_by_id": members[0][0],
                "created_at": start - timedelta(days=3),
            },
        )
        for specialty, uid in speakers:
            writer.add(
                Recommendation,
                {
                    "id": ids("recommendations"),
                    "presentation_id": presentation_id,
                    "specialty": specialty,
                    "modality": MODALITY[specialty],
                    "intent": Intent.CURATIVE,
                    "text": "As discussed.",
                    "author_id": uid,
                    "updated_at": start,
                },
            )
        agree = 0
        for voter in voters:
            choice = VoteChoice.AGREE if rng.random() < 0.93 else rng.choice((VoteChoice.DISAGREE, VoteChoice.ABSTAIN))
            agree += choice is VoteChoice.AGREE
            writer.add(
                Vote,
                {
                    "id": ids("votes"),
                    "presentation_id": presentation_id,
                    "voter_id": voter,
                    "choice": choice,
                    "cast_at": start,
                    "updated_at": start,
                },
            )
        finalized = start + timedelta(days=2)
        writer.add(
            ConsensusPlan,
            {
                "id": ids("plans"),
                "presentation_id": presentation_id,
                "text": "Proceed as recommended.",
                "intent": Intent.CURATIVE,
                "vote_opened_at": start,
                "result": VoteResult.UNANIMOUS if agree == len(voters) else VoteResult.CONSENSUS,
                "agree_count": agree,
                "disagree_count": len(voters) - agree,
                "abstain_count": 0,
                "final_plan": "Proceed as recommended.",
                "finalized_at": finalized,
                "finalized_by_id": members[0][0],
                "implemented": rng.choices((Implementation.YES, Implementation.PARTLY, Implementation.NO), (90, 4, 6))[
                    0
                ],
                "implementation_recorded_at": finalized + timedelta(days=30),
            },
        )
    return conference_id


def _upcoming(
    writer: _Writer,
    ids: _Ids,
    rng: random.Random,
    scale: Scale,
    series_id: int,
    site: SiteGroup,
    day: date,
    index: int,
    zone: ZoneInfo,
) -> None:
    """Four scheduled conferences ahead; the first series' next one has a full agenda (30 cases); a queue waits."""
    presenter = (index * scale.physicians_per_series) + 1
    for week in range(4):
        start = _start(day + timedelta(days=7 * week), index, zone)
        conference_id = ids("conferences")
        writer.add(
            Conference,
            {
                "id": conference_id,
                "series_id": series_id,
                "occurrence_start": start,
                "starts_at": start,
                "duration_minutes": 90,
                "status": ConferenceStatus.SCHEDULED,
                "place": "Room 1",
                "updated_at": start,
            },
        )
        if week == 0 and index == 0:
            for position in range(30):
                case_id = _new_case(
                    writer,
                    ids,
                    rng,
                    site,
                    CaseStatus.SCHEDULED,
                    day - timedelta(days=20),
                    presenter,
                    start - timedelta(days=5),
                )
                writer.add(
                    Presentation,
                    {
                        "id": ids("presentations"),
                        "conference_id": conference_id,
                        "case_id": case_id,
                        "position": position,
                        "minutes_allotted": 3,
                        "presenter_id": presenter,
                        "created_at": start - timedelta(days=5),
                    },
                )
    for _ in range(scale.cases_per_conference * 2):
        _new_case(
            writer,
            ids,
            rng,
            site,
            CaseStatus.SUBMITTED,
            day - timedelta(days=rng.randint(3, 30)),
            presenter,
            _start(day, index, zone) - timedelta(days=rng.randint(1, 10)),
        )


def _case_presented_ten_times(
    writer: _Writer,
    ids: _Ids,
    rng: random.Random,
    site: SiteGroup,
    members: list[tuple[int, Specialty]],
    conference_ids: list[int],
    zone: ZoneInfo,
) -> None:
    """One patient whose case came back at ten conferences in a row (the case page benchmark opens it)."""
    case_id = _new_case(
        writer,
        ids,
        rng,
        site,
        CaseStatus.PLAN_FINALIZED,
        date(2000, 1, 1),
        members[0][0],
        datetime(2000, 1, 1, tzinfo=zone),
    )
    for position, conference_id in enumerate(conference_ids):
        writer.add(
            Presentation,
            {
                "id": ids("presentations"),
                "conference_id": conference_id,
                "case_id": case_id,
                "position": 100 + position,
                "status": PresentationStatus.CLOSED,
                "prospective": True,
                "reason": PresentationReason.FURTHER_TREATMENT,
            },
        )


def _meeting_now(
    writer: _Writer,
    ids: _Ids,
    rng: random.Random,
    series_id: int,
    site: SiteGroup,
    members: list[tuple[int, Specialty]],
    guests: list[tuple[int, Specialty]],
    now: datetime,
) -> None:
    """A conference that started ten minutes ago: its members and guests checked in (the load test's voters),
    the first of ten cases under discussion with its vote open."""
    start = now - timedelta(minutes=10)
    conference_id = ids("conferences")
    writer.add(
        Conference,
        {
            "id": conference_id,
            "series_id": series_id,
            "occurrence_start": start,
            "starts_at": start,
            "duration_minutes": 90,
            "status": ConferenceStatus.SCHEDULED,
            "place": "Room 1",
            "chair_id": members[0][0],
            "updated_at": start,
        },
    )
    for uid, specialty in members + guests:
        writer.add(
            Attendance,
            {
                "id": ids("attendance"),
                "conference_id": conference_id,
                "user_id": uid,
                "attendee_name": f"Member {uid}",
                "specialty": specialty,
                "checked_in_at": start,
            },
        )
    for position in range(10):
        case_id = _new_case(
            writer,
            ids,
            rng,
            site,
            CaseStatus.SCHEDULED,
            start.date() - timedelta(days=20),
            members[1][0],
            start - timedelta(days=5),
        )
        presentation_id = ids("presentations")
        writer.add(
            Presentation,
            {
                "id": presentation_id,
                "conference_id": conference_id,
                "case_id": case_id,
                "position": position,
                "presenter_id": members[1][0],
                "created_at": start - timedelta(days=5),
                "status": PresentationStatus.IN_DISCUSSION if position == 0 else PresentationStatus.PLANNED,
                "started_at": start if position == 0 else None,
            },
        )
        if position == 0:
            writer.add(
                ConsensusPlan,
                {
                    "id": ids("plans"),
                    "presentation_id": presentation_id,
                    "text": "Neoadjuvant therapy, then surgery.",
                    "intent": Intent.CURATIVE,
                    "vote_opened_at": start,
                },
            )


def _caseload(writer: _Writer, today: date, years: int) -> None:
    """The registry's caseload: the analytic cases presented are about a fifth of it."""
    counts = dict(
        db.session.execute(
            sa.select(Case.site_group, sa.func.count(Case.id)).where(Case.analytic.is_(True)).group_by(Case.site_group)
        ).all()
    )
    for year in range(today.year - years, today.year + 1):
        db.session.add_all(
            AnalyticCaseload(year=year, site_group=site, analytic_cases=max(1, count * 5 // max(years, 1)))
            for site, count in counts.items()
        )


def settle_after_bulk_load() -> None:
    """PostgreSQL, after the commit: VACUUM (ANALYZE), as its manual advises after populating a database.

    Fresh statistics for the planner, and the visibility map and hint bits set, as autovacuum leaves a database
    in use; measured straight after the load, the report's main query took 95 ms instead of 57. (SQLite's
    ANALYZE changed none of the benchmarked plans.)
    """
    if db.engine.dialect.name != "postgresql":
        return
    with db.engine.connect().execution_options(
        isolation_level="AUTOCOMMIT"
    ) as connection:  # VACUUM runs outside a transaction
        connection.exec_driver_sql("VACUUM (ANALYZE)")


def _reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids written here, so later inserts do not collide."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and table.c.id.autoincrement in (True, "auto") and isinstance(table.c.id.type, sa.Integer):
            following = sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0) + 1).scalar_subquery()
            db.session.execute(
                sa.select(sa.func.setval(sa.func.pg_get_serial_sequence(table.name, "id"), following, False))
            )
