"""Checking an import file: every problem by row and column, duplicates, returning patients."""

from datetime import date

import pytest

from tumorboard.cases.importer import ImportContext, KnownPatient, case_key, check_rows, parse_date, read_column
from tumorboard.cases.validation import CaseInput
from tumorboard.vocab import CaseStatus, SiteGroup

CONTEXT = ImportContext(
    today=date(2026, 11, 21),
    mrn_pattern=r"^[A-Z0-9]{6,12}$",
    physicians={"skim": 1, "evasquez": 2},
    series={"breast tumor board": 7},
    patients={"TB000001": KnownPatient("Lockhart", "Maria", date(1958, 4, 2))},
    existing_keys=frozenset({case_key("TB000001", SiteGroup.BREAST, date(2026, 9, 1))}),
)
GOOD = {
    "mrn": "TB000002",
    "last_name": "Pemberton",
    "first_name": "Ann",
    "birth_date": "1970-01-31",
    "sex": "female",
    "site_group": "Breast",
    "histology": "Invasive ductal carcinoma",
    "diagnosis_date": "2026-10-01",
    "ajcc_edition": "8",
    "clinical_t": "T2",
    "clinical_n": "N0",
    "clinical_m": "M0",
    "clinical_stage": "IIA",
    "ecog": "1",
    "question": "Surgery first?",
    "imaging_to_review": "MRI",
    "pathology_to_review": "Biopsy",
    "presenting_physician": "skim",
    "managing_physician": "EVASQUEZ",
    "referring_name": "Dr. Whitaker",
    "requested_series": "Breast Tumor Board",
    "analytic": "yes",
    "biomarkers": "ER=positive; HER2=0",
}


def test_a_clean_row_is_planned():
    check = check_rows([GOOD], CONTEXT)
    assert check.problems == []
    [planned] = check.to_create
    assert (
        planned.status is CaseStatus.SUBMITTED
        and planned.data.managing_physician_id == 2
        and planned.data.requested_series_id == 7
    )
    assert planned.data.biomarkers == (("ER", "positive"), ("HER2", "0"))


def test_every_bad_cell_is_reported_by_row_and_column():
    rows = [
        GOOD,
        {**GOOD, "mrn": "TB000003", "birth_date": "31/01/1970", "site_group": "lung", "ecog": "seven"},
        {
            **GOOD,
            "mrn": "TB000004",
            "presenting_physician": "nobody",
            "requested_series": "Brain Board",
            "analytic": "maybe",
        },
        {**GOOD, "mrn": "TB000005", "diagnosis_date": "2027-01-01", "clinical_t": "T9"},
        {**GOOD, "mrn": "TB000006", "status": "presented"},
        {**GOOD, "mrn": "TB000007", "question": "", "status": "submitted"},
    ]
    check = check_rows(rows, CONTEXT)
    found = {(p.row, p.column) for p in check.problems}
    assert found == {
        (3, "birth_date"),
        (3, "site_group"),
        (3, "ecog"),
        (4, "presenting_physician"),
        (4, "requested_series"),
        (4, "analytic"),
        (5, "diagnosis_date"),
        (5, "clinical_t"),
        (6, "status"),
        (7, "question"),
    }


def test_missing_columns_stop_the_check():
    check = check_rows([{"mrn": "TB000002", "last_name": "X"}], CONTEXT)
    assert len(check.problems) == 1 and "first_name" in check.problems[0].message


def test_a_draft_row_may_be_incomplete():
    row = {k: GOOD[k] for k in ("mrn", "last_name", "first_name", "birth_date", "sex", "site_group")}
    check = check_rows([{**row, "status": "draft"}], CONTEXT)
    assert check.problems == [] and check.to_create[0].status is CaseStatus.DRAFT


def test_the_same_case_twice_in_one_file_is_refused():
    check = check_rows([GOOD, dict(GOOD)], CONTEXT)
    assert [(p.row, p.column) for p in check.problems] == [(3, "mrn")]


def test_one_mrn_is_one_person():
    other_name = {**GOOD, "mrn": "TB000001", "first_name": "Marion"}
    assert [(p.row, p.column) for p in check_rows([other_name], CONTEXT).problems] == [(2, "mrn")]
    in_file = [GOOD, {**GOOD, "site_group": "thoracic", "first_name": "Anna"}]
    assert [(p.row, p.column) for p in check_rows(in_file, CONTEXT).problems] == [(3, "mrn")]


def test_a_returning_patient_gets_a_new_case_and_an_imported_case_is_skipped():
    returning = {**GOOD, "mrn": "TB000001", "last_name": "LOCKHART", "first_name": "maria", "birth_date": "1958-04-02"}
    already = {**returning, "diagnosis_date": "2026-09-01"}
    check = check_rows([returning, already], CONTEXT)
    assert check.problems == [] and len(check.to_create) == 1 and check.already_imported == [3]


def test_blank_lines_are_ignored():
    assert check_rows([GOOD, {k: "" for k in GOOD}], CONTEXT).problems == []


def test_xlsx_dates_at_midnight_are_read():
    assert parse_date("2026-10-01 00:00:00") == date(2026, 10, 1)


def test_a_column_is_read_once_a_distinct_text_and_each_unreadable_cell_is_named_by_position():
    calls = []

    def reader(text: str) -> int:
        calls.append(text)
        return int(text)

    values, errors = read_column(["1", "", "x", "1", "2", "x"], reader, None)
    assert values == [1, None, None, 1, 2, None]  # an empty or unreadable cell: the empty value
    assert sorted(calls) == ["1", "2", "x"]
    assert sorted(errors) == [2, 5] and all(isinstance(error, ValueError) for error in errors.values())


def test_case_input_of_values_is_the_case_input_the_constructor_gives():
    values = {"mrn": "TB000002", "site_group": SiteGroup.BREAST, "ecog": 1, "biomarkers": (("ER", "positive"),)}
    made = CaseInput.of(values)
    assert made == CaseInput(**values) and made.laterality == CaseInput().laterality
    with pytest.raises(TypeError, match="no field 'colour'"):
        CaseInput.of({"mrn": "TB000002", "colour": "blue"})


def test_a_bad_status_is_named_and_the_rest_of_the_row_still_checked():
    check = check_rows([{**GOOD, "status": "presented", "ecog": "9"}], CONTEXT)
    assert [(p.column, p.message) for p in check.problems] == [
        ("status", "An import creates draft or submitted cases."),
        ("ecog", "ECOG performance status is 0 to 4."),
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1970-13-05", "'1970-13-05' is written YYYY-MM-DD but is no day of the calendar"),
        ("2025-02-29", "'2025-02-29' is written YYYY-MM-DD but is no day of the calendar"),
        ("05/13/1970", "'05/13/1970' is not a date written YYYY-MM-DD"),
    ],
)
def test_a_date_cell_says_whether_its_format_or_its_day_is_wrong(text, message):
    with pytest.raises(ValueError, match=message):
        parse_date(text)
