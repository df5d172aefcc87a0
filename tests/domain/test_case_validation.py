"""Case validation: the same rules for the form and the import."""

from dataclasses import replace
from datetime import date

import pytest

from tumorboard.cases.validation import CaseInput, parse_biomarkers, validate_case
from tumorboard.vocab import Sex, SiteGroup

TODAY = date(2026, 11, 21)
PATTERN = r"^[A-Z0-9]{6,12}$"
DRAFT = CaseInput(
    mrn="TB400007",
    last_name="Lockhart",
    first_name="Maria",
    birth_date=date(1958, 4, 2),
    sex=Sex.FEMALE,
    site_group=SiteGroup.BREAST,
)
COMPLETE = replace(
    DRAFT,
    histology="Invasive ductal carcinoma",
    diagnosis_date=date(2026, 10, 30),
    ajcc_edition=8,
    clinical_t="T2",
    clinical_n="N1",
    clinical_m="M0",
    clinical_stage="IIB",
    ecog=1,
    question="Neoadjuvant therapy?",
    imaging_to_review="MRI breast",
    pathology_to_review="Core biopsy",
    presenting_physician_id=1,
    managing_physician_id=2,
    referring_name="Dr. Anne Whitaker",
)


def problems_of(data: CaseInput, complete: bool) -> dict[str, list[str]]:
    return validate_case(data, TODAY, PATTERN, complete)[1].by_field


def test_a_complete_case_passes_and_is_normalized():
    data, problems = validate_case(COMPLETE, TODAY, PATTERN, complete=True)
    assert not problems
    assert (data.clinical_t, data.clinical_n, data.clinical_m, data.clinical_stage) == ("cT2", "cN1", "cM0", "IIB")


def test_a_draft_needs_only_the_patient_and_site():
    assert problems_of(DRAFT, complete=False) == {}


@pytest.mark.parametrize(
    ("changes", "field_name", "message"),
    [
        ({"mrn": ""}, "mrn", "Give the patient's MRN"),
        ({"mrn": "tb-1"}, "mrn", "An MRN here is 6 to 12 capital letters or digits."),
        ({"last_name": "  "}, "last_name", "last name"),
        ({"birth_date": None}, "birth_date", "Give the date of birth"),
        ({"birth_date": date(2027, 1, 1)}, "birth_date", "in the future"),
        ({"site_group": None}, "site_group", "site group"),
        ({"diagnosis_date": date(1950, 1, 1)}, "diagnosis_date", "before the date of birth"),
        ({"diagnosis_date": date(2026, 11, 22)}, "diagnosis_date", "in the future"),
        (
            {"first_course_started_on": date(2026, 10, 1), "diagnosis_date": date(2026, 10, 30)},
            "first_course_started_on",
            "before the diagnosis",
        ),
        ({"ecog": 5}, "ecog", "0 to 4"),
        ({"ecog": -1}, "ecog", "0 to 4"),
        ({"clinical_t": "T2", "ajcc_edition": None}, "ajcc_edition", "AJCC edition"),
        ({"clinical_t": "T9", "ajcc_edition": 8}, "clinical_t", "not an AJCC 8th edition T category"),
        ({"clinical_stage": "IA3", "ajcc_edition": 7}, "clinical_stage", "not an AJCC 7th edition stage group"),
        ({"pathologic_n": "cN1", "ajcc_edition": 8}, "pathologic_n", "not an AJCC"),
        ({"not_staged": True, "clinical_t": "T2", "ajcc_edition": 8}, "clinical_t", "not yet staged"),
        ({"primary_site": "breast"}, "primary_site", "ICD-O-3"),
        ({"class_of_case": "55"}, "class_of_case", "NAACCR"),
        ({"class_of_case": "32", "analytic": True}, "class_of_case", "non-analytic"),
        ({"biomarkers": (("ER", "positive"), ("er", "negative"))}, "biomarkers", "once"),
    ],
)
def test_rules_for_every_case(changes, field_name, message):
    problems = problems_of(replace(DRAFT, **changes), complete=False)
    assert any(message in m for m in problems.get(field_name, [])), problems


@pytest.mark.parametrize(
    "missing",
    [
        "histology",
        "diagnosis_date",
        "ecog",
        "question",
        "imaging_to_review",
        "pathology_to_review",
        "presenting_physician_id",
        "managing_physician_id",
        "referring_name",
    ],
)
def test_submitting_requires_what_the_board_needs(missing):
    empty = None if missing in ("diagnosis_date", "ecog", "presenting_physician_id", "managing_physician_id") else ""
    problems = problems_of(replace(COMPLETE, **{missing: empty}), complete=True)
    assert list(problems) == [missing]


def test_submitting_requires_a_stage_or_not_staged():
    unstaged = replace(COMPLETE, clinical_t="", clinical_n="", clinical_m="", clinical_stage="")
    assert "clinical_stage" in problems_of(unstaged, complete=True)
    assert problems_of(replace(unstaged, not_staged=True), complete=True) == {}
    pathologic = replace(unstaged, pathologic_t="ypT1c", pathologic_n="pN0", pathologic_stage="IA")
    assert problems_of(pathologic, complete=True) == {}


@pytest.mark.parametrize(("given", "stored"), [("c509", "C50.9"), ("C50.4", "C50.4"), ("c18.7", "C18.7")])
def test_topography_is_normalized(given, stored):
    data, problems = validate_case(replace(DRAFT, primary_site=given), TODAY, PATTERN, complete=False)
    assert not problems and data.primary_site == stored


@pytest.mark.parametrize(
    ("text", "pairs"),
    [
        ("", ()),
        ("ER = positive", (("ER", "positive"),)),
        ("ER=positive; PR = negative", (("ER", "positive"), ("PR", "negative"))),
        ("PD-L1 TPS = 60%\nEGFR = exon 19 deletion\n", (("PD-L1 TPS", "60%"), ("EGFR", "exon 19 deletion"))),
    ],
)
def test_biomarkers_are_read_as_pairs(text, pairs):
    assert parse_biomarkers(text) == pairs


@pytest.mark.parametrize("text", ["ER positive", "= positive", "ER ="])
def test_unreadable_biomarkers_are_refused(text):
    with pytest.raises(ValueError):
        parse_biomarkers(text)


def test_every_text_is_stripped_and_its_length_checked_after_stripping():
    data, problems = validate_case(
        replace(DRAFT, last_name="  Lockhart ", histology=" x" * 150, mrn=f" {DRAFT.mrn}\n"), TODAY, PATTERN, False
    )
    assert (data.last_name, data.mrn) == ("Lockhart", DRAFT.mrn)
    assert problems.by_field == {"histology": ["Use at most 200 characters."]}  # 299 characters once stripped
    assert not validate_case(replace(DRAFT, referring_name=" " * 130 + "Dr Park"), TODAY, PATTERN, False)[1]
