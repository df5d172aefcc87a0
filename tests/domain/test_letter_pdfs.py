"""Letters as PDFs: every section is there, nothing that must not be, and the same content gives the same bytes."""

import hashlib
from datetime import date
from io import BytesIO

import pypdf
import pytest

from tumorboard.letters.content import (
    LetterContent,
    Letterhead,
    NoticeContent,
    SpecialtyRecommendation,
    plain_care,
    stage_text,
)
from tumorboard.letters.pdf import notice_pdf, patient_letter_pdf, referrer_letter_pdf

CONTENT = LetterContent(
    letterhead=Letterhead(
        "Riverside Regional Cancer Center", "1200 Riverside Drive\nAlbany, NY 12208", "(518) 555-0142"
    ),
    letter_date=date(2026, 11, 21),
    version=1,
    replaces_version=None,
    correction_reason="",
    recipient_name="Dr. Anne Whitaker",
    recipient_practice="Lakeside Family Medicine",
    recipient_address="12 Harbor Road\nLakeside, NY 14750",
    patient_name="Maria Lockhart",
    patient_first_name="Maria",
    birth_date=date(1958, 4, 2),
    mrn="TB400007",
    diagnosis="Breast: Invasive ductal carcinoma, left",
    stage="cT2 cN1 cM0, clinical stage IIB (AJCC 8th edition)",
    question="Neoadjuvant therapy before surgery?",
    conference="Breast Tumor Board",
    conference_date=date(2026, 11, 17),
    present=[("Medical oncology", "Sarah Kim"), ("Surgery", "Elena Vasquez")],
    recommendations=[
        SpecialtyRecommendation(
            "Medical oncology", "Systemic therapy", "systemic_therapy", "curative", "neoadjuvant", "ddAC-T"
        ),
        SpecialtyRecommendation("Surgery", "Surgery", "surgery", "curative", "", "Lumpectomy after chemotherapy"),
    ],
    consensus_plan="Neoadjuvant chemotherapy, then lumpectomy",
    vote_result="unanimous (6 agree, 0 disagree, 1 abstain)",
    final_plan="Neoadjuvant ddAC-T, then lumpectomy with sentinel node biopsy and whole-breast radiation",
    next_steps="Medical oncology visit within 7 days; port placement; genetics referral.",
    trials="Clinical trials discussed: NRG-BR007.",
    guideline="NCCN Breast Cancer 4.2026. The plan is concordant with it.",
    second_opinion="",
    signer_name="Sarah Kim, MD",
    signer_specialty="Medical oncology",
)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(BytesIO(pdf)).pages)


def test_the_referrer_letter_has_every_section_on_at_most_two_pages():
    pdf = referrer_letter_pdf(CONTENT)
    text = text_of(pdf)
    for expected in (
        "Riverside Regional Cancer Center",
        "November 21, 2026",
        "Dr. Anne Whitaker",
        "Maria Lockhart",
        "1958-04-02",
        "TB400007",
        "Diagnosis and stage",
        "cT2 cN1 cM0, clinical stage IIB",
        "Question for the board",
        "Neoadjuvant therapy before surgery?",
        "Breast Tumor Board, November 17, 2026",
        "Specialties present",
        "Medical oncology: Sarah Kim",
        "Recommendations by specialty",
        "ddAC-T",
        "Consensus plan",
        "Vote of the board: unanimous (6 agree, 0 disagree, 1 abstain)",
        "Final plan",
        "Clinical trials",
        "NRG-BR007",
        "Guideline",
        "NCCN Breast Cancer 4.2026",
        "Next steps",
        "genetics referral",
        "Sincerely",
        "Sarah Kim, MD",
        "Medical oncology, managing physician",
    ):
        assert expected in text, expected
    assert len(pypdf.PdfReader(BytesIO(pdf)).pages) <= 2
    assert "Version" not in text  # a first version does not call itself one


def test_a_correction_names_the_version_it_replaces():
    from dataclasses import replace

    text = text_of(
        referrer_letter_pdf(replace(CONTENT, version=2, replaces_version=1, correction_reason="ECOG corrected"))
    )
    assert "Version 2, correcting version 1: ECOG corrected" in text


def test_the_patient_letter_is_plain_and_leaves_out_codes_and_votes():
    text = text_of(patient_letter_pdf(CONTENT))
    assert (
        "Dear Maria" in text
        and "What the team suggests" in text
        and "What happens next" in text
        and "Research studies" in text
    )
    assert (
        "In short, the doctors recommend medicines such as chemotherapy, hormone therapy or immunotherapy and an "
        "operation." in text
    )
    for absent in ("cT2", "TB400007", "6 agree", "Dr. Anne Whitaker", "AJCC"):
        assert absent not in text


def test_the_notice_says_when_and_nothing_clinical():
    text = text_of(
        notice_pdf(
            NoticeContent(
                CONTENT.letterhead,
                date(2026, 11, 20),
                "Maria Lockhart",
                "Maria",
                "Breast Tumor Board",
                date(2026, 11, 24),
                "Sarah Kim, MD",
            )
        )
    )
    assert "Tuesday, November 24, 2026" in text and "Sarah Kim, MD" in text
    assert "carcinoma" not in text and "TB400007" not in text


def test_the_same_content_gives_the_same_bytes():
    assert (
        hashlib.sha256(referrer_letter_pdf(CONTENT)).hexdigest()
        == hashlib.sha256(referrer_letter_pdf(CONTENT)).hexdigest()
    )


def test_no_letterhead_falls_back_to_a_plain_header():
    from dataclasses import replace

    text = text_of(referrer_letter_pdf(replace(CONTENT, letterhead=Letterhead("", logo_path="/no/such/logo.png"))))
    assert "Multidisciplinary Cancer Conference" in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((True, 8, ("cT2",) * 4, (None,) * 4), "Not yet staged"),
        ((False, 8, ("cT2", "cN0", "cM0", "IIA"), (None,) * 4), "cT2 cN0 cM0, clinical stage IIA (AJCC 8th edition)"),
        ((False, 8, (None,) * 4, ("ypT1c", "pN0", None, "IA")), "ypT1c pN0, pathologic stage IA (AJCC 8th edition)"),
        ((False, None, (None,) * 4, (None,) * 4), "Stage not recorded"),
    ],
)
def test_stage_text(args, expected):
    assert stage_text(*args) == expected


def test_plain_care_lists_each_kind_once():
    assert plain_care(["surgery", "surgery", "radiation"]) == "an operation and radiation treatment"
    assert plain_care([]) == ""
