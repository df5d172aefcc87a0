"""Checking a past conference log (presentations and attendance files) before it is imported. Pure.

A case is identified by MRN and site group; a conference by its series name and date. Series,
conferences, patients and cases the log names are created when TumorBoard does not know them yet;
conferences are recorded as held. Rows already imported (same conference and case, or same
conference and attendee) are skipped, so a log can be imported again safely. All or nothing:
any problem in either file and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date

from tumorboard.cases.importer import KnownPatient, Problem, check_columns, check_identity, parse_date, read_cell
from tumorboard.cases.validation import PatientIdentity, Problems, check_patient
from tumorboard.text import as_sentence
from tumorboard.vocab import Sex, SiteGroup, Specialty, parse_yes_no

PRESENTATIONS, ATTENDANCE = "presentations", "attendance"
PRESENTATION_COLUMNS = (
    "conference_date",
    "series",
    "mrn",
    "last_name",
    "first_name",
    "birth_date",
    "site_group",
    "analytic",
    "prospective",
    "stage_discussed",
    "guideline_discussed",
    "trial_discussed",
)
ATTENDANCE_COLUMNS = ("conference_date", "series", "name", "specialty")
YES_NO_COLUMNS = ("analytic", "prospective", "stage_discussed", "guideline_discussed", "trial_discussed")
MAX_SERIES_NAME, MAX_ATTENDEE_NAME = 120, 120

ConferenceKey = tuple[str, date]  # (series name casefolded, local date)
CaseKey = tuple[str, SiteGroup]  # (MRN, site group)


@dataclass(frozen=True)
class KnownConference:
    """A conference TumorBoard already has on a series and date."""

    id: int
    status: str


@dataclass(frozen=True)
class LogContext:
    """What the database already holds that the log's rows refer to."""

    today: date
    mrn_pattern: str
    series: dict[str, str]  # name casefolded -> name as stored
    conferences: dict[ConferenceKey, KnownConference]
    patients: dict[str, KnownPatient]
    cases: dict[CaseKey, tuple[int, bool]]  # -> (case id, analytic)
    presented: frozenset[tuple[int, int]]  # (conference id, case id)
    attended: frozenset[tuple[int, str]]  # (conference id, attendee name casefolded)
    users_by_name: dict[str, int]  # full name casefolded -> user id, for names only one user has
    patient_ids: dict[str, int] = field(default_factory=dict)  # MRN -> id, of the patients above


@dataclass(frozen=True)
class LogPresentation:
    """A checked presentation row."""

    row: int
    conference: ConferenceKey
    case: CaseKey
    patient: KnownPatient
    analytic: bool
    prospective: bool
    stage_discussed: bool
    guideline_discussed: bool
    trial_discussed: bool


@dataclass(frozen=True)
class LogAttendance:
    """A checked attendance row."""

    row: int
    conference: ConferenceKey
    name: str
    specialty: Specialty
    user_id: int | None


@dataclass
class LogCheck:
    """Problems (in both files), or what to write and how many rows were already imported."""

    problems: list[Problem] = field(default_factory=list)
    presentations: list[LogPresentation] = field(default_factory=list)
    attendance: list[LogAttendance] = field(default_factory=list)
    new_series: dict[str, str] = field(default_factory=dict)  # casefolded -> name as first written
    series_site_groups: dict[str, set[SiteGroup]] = field(default_factory=dict)
    already_imported: int = 0
    context: LogContext | None = None  # what the rows were checked against, in the same transaction as the import

    @property
    def conferences(self) -> set[ConferenceKey]:
        """Every conference the rows to write refer to."""
        return {p.conference for p in self.presentations} | {a.conference for a in self.attendance}


def check_log(
    presentation_rows: Iterable[dict[str, str]] | None,
    attendance_rows: Iterable[dict[str, str]] | None,
    context: LogContext,
) -> LogCheck:
    """Check both files against each other and the database; nothing is written here."""
    check = LogCheck(context=context)
    if presentation_rows is None and attendance_rows is None:
        check.problems.append(Problem(1, "-", "Give a presentations file, an attendance file, or both."))
        return check
    for rows, file, columns, check_rows in (
        (presentation_rows, PRESENTATIONS, PRESENTATION_COLUMNS, _check_presentations),
        (attendance_rows, ATTENDANCE, ATTENDANCE_COLUMNS, _check_attendance),
    ):
        if rows is None:
            continue
        rows = list(rows)
        problems, readable = check_columns(rows, columns, columns, file)
        check.problems += problems
        if readable:
            check_rows(rows, context, check)
    if check.problems:
        check.presentations, check.attendance, check.new_series = [], [], {}
    return check


class _Row:
    """Reads the cells of one row, collecting a problem per unreadable cell. `read_before` is what the file's other
    rows read: each reader is pure, and a log repeats its dates, series and yes/no answers thousands of times."""

    def __init__(self, cells: dict[str, str], row: int, file: str, read_before: dict[tuple, object]) -> None:
        self.cells, self.row, self.file, self.read_before = cells, row, file, read_before
        self.problems: list[Problem] = []

    def problem(self, column: str, message: str) -> None:
        self.problems.append(Problem(self.row, column, message, self.file))

    def read(self, column: str, reader: Callable[[str], object] = str):
        text = self.cells.get(column, "")
        if not text:
            self.problem(column, "Required.")
            return None
        if reader is str:
            return text
        key = (reader, text)
        if key not in self.read_before:
            self.read_before[key] = read_cell(reader, text)
        value = self.read_before[key]
        if isinstance(value, ValueError):
            self.problem(column, as_sentence(value))
            return None
        return value


def _conference(row: _Row, context: LogContext, check: LogCheck) -> ConferenceKey | None:
    """The row's conference: a past date and a series, not a conference TumorBoard records as cancelled."""
    day = row.read("conference_date", parse_date)
    name = row.read("series")
    if day is not None and day > context.today:
        row.problem("conference_date", "A conference log records past conferences; this date is in the future.")
        day = None
    if name is not None and len(name) > MAX_SERIES_NAME:
        row.problem("series", f"Use at most {MAX_SERIES_NAME} characters.")
        name = None
    if day is None or name is None:
        return None
    key = (name.casefold(), day)
    known = context.conferences.get(key)
    if known is not None and known.status == "cancelled":
        row.problem(
            "conference_date",
            f"TumorBoard records the {context.series[key[0]]} conference of {day.isoformat()} as cancelled.",
        )
        return None
    if key[0] not in context.series:
        check.new_series.setdefault(key[0], name)
    return key


def _check_presentations(rows: list[dict[str, str]], context: LogContext, check: LogCheck) -> None:
    read_before: dict[tuple, object] = {}
    seen_rows: dict[tuple[ConferenceKey, CaseKey], int] = {}
    seen_patients: dict[str, tuple[KnownPatient, int]] = {}
    analytic_of: dict[CaseKey, tuple[bool, int]] = {}
    for index, cells in enumerate(rows):
        if not any(cells.values()):
            continue
        row = _Row(cells, index + 2, PRESENTATIONS, read_before)
        conference = _conference(row, context, check)
        site = row.read("site_group", SiteGroup.parse)
        flags = {column: row.read(column, parse_yes_no) for column in YES_NO_COLUMNS}
        identity = PatientIdentity(
            cells.get("mrn", ""),
            cells.get("last_name", ""),
            cells.get("first_name", ""),
            _optional_date(row, "birth_date"),
            Sex.UNKNOWN,
        )
        patient_problems = Problems()
        check_patient(identity, context.mrn_pattern, patient_problems)
        for column, messages in patient_problems.by_field.items():
            if column != "birth_date" or not any(p.column == column for p in row.problems):
                row.problems += [Problem(row.row, column, message, PRESENTATIONS) for message in messages]
        if identity.birth_date is not None and identity.birth_date > context.today:
            row.problem("birth_date", "This date is in the future.")
        if row.problems or conference is None or site is None:
            check.problems += row.problems
            continue
        person = KnownPatient(identity.last_name, identity.first_name, identity.birth_date)
        problems = check_identity(identity.mrn, person, row.row, context.patients, seen_patients)
        case = (identity.mrn, site)
        if (conference, case) in seen_rows:
            problems.append(
                Problem(
                    row.row,
                    "mrn",
                    f"The same case at the same conference is already on row {seen_rows[conference, case]}.",
                )
            )
        seen_rows.setdefault((conference, case), row.row)
        analytic = flags["analytic"]
        if case in context.cases and context.cases[case][1] != analytic:
            problems.append(
                Problem(
                    row.row,
                    "analytic",
                    f"TumorBoard records this case as {'analytic' if context.cases[case][1] else 'non-analytic'}.",
                )
            )
        elif case in analytic_of and analytic_of[case][0] != analytic:
            problems.append(
                Problem(row.row, "analytic", f"Row {analytic_of[case][1]} says otherwise for the same case.")
            )
        analytic_of.setdefault(case, (analytic, row.row))
        check.problems += [Problem(p.row, p.column, p.message, PRESENTATIONS) for p in problems]
        if problems:
            continue
        known_conference, known_case = context.conferences.get(conference), context.cases.get(case)
        if known_conference and known_case and (known_conference.id, known_case[0]) in context.presented:
            check.already_imported += 1
            continue
        check.series_site_groups.setdefault(conference[0], set()).add(site)
        check.presentations.append(LogPresentation(row.row, conference, case, person, **flags))


def _check_attendance(rows: list[dict[str, str]], context: LogContext, check: LogCheck) -> None:
    read_before: dict[tuple, object] = {}
    seen: dict[tuple[ConferenceKey, str], int] = {}
    for index, cells in enumerate(rows):
        if not any(cells.values()):
            continue
        row = _Row(cells, index + 2, ATTENDANCE, read_before)
        conference = _conference(row, context, check)
        name = row.read("name")
        specialty = row.read("specialty", Specialty.parse)
        if name is not None and len(name) > MAX_ATTENDEE_NAME:
            row.problem("name", f"Use at most {MAX_ATTENDEE_NAME} characters.")
        if not row.problems and conference is not None:
            key = (conference, " ".join(name.split()).casefold())
            if key in seen:
                row.problem("name", f"The same person at the same conference is already on row {seen[key]}.")
            seen.setdefault(key, row.row)
        check.problems += row.problems
        if row.problems or conference is None:
            continue
        known = context.conferences.get(conference)
        if known and (known.id, key[1]) in context.attended:
            check.already_imported += 1
            continue
        check.attendance.append(
            LogAttendance(row.row, conference, " ".join(name.split()), specialty, context.users_by_name.get(key[1]))
        )


def _optional_date(row: _Row, column: str) -> date | None:
    text = row.cells.get(column, "")
    if not text:
        return None  # check_patient says it is required
    try:
        return parse_date(text)
    except ValueError as error:
        row.problem(column, as_sentence(error))
        return None
