"""Importing cases from a spreadsheet (CSV or XLSX), all or nothing.

`read_table` turns the file into text cells with pandas; `check_rows` is pure:
it takes the rows and what the database already knows (`ImportContext`) and
returns either every problem, by row and column, or the cases to create.
Re-importing a file skips the cases it already created (same MRN, site group
and date of diagnosis), so an import can be repeated safely.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd

from tumorboard.cases.validation import CASE_DEFAULTS, CaseInput, parse_biomarkers, validate_case
from tumorboard.domain import Refused
from tumorboard.text import as_sentence
from tumorboard.vocab import CaseSource, CaseStatus, Laterality, Sex, SiteGroup, Urgency, parse_yes_no

# Limits checked before a file is parsed (docs/import-formats.md): a small upload must not take a worker's memory or
# minutes of its time. MAX_ROWS holds for every table read (the command line too); an upload of cases through the
# web form writes six rows a case and stays at MAX_CASE_UPLOAD_ROWS (10,000 take under a second: docs/performance.md).
MAX_ROWS = 20_000
MAX_CASE_UPLOAD_ROWS = 2_500
MAX_COLUMNS = 100
MAX_CELL_CHARACTERS = 10_000
MAX_XLSX_EXPANDED_BYTES = 50_000_000  # the XML inside an XLSX, as its zip directory declares it
MAX_XLSX_PARTS = 500
REQUIRED_COLUMNS = ("mrn", "last_name", "first_name", "birth_date", "sex", "site_group")
TEXT_COLUMNS = (
    "primary_site",
    "histology",
    "clinical_t",
    "clinical_n",
    "clinical_m",
    "clinical_stage",
    "pathologic_t",
    "pathologic_n",
    "pathologic_m",
    "pathologic_stage",
    "prior_treatment",
    "current_treatment",
    "question",
    "proposed_plan",
    "imaging_to_review",
    "pathology_to_review",
    "referring_name",
    "referring_practice",
    "referring_address",
    "class_of_case",
)
OTHER_COLUMNS = (
    "laterality",
    "diagnosis_date",
    "not_staged",
    "ajcc_edition",
    "ecog",
    "biomarkers",
    "first_course_started_on",
    "presenting_physician",
    "managing_physician",
    "source",
    "urgency",
    "requested_series",
    "analytic",
    "status",
)
KNOWN_COLUMNS = frozenset((*REQUIRED_COLUMNS, *TEXT_COLUMNS, *OTHER_COLUMNS))
# Form field names that the file calls otherwise.
COLUMN_OF_FIELD = {
    "presenting_physician_id": "presenting_physician",
    "managing_physician_id": "managing_physician",
    "requested_series_id": "requested_series",
}
FIELD_OF_COLUMN = {column: name for name, column in COLUMN_OF_FIELD.items()}
IMPORT_STATUSES = (CaseStatus.DRAFT, CaseStatus.SUBMITTED)


class ImportFileError(Refused):
    """The file cannot be read as a table at all (a problem of the upload form's file field)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, {"file": [message]})


@dataclass(frozen=True)
class Problem:
    """One problem of one cell (row is the spreadsheet row: the header is row 1)."""

    row: int
    column: str
    message: str
    file: str = ""  # which file, when an import takes several


@dataclass(frozen=True)
class KnownPatient:
    """What the database knows of a patient, to match a returning one."""

    last_name: str
    first_name: str
    birth_date: date


@dataclass(frozen=True)
class ImportContext:
    """What the database already holds that the rows refer to."""

    today: date
    mrn_pattern: str
    physicians: dict[str, int]  # username (casefolded) -> user id
    series: dict[str, int]  # series name (casefolded) -> id
    patients: dict[str, KnownPatient]  # MRN -> identity
    existing_keys: frozenset[tuple[str, SiteGroup, date | None]]


@dataclass(frozen=True)
class PlannedCase:
    """A checked row, ready to be written."""

    row: int
    data: CaseInput
    status: CaseStatus


@dataclass
class ImportCheck:
    """The outcome of checking a file: problems, or the cases to create and the rows skipped as already imported."""

    problems: list[Problem] = field(default_factory=list)
    to_create: list[PlannedCase] = field(default_factory=list)
    already_imported: list[int] = field(default_factory=list)


def case_key(mrn: str, site_group: SiteGroup, diagnosis_date: date | None) -> tuple[str, SiteGroup, date | None]:
    """What identifies a case across imports."""
    return (mrn, site_group, diagnosis_date)


def _check_csv_shape(content: bytes, max_rows: int) -> None:
    """Refuse a CSV whose header has too many columns, or with far too many lines, before pandas reads it."""
    header = next(csv.reader([content[:1_000_000].split(b"\n", 1)[0].decode("utf-8-sig", errors="replace")]), [])
    if len(header) > MAX_COLUMNS:
        raise ImportFileError(
            f"The file's header has more than {MAX_COLUMNS} columns; a table here has at most {MAX_COLUMNS}."
        )
    if content.count(b"\n") > 2 * max_rows + 1:  # quoted cells may hold line breaks: leave room, refuse the absurd
        raise ImportFileError(f"The file has more than {max_rows:,} rows; import at most {max_rows:,} at a time.")


def _check_xlsx_size(content: bytes) -> None:
    """Refuse an XLSX (a zip of XML) that expands to more than we read, before any of it is decompressed."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise ImportFileError("This is not an Excel file (.xlsx): save it from the spreadsheet as .xlsx or as CSV, "
                              "then upload it again.") from None
    expanded = sum(part.file_size for part in parts)
    if len(parts) > MAX_XLSX_PARTS or expanded > MAX_XLSX_EXPANDED_BYTES:
        raise ImportFileError(
            f"The spreadsheet expands to {expanded / 1e6:,.0f} MB; at most {MAX_XLSX_EXPANDED_BYTES // 10**6} MB "
            "can be read. Save it as CSV, or split it."
        )


def _unreadable(error: Exception, suffix: str) -> str:
    """Why a file could not be read, in the words of someone who saved it from a spreadsheet."""
    if isinstance(error, pd.errors.EmptyDataError):
        return "The file is empty: it has no header row and no rows."
    if isinstance(error, UnicodeDecodeError):
        return "The file is not text in UTF-8: save it from the spreadsheet as \"CSV UTF-8\" and upload it again."
    if isinstance(error, pd.errors.ParserError):
        return ("The rows of the file do not line up with its header (a separator or a quote out of place): open it "
                "in a spreadsheet, check it, and save it as CSV again.")
    kind = "CSV file" if suffix == ".csv" else "Excel file (.xlsx)"
    return f"This file could not be read as a {kind}: save it again from the spreadsheet and upload it again."


def read_table(content: bytes, filename: str, max_rows: int = MAX_ROWS) -> list[dict[str, str]]:
    """The rows of a CSV or XLSX file as text cells, with normalized column names; limits are checked before parsing."""
    suffix = Path(filename).suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ImportFileError("Upload a .csv or .xlsx file.")
    if suffix == ".csv":
        _check_csv_shape(content, max_rows)
    else:
        _check_xlsx_size(content)  # zipfile stops at each part's declared size, so the declared sizes bound the work
    try:
        if suffix == ".csv":
            frame = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False, encoding="utf-8-sig")
        else:
            frame = pd.read_excel(io.BytesIO(content), dtype=str, keep_default_na=False, engine="openpyxl")
    except Exception as error:  # pandas raises many kinds for a damaged file; none is the user's fault to read
        raise ImportFileError(_unreadable(error, suffix)) from None
    if len(frame.columns) > MAX_COLUMNS:
        raise ImportFileError(f"The file has {len(frame.columns):,} columns; a table here has at most {MAX_COLUMNS}.")
    if len(frame) > max_rows:
        raise ImportFileError(f"The file has {len(frame):,} rows; import at most {max_rows:,} at a time.")
    columns = [str(column).strip().lower().replace(" ", "_") for column in frame.columns]
    # Plain lists, column by column: pandas' string columns hand out their cells one by one, ten times slower.
    cells = [[str(text).strip() for text in frame[name].tolist()] for name in frame.columns]
    if any(max(map(len, column), default=0) > MAX_CELL_CHARACTERS for column in cells):
        row, column = min(
            (row, column)
            for column, texts in enumerate(cells)
            for row, text in enumerate(texts)
            if len(text) > MAX_CELL_CHARACTERS
        )
        raise ImportFileError(
            f"Row {row + 2}, column {columns[column]}: {len(cells[column][row]):,} characters; a cell holds at most "
            f"{MAX_CELL_CHARACTERS:,}."
        )
    return [dict(zip(columns, values, strict=True)) for values in zip(*cells, strict=True)]


def parse_date(text: str) -> date:
    """YYYY-MM-DD (an XLSX date cell's midnight time is accepted)."""
    if len(text) > 10 and text[10:] in (" 00:00:00", "T00:00:00"):
        text = text[:10]
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        if len(text) == 10 and text[4] == text[7] == "-" and text.replace("-", "").isdigit():
            raise ValueError(f"'{text}' is written YYYY-MM-DD but is no day of the calendar") from None
        raise ValueError(f"'{text}' is not a date written YYYY-MM-DD") from None


def whole_number(text: str) -> int:
    """A whole number; spreadsheets may write 2 as 2.0."""
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if not number.is_integer():
        raise ValueError(f"'{text}' is not a whole number")
    return int(number)


def _lookup(table: dict[str, int], what: str) -> Callable[[str], int]:
    def find(text: str) -> int:
        if text.casefold() not in table:
            raise ValueError(f"no {what} '{text}'")
        return table[text.casefold()]

    return find


def read_cell(reader: Callable[[str], object], text: str) -> object:
    """What `reader` makes of `text`, or the ValueError saying why it cannot (kept, to report by row and column)."""
    try:
        return reader(text)
    except ValueError as error:
        return error


def read_column(
    texts: list[str], reader: Callable[[str], object], empty: object
) -> tuple[list[object], dict[int, ValueError]]:
    """A column of cells through `reader` (pure: each distinct text is read once), `empty` for an empty cell, and why
    each unreadable cell cannot be read, by position; an unreadable cell's value is `empty` too."""
    read: dict[str, object] = {text: read_cell(reader, text) for text in set(texts) - {""}}
    failed = {text: value for text, value in read.items() if isinstance(value, ValueError)}
    read |= dict.fromkeys(failed, empty) | {"": empty}
    errors = {index: failed[text] for index, text in enumerate(texts) if text in failed} if failed else {}
    return [read[text] for text in texts], errors


def _import_status(text: str) -> CaseStatus:
    status = CaseStatus.parse(text)
    if status not in IMPORT_STATUSES:
        raise ValueError(text)
    return status


def check_columns(
    rows: list[dict[str, str]], required: Iterable[str], known: Iterable[str], file: str = ""
) -> tuple[list[Problem], bool]:
    """The header's problems, and whether the rows can be read at all (not
    when empty or a required column is missing).
    """
    if not rows:
        return [Problem(1, "-", "The file has no rows.", file)], False
    columns = set(rows[0])
    if missing := [c for c in required if c not in columns]:
        return [Problem(1, ", ".join(missing), "Missing columns: " + ", ".join(missing), file)], False
    if unknown := sorted(columns - set(known)):
        return [Problem(1, ", ".join(unknown), "Unknown columns (see docs/import-formats.md).", file)], True
    return [], True


def check_rows(rows: Iterable[dict[str, str]], context: ImportContext) -> ImportCheck:
    """Check every row against the case rules and the database; nothing is written here."""
    rows = list(rows)
    check = ImportCheck()
    problems, readable = check_columns(rows, REQUIRED_COLUMNS, KNOWN_COLUMNS)
    check.problems += problems
    if not readable:
        return check
    readers: dict[str, Callable[[str], object]] = {
        "sex": Sex.parse,
        "site_group": SiteGroup.parse,
        "laterality": Laterality.parse,
        "source": CaseSource.parse,
        "urgency": Urgency.parse,
        "birth_date": parse_date,
        "diagnosis_date": parse_date,
        "first_course_started_on": parse_date,
        "not_staged": parse_yes_no,
        "analytic": parse_yes_no,
        "ajcc_edition": whole_number,
        "ecog": whole_number,
        "biomarkers": parse_biomarkers,
        "presenting_physician": _lookup(context.physicians, "physician with username"),
        "managing_physician": _lookup(context.physicians, "physician with username"),
        "requested_series": _lookup(context.series, "conference series"),
    }
    # The cells are read column by column (a file repeats its codes, dates and names thousands of times: each
    # distinct text is read once), then each row's values go through the case rules together.
    in_file = [*rows[0], *sorted(set().union(*rows) - set(rows[0]))]  # a row may lack a column or add one
    columns = [column for column in in_file if column in KNOWN_COLUMNS and column != "status"]
    names = [FIELD_OF_COLUMN.get(column, column) for column in columns]
    unreadable: dict[int, list[Problem]] = {}
    values = []
    for column, name in zip(columns, names, strict=True):
        texts = [cells.get(column, "") for cells in rows]
        if column not in readers:
            values.append(texts)  # text as given ("" is every text field's default)
            continue
        read, errors = read_column(texts, readers[column], CASE_DEFAULTS[name])  # an empty cell: the default
        for index, error in errors.items():
            unreadable.setdefault(index, []).append(Problem(index + 2, column, as_sentence(error)))
        values.append(read)
    statuses, bad_statuses = read_column(
        [cells.get("status", "") for cells in rows], _import_status, CaseStatus.SUBMITTED
    )
    seen_keys: dict[tuple, int] = {}
    seen_patients: dict[str, tuple[KnownPatient, int]] = {}
    for index, (cells, row_values, status) in enumerate(zip(rows, zip(*values, strict=True), statuses, strict=True)):
        row = index + 2
        if not any(cells.values()):
            continue  # blank lines in spreadsheets are not cases
        row_problems = list(unreadable.get(index, ()))
        if index in bad_statuses:
            row_problems.append(Problem(row, "status", "An import creates draft or submitted cases."))
        data = CaseInput.of(dict(zip(names, row_values, strict=True)))
        data, problems = validate_case(
            data, context.today, context.mrn_pattern, complete=status is CaseStatus.SUBMITTED
        )
        failed_columns = {p.column for p in row_problems}
        for name, messages in problems.by_field.items():
            column = COLUMN_OF_FIELD.get(name, name)
            if column not in failed_columns:  # an unreadable cell already says why
                row_problems.extend(Problem(row, column, message) for message in messages)
        if not row_problems and data.site_group is not None:
            person = KnownPatient(data.last_name, data.first_name, data.birth_date)
            row_problems.extend(check_identity(data.mrn, person, row, context.patients, seen_patients))
            key = case_key(data.mrn, data.site_group, data.diagnosis_date)
            if key in seen_keys:
                row_problems.append(
                    Problem(
                        row,
                        "mrn",
                        f"The same case (MRN, site group, diagnosis date) is already on row {seen_keys[key]}.",
                    )
                )
            seen_keys.setdefault(key, row)
            if not row_problems:
                if key in context.existing_keys:
                    check.already_imported.append(row)
                else:
                    check.to_create.append(PlannedCase(row, data, status))
        check.problems.extend(row_problems)
    return check


def check_identity(
    mrn: str, person: KnownPatient, row: int, known: dict[str, KnownPatient], seen: dict[str, tuple[KnownPatient, int]]
) -> list[Problem]:
    """One MRN is one person: in the database and across the file (`seen` collects the file's first row of each MRN)."""

    def same(a: KnownPatient, b: KnownPatient) -> bool:
        return (a.last_name.casefold(), a.first_name.casefold(), a.birth_date) == (
            b.last_name.casefold(),
            b.first_name.casefold(),
            b.birth_date,
        )

    if mrn in known and not same(known[mrn], person):
        return [Problem(row, "mrn", "This MRN belongs to a patient with another name or date of birth in TumorBoard.")]
    if mrn in seen and not same(seen[mrn][0], person):
        return [Problem(row, "mrn", f"Row {seen[mrn][1]} gives this MRN another name or date of birth.")]
    seen.setdefault(mrn, (person, row))
    return []
