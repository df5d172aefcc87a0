"""The MRN format an admin types: refused when it cannot work or could hold a worker; matched with a time limit."""

import pytest

from tumorboard.patterns import describe_pattern, fullmatch, pattern_problem


@pytest.mark.parametrize(
    ("pattern", "example", "words"),
    [
        ("^$", "", "accepts an empty MRN"),  # no new case could ever be entered
        (r"\d*", "", "accepts an empty MRN"),
        ("^(a|aa)+$", "", "takes too long"),  # exponential backtracking even for the regex package
        (r"^(.*a){20}$", "", "takes too long"),
        ("^[A-Z", "", "not a valid regular expression"),
        (r"^\d{8}$", "A1234567", "does not accept the example MRN"),
    ],
)
def test_a_format_that_cannot_work_is_refused_with_the_reason(pattern, example, words):
    assert words in (pattern_problem(pattern, example) or "")


@pytest.mark.parametrize(
    ("pattern", "example"), [(r"^[A-Z0-9]{6,12}$", "A1234567"), (r"^\d{8}$", ""), (r"^H\d{6}$", "H123456")]
)
def test_usual_formats_are_accepted(pattern, example):
    assert pattern_problem(pattern, example) is None


def test_a_stored_format_that_backtracks_answers_no_instead_of_hanging():
    assert fullmatch(r"^\d{8}$", "12345678") and not fullmatch(r"^\d{8}$", "1234567")
    assert not fullmatch("^(a+)+$", "a" * 5000 + "!")  # re.fullmatch would not return for minutes
    assert not fullmatch("^(a|aa)+$", "a" * 5000 + "!")  # slow even for the regex package: cut off at the time limit


@pytest.mark.parametrize(("pattern", "words"), [
    (r"^[A-Z0-9]{6,12}$", "6 to 12 capital letters or digits"),
    (r"^\d{8}$", "8 digits"),
    (r"^[A-Z]{2}[0-9]{6}$", "2 capital letters, then 6 digits"),
    (r"^MRN[0-9]+$", '"MRN", then 1 or more digits'),
    (r"^(MRN|ID)\d+$", None),  # not a simple shape: the message says the program's format, never the regex
])
def test_a_simple_mrn_pattern_is_said_in_words(pattern, words):
    assert describe_pattern(pattern) == words
