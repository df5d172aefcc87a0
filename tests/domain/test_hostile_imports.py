"""Property-based: no file content makes an import checker fail; it reports problems or plans rows, never both, never
raises.
"""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from tumorboard.cases.importer import ImportContext, check_rows
from tumorboard.reports.caseload import COLUMNS as CASELOAD_COLUMNS
from tumorboard.reports.caseload import check_caseload
from tumorboard.reports.conference_log import ATTENDANCE_COLUMNS, PRESENTATION_COLUMNS, LogContext, check_log

HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "'; DROP TABLE cases; --",
        "<script>alert(1)</script>",
        "=cmd|' /C calc'!A0",
        "\x00",
        "9" * 40,
        "-1",
        "1e309",
        "NaN",
        "2026-02-30",
        "0000-00-00",
        "yes",
        "no",
        "breast",
        "surgery",
        "Breast Tumor Board",
        "MRN000001",
        "1960-01-01",
        "\u202etxt.exe",
        "ŻółćĄ",
        "1.5",
        "2025",
    ]
)
CELL = st.one_of(HOSTILE, st.text(max_size=40))


def rows_of(columns: tuple[str, ...]):
    """Rows with the expected columns, sometimes one missing or one extra, cells hostile or random."""
    names = st.lists(st.sampled_from(columns), unique=True, min_size=len(columns) - 1, max_size=len(columns)).map(
        lambda found: found if len(found) < len(columns) else list(columns)
    )
    return names.flatmap(lambda found: st.lists(st.fixed_dictionaries({name: CELL for name in found}), max_size=6))


CASE_COLUMNS = (
    "mrn",
    "last_name",
    "first_name",
    "birth_date",
    "sex",
    "site_group",
    "diagnosis_date",
    "ajcc_edition",
    "clinical_t",
    "clinical_stage",
    "ecog",
    "biomarkers",
    "status",
    "analytic",
    "class_of_case",
)
CASE_CONTEXT = ImportContext(
    today=date(2026, 11, 21),
    mrn_pattern=r"^[A-Z0-9]{6,12}$",
    physicians={"skim": 1},
    series={"breast tumor board": 1},
    patients={},
    existing_keys=frozenset(),
)
LOG_CONTEXT = LogContext(
    today=date(2026, 11, 21),
    mrn_pattern=r"^[A-Z0-9]{6,12}$",
    series={},
    conferences={},
    patients={},
    cases={},
    presented=frozenset(),
    attended=frozenset(),
    users_by_name={},
)


@settings(max_examples=150, deadline=None)
@given(rows_of(CASE_COLUMNS))
def test_case_import_never_fails(rows):
    check = check_rows(rows, CASE_CONTEXT)
    assert not (check.problems and check.to_create)


@settings(max_examples=150, deadline=None)
@given(rows_of(CASELOAD_COLUMNS))
def test_caseload_import_never_fails(rows):
    check = check_caseload(rows)
    assert not (check.problems and check.counts)
    assert all(count.analytic_cases >= 0 for count in check.counts)


@settings(max_examples=150, deadline=None)
@given(rows_of(PRESENTATION_COLUMNS), rows_of(ATTENDANCE_COLUMNS))
def test_conference_log_import_never_fails(presentations, attendance):
    check = check_log(presentations, attendance, LOG_CONTEXT)
    assert not (check.problems and (check.presentations or check.attendance))
    assert all(item.conference[1] <= LOG_CONTEXT.today for item in check.presentations)
