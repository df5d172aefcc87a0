"""What a plan letter says, as plain data. Pure: the PDFs are drawn from this, and tests read it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Letterhead:
    """The program's letterhead; empty fields fall back to a plain header."""

    name: str
    address: str = ""
    phone: str = ""
    logo_path: str = ""


@dataclass(frozen=True)
class SpecialtyRecommendation:
    """One specialty's recommendation as printed."""

    specialty: str
    modality: str
    modality_code: str
    intent: str
    sequence: str
    text: str


@dataclass(frozen=True)
class LetterContent:
    """Everything the referrer letter and the patient letter print."""

    letterhead: Letterhead
    letter_date: date
    version: int
    replaces_version: int | None
    correction_reason: str
    recipient_name: str
    recipient_practice: str
    recipient_address: str
    patient_name: str
    patient_first_name: str
    birth_date: date
    mrn: str
    diagnosis: str
    stage: str
    question: str
    conference: str
    conference_date: date
    present: list[tuple[str, str]]  # (specialty, physicians)
    recommendations: list[SpecialtyRecommendation]
    consensus_plan: str
    vote_result: str
    final_plan: str
    next_steps: str
    trials: str
    guideline: str
    second_opinion: str
    signer_name: str
    signer_specialty: str
    listed_standard: str = ""


@dataclass(frozen=True)
class NoticeContent:
    """The one-page notice telling a patient their case will be presented."""

    letterhead: Letterhead
    letter_date: date
    patient_name: str
    patient_first_name: str
    conference: str
    conference_date: date
    physician_name: str


def stage_text(
    not_staged: bool, edition: int | None, clinical: tuple[str | None, ...], pathologic: tuple[str | None, ...]
) -> str:
    """'cT2 cN1 cM0, clinical stage IIB (AJCC 8th edition)', or 'Not yet staged'."""
    if not_staged:
        return "Not yet staged"
    parts = []
    for values, label in ((clinical, "clinical"), (pathologic, "pathologic")):
        *categories, group = values
        given = " ".join(c for c in categories if c)
        if given or group:
            parts.append(
                f"{given}{', ' if given and group else ''}{label + ' stage ' + group if group else ''}".strip()
            )
    if not parts:
        return "Stage not recorded"
    return "; ".join(parts) + (f" (AJCC {edition}th edition)" if edition else "")


PLAIN_MODALITY = {
    "surgery": "an operation",
    "systemic_therapy": "medicines such as chemotherapy, hormone therapy or immunotherapy",
    "radiation": "radiation treatment",
    "active_surveillance": "careful monitoring with regular check-ups instead of treatment for now",
    "further_workup": "more tests before deciding on treatment",
    "palliative_supportive": "care to relieve symptoms and support you",
    "clinical_trial": "taking part in a clinical trial (a research study)",
    "other": "another kind of care",
}


def plain_care(codes: list[str]) -> str:
    """The kinds of care recommended, in words a patient follows, each once and in order."""
    words = list(dict.fromkeys(PLAIN_MODALITY.get(code, PLAIN_MODALITY["other"]) for code in codes))
    if not words:
        return ""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
