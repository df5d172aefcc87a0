"""Checking caseload files and conference logs: every bad row reported, nothing planned when any is wrong."""

from __future__ import annotations

from datetime import date

import pytest

from tumorboard.cases.importer import KnownPatient
from tumorboard.reports.caseload import check_caseload
from tumorboard.reports.conference_log import KnownConference, LogContext, check_log
from tumorboard.vocab import SiteGroup, Specialty

TODAY = date(2026, 11, 21)


def caseload_row(year="2025", site="breast", cases="312") -> dict[str, str]:
    return {"year": year, "site_group": site, "analytic_cases": cases}


def test_a_clean_caseload_file_gives_the_counts():
    check = check_caseload(
        [caseload_row(), caseload_row(site="Thoracic", cases="140.0"), caseload_row(year="2024", cases="0")]
    )
    assert check.problems == []
    assert [(c.year, c.site_group, c.analytic_cases) for c in check.counts] == [
        (2025, SiteGroup.BREAST, 312),
        (2025, SiteGroup.THORACIC, 140),
        (2024, SiteGroup.BREAST, 0),
    ]
    assert check.years == [2024, 2025] and check.total(2025) == 452


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        (caseload_row(site="lung"), "site_group", "not a known site group"),
        (caseload_row(cases="-3"), "analytic_cases", "cannot be negative"),
        (caseload_row(cases="12.5"), "analytic_cases", "not a whole number"),
        (caseload_row(cases="many"), "analytic_cases", "not a whole number"),
        (caseload_row(year="25"), "year", "not a year between"),
        (caseload_row(year=""), "year", "Required"),
        (caseload_row(cases="99999999999999999999"), "analytic_cases", "more than any program sees"),
    ],
)
def test_bad_caseload_rows_are_reported_by_row_and_column(row, column, words):
    check = check_caseload([caseload_row(year="2024"), row])
    assert check.counts == []
    assert [(p.row, p.column) for p in check.problems] == [(3, column)]
    assert words in check.problems[0].message


def test_a_duplicate_year_and_site_group_is_reported():
    check = check_caseload([caseload_row(), caseload_row(site="Breast", cases="1")])
    assert check.problems[0].row == 3 and "already on row 2" in check.problems[0].message


def test_caseload_columns_are_checked():
    assert (
        "Missing columns: analytic_cases"
        in check_caseload([{"year": "2025", "site_group": "breast"}]).problems[0].message
    )
    assert "Unknown columns" in check_caseload([caseload_row() | {"notes": ""}]).problems[0].message
    assert "no rows" in check_caseload([]).problems[0].message


def context(**overrides) -> LogContext:
    values = dict(
        today=TODAY,
        mrn_pattern=r"^[A-Z0-9]{6,12}$",
        series={"breast tumor board": "Breast Tumor Board"},
        conferences={
            ("breast tumor board", date(2025, 3, 4)): KnownConference(11, "held"),
            ("breast tumor board", date(2025, 3, 11)): KnownConference(12, "cancelled"),
        },
        patients={"MRN000001": KnownPatient("Okafor", "Ada", date(1958, 4, 2))},
        cases={("MRN000001", SiteGroup.BREAST): (7, True)},
        presented=frozenset({(11, 7)}),
        attended=frozenset({(11, "sarah kim")}),
        users_by_name={"sarah kim": 3, "omar haddad": 4},
    )
    return LogContext(**(values | overrides))


def log_row(**values: str) -> dict[str, str]:
    row = {
        "conference_date": "2025-03-18",
        "series": "Breast Tumor Board",
        "mrn": "MRN000002",
        "last_name": "Lindqvist",
        "first_name": "Eva",
        "birth_date": "1966-09-30",
        "site_group": "breast",
        "analytic": "yes",
        "prospective": "yes",
        "stage_discussed": "yes",
        "guideline_discussed": "no",
        "trial_discussed": "no",
    }
    return row | values


def attendance_row(**values: str) -> dict[str, str]:
    return {
        "conference_date": "2025-03-18",
        "series": "Breast Tumor Board",
        "name": "Omar Haddad",
        "specialty": "pathology",
    } | values


def test_a_clean_log_plans_presentations_and_attendance_and_skips_what_is_already_there():
    check = check_log(
        [
            log_row(),
            log_row(
                conference_date="2025-03-04",
                mrn="MRN000001",
                last_name="okafor",
                first_name="Ada",
                birth_date="1958-04-02",
            ),
            log_row(series="Sarcoma Board", site_group="sarcoma", prospective="no"),
        ],
        [
            attendance_row(),
            attendance_row(conference_date="2025-03-04", name="Sarah  Kim", specialty="surgery"),
            attendance_row(name="Visiting Fellow", specialty="Medical oncology"),
        ],
        context(),
    )
    assert check.problems == []
    assert check.already_imported == 2  # MRN000001 at conference 11, Sarah Kim at conference 11
    assert [(p.conference, p.case, p.prospective) for p in check.presentations] == [
        (("breast tumor board", date(2025, 3, 18)), ("MRN000002", SiteGroup.BREAST), True),
        (("sarcoma board", date(2025, 3, 18)), ("MRN000002", SiteGroup.SARCOMA), False),
    ]
    assert check.new_series == {"sarcoma board": "Sarcoma Board"}
    assert check.series_site_groups["sarcoma board"] == {SiteGroup.SARCOMA}
    assert [(a.name, a.specialty, a.user_id) for a in check.attendance] == [
        ("Omar Haddad", Specialty.PATHOLOGY, 4),
        ("Visiting Fellow", Specialty.MEDICAL_ONCOLOGY, None),
    ]


def test_every_bad_row_of_both_files_is_reported_and_nothing_planned():
    check = check_log(
        [
            log_row(),  # fine
            log_row(conference_date="2025-02-30"),  # no such date
            log_row(conference_date="2027-01-05"),  # future
            log_row(conference_date="2025-03-11"),  # cancelled in TumorBoard
            log_row(site_group="lung"),  # unknown site group
            log_row(prospective="maybe"),  # not yes/no
            log_row(mrn="MRN000001"),  # another person's MRN
            log_row(),  # same case, same conference as row 2
            log_row(
                conference_date="2025-04-01",
                mrn="MRN000001",
                last_name="Okafor",
                first_name="Ada",
                birth_date="1958-04-02",
                analytic="no",
            ),
            log_row(mrn="bad mrn", last_name=""),
        ],
        [attendance_row(), attendance_row(name="omar haddad"), attendance_row(specialty="wizardry", name="X")],
        context(),
    )
    assert check.presentations == [] and check.attendance == [] and check.new_series == {}
    found = {(p.file, p.row, p.column) for p in check.problems}
    assert found == {
        ("presentations", 3, "conference_date"),
        ("presentations", 4, "conference_date"),
        ("presentations", 5, "conference_date"),
        ("presentations", 6, "site_group"),
        ("presentations", 7, "prospective"),
        ("presentations", 8, "mrn"),
        ("presentations", 9, "mrn"),
        ("presentations", 10, "analytic"),
        ("presentations", 11, "mrn"),
        ("presentations", 11, "last_name"),
        ("attendance", 3, "name"),
        ("attendance", 4, "specialty"),
    }


def test_the_same_case_cannot_be_analytic_on_one_row_and_not_on_another():
    check = check_log([log_row(), log_row(conference_date="2025-04-01", analytic="no")], None, context())
    assert [(p.row, p.column) for p in check.problems] == [(3, "analytic")]


def test_a_log_needs_at_least_one_file_and_its_columns():
    assert "Give a presentations file" in check_log(None, None, context()).problems[0].message
    check = check_log([{"conference_date": "2025-03-18"}], None, context())
    assert check.problems[0].file == "presentations" and check.problems[0].message.startswith("Missing columns: series")
