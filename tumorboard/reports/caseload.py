"""Checking the registry's annual analytic caseload file (CSV or XLSX): `year, site_group, analytic_cases`. Pure.

All or nothing: every problem is reported by row and column, or the counts to store are returned.
A year in the file replaces that whole year (every site group) when it is imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tumorboard.cases.importer import Problem, check_columns, whole_number
from tumorboard.text import as_sentence
from tumorboard.vocab import SiteGroup

COLUMNS = ("year", "site_group", "analytic_cases")
FIRST_YEAR, LAST_YEAR = 1990, 2200
# The largest programs see some 20,000 analytic cases a year in all; a site group's count above this is a typing error
# (and a year's total must fit the database's integer).
MAX_ANALYTIC_CASES = 1_000_000


@dataclass(frozen=True)
class CaseloadCount:
    """Analytic cases of one year and site group."""

    year: int
    site_group: SiteGroup
    analytic_cases: int


@dataclass
class CaseloadCheck:
    """Problems, or the counts to store."""

    problems: list[Problem] = field(default_factory=list)
    counts: list[CaseloadCount] = field(default_factory=list)

    @property
    def years(self) -> list[int]:
        """The years the file replaces."""
        return sorted({count.year for count in self.counts})

    def total(self, year: int) -> int:
        """The analytic cases of `year` in the file."""
        return sum(count.analytic_cases for count in self.counts if count.year == year)


def check_caseload(rows: Iterable[dict[str, str]]) -> CaseloadCheck:
    """Check every row; nothing is written here."""
    rows = list(rows)
    check = CaseloadCheck()
    check.problems, readable = check_columns(rows, COLUMNS, COLUMNS)
    if not readable:
        return check
    seen: dict[tuple[int, SiteGroup], int] = {}
    for index, cells in enumerate(rows):
        row = index + 2
        if not any(cells.values()):
            continue
        problems: list[Problem] = []
        year = _read(cells, "year", _year, row, problems)
        site = _read(cells, "site_group", SiteGroup.parse, row, problems)
        cases = _read(cells, "analytic_cases", _count, row, problems)
        if year is not None and site is not None:
            if (year, site) in seen:
                problems.append(
                    Problem(row, "site_group", f"{year} {site.label} is already on row {seen[year, site]}.")
                )
            seen.setdefault((year, site), row)
        check.problems += problems
        if not problems:
            check.counts.append(CaseloadCount(year, site, cases))
    if check.problems:
        check.counts = []
    return check


def _read(cells: dict[str, str], column: str, reader, row: int, problems: list[Problem]):
    text = cells.get(column, "")
    if not text:
        problems.append(Problem(row, column, "Required."))
        return None
    try:
        return reader(text)
    except ValueError as error:
        problems.append(Problem(row, column, as_sentence(error)))
        return None


def _year(text: str) -> int:
    year = whole_number(text)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"{year} is not a year between {FIRST_YEAR} and {LAST_YEAR}")
    return year


def _count(text: str) -> int:
    count = whole_number(text)
    if count < 0:
        raise ValueError("a count of cases cannot be negative")
    if count > MAX_ANALYTIC_CASES:
        raise ValueError(
            f"{count:,} analytic cases in one site group and year is more than any program sees (at most "
            f"{MAX_ANALYTIC_CASES:,})"
        )
    return count
