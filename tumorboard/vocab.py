"""Closed vocabularies: the codes stored in the database, read from imports and written to exports.

Pure Python: imports accept a code or its label case-insensitively (`parse`),
exports write codes (`.value`).
"""

from __future__ import annotations

import re
from enum import StrEnum
from functools import cache
from typing import Self


class Vocabulary(StrEnum):
    """A closed vocabulary whose members have a code (the value) and a label."""

    @property
    def label(self) -> str:
        """Human-readable label."""
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())

    @classmethod
    def from_code(cls, code: object) -> Self | None:
        """The member whose code is exactly `code` (a form or URL value), or None."""
        return next((member for member in cls if member.value == code), None)

    @classmethod
    def parse(cls, text: str) -> Self:
        """The member whose code or label matches `text`, ignoring case; ValueError otherwise."""
        wanted = " ".join(str(text).replace("_", " ").split()).casefold()
        if (member := _spellings(cls).get(wanted)) is not None:
            return member
        noun = re.sub(r"(?<!^)([A-Z])", r" \1", cls.__name__).lower()
        raise ValueError(f"'{text}' is not a known {noun} (expected one of: {', '.join(cls)})")


@cache
def _spellings(kind: type[Vocabulary]) -> dict[str, Vocabulary]:
    """Every member of a vocabulary by its code and its label, casefolded (the first member wins a clash)."""
    table: dict[str, Vocabulary] = {}
    for member in reversed(list(kind)):
        table[member.label.casefold()] = member
        table[member.value.replace("_", " ").casefold()] = member
    return table


_LABELS = {
    "upper_gi": "Upper GI",
    "hepatobiliary_pancreas": "Hepatobiliary & pancreas",
    "bladder_kidney": "Bladder & kidney",
    "head_neck": "Head & neck",
    "cns": "CNS",
    "skin_melanoma": "Skin & melanoma",
    "diagnostic_radiology": "Diagnostic radiology",
    "in_person": "In person",
    "listed_not_discussed": "Listed, not discussed",
    "plan_finalized": "Plan finalized",
    "letter_sent": "Letter sent",
    "not_applicable": "Not applicable",
    "more_tests_needed": "More tests needed",
    "re_present": "Re-present at next meeting",
    "third_opinion": "Refer for a third opinion",
    "defer": "Defer for more workup",
    "e_mail": "E-mail",
    "slides_blocks": "Slides and blocks",
    "not_checked": "Not checked yet",
    "staff": "Taken in by staff",
    "web_request": "Public request form",
    "web_referral": "Public referral form",
}


class Role(Vocabulary):
    """What a login may do; a user may hold several."""

    PHYSICIAN = "physician"
    COORDINATOR = "coordinator"
    NAVIGATOR = "navigator"
    ADMIN = "admin"
    AUDITOR = "auditor"


class SiteGroup(Vocabulary):
    """Primary site groups used to route cases to site-specific conferences."""

    BREAST = "breast"
    THORACIC = "thoracic"
    COLORECTAL = "colorectal"
    UPPER_GI = "upper_gi"
    HEPATOBILIARY_PANCREAS = "hepatobiliary_pancreas"
    PROSTATE = "prostate"
    BLADDER_KIDNEY = "bladder_kidney"
    GYNECOLOGIC = "gynecologic"
    HEAD_NECK = "head_neck"
    CNS = "cns"
    SKIN_MELANOMA = "skin_melanoma"
    HEMATOLOGIC = "hematologic"
    SARCOMA = "sarcoma"
    ENDOCRINE = "endocrine"
    OTHER = "other"


class Specialty(Vocabulary):
    """Clinical specialty of a user or of a recommendation."""

    SURGERY = "surgery"
    MEDICAL_ONCOLOGY = "medical_oncology"
    RADIATION_ONCOLOGY = "radiation_oncology"
    DIAGNOSTIC_RADIOLOGY = "diagnostic_radiology"
    PATHOLOGY = "pathology"
    UROLOGY = "urology"
    GASTROENTEROLOGY = "gastroenterology"
    PULMONOLOGY = "pulmonology"
    GYNECOLOGIC_ONCOLOGY = "gynecologic_oncology"
    NEUROSURGERY = "neurosurgery"
    DERMATOLOGY = "dermatology"
    HEMATOLOGY = "hematology"
    GENETICS = "genetics"
    PALLIATIVE_CARE = "palliative_care"
    NURSING = "nursing"
    CLINICAL_RESEARCH = "clinical_research"
    SOCIAL_WORK = "social_work"
    PHARMACY = "pharmacy"
    OTHER = "other"


# The Commission on Cancer's required physician specialties, in its order.
COC_REQUIRED_SPECIALTIES: tuple[Specialty, ...] = (
    Specialty.SURGERY,
    Specialty.MEDICAL_ONCOLOGY,
    Specialty.RADIATION_ONCOLOGY,
    Specialty.DIAGNOSTIC_RADIOLOGY,
    Specialty.PATHOLOGY,
)


class Sex(Vocabulary):
    """Administrative sex as recorded by the registry."""

    FEMALE = "female"
    MALE = "male"
    OTHER = "other"
    UNKNOWN = "unknown"


class Laterality(Vocabulary):
    """Side of a paired organ."""

    LEFT = "left"
    RIGHT = "right"
    BILATERAL = "bilateral"
    MIDLINE = "midline"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class CaseSource(Vocabulary):
    """Where a case came from."""

    INTERNAL = "internal"
    SECOND_OPINION = "second_opinion"


class Urgency(Vocabulary):
    """How soon the board must see a case."""

    ROUTINE = "routine"
    URGENT = "urgent"


class CaseStatus(Vocabulary):
    """Where a case is in the workflow (moves are in `cases.workflow`)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    SCHEDULED = "scheduled"
    PRESENTED = "presented"
    PLAN_FINALIZED = "plan_finalized"
    LETTER_SENT = "letter_sent"
    DEFERRED = "deferred"
    WITHDRAWN = "withdrawn"


class ConferenceStatus(Vocabulary):
    """State of one conference occurrence."""

    SCHEDULED = "scheduled"
    HELD = "held"
    CANCELLED = "cancelled"


class PresentationReason(Vocabulary):
    """Why a case is presented; decides whether the presentation is prospective."""

    PRE_TREATMENT = "pre_treatment"
    FURTHER_TREATMENT = "further_treatment"
    RECURRENCE = "recurrence"
    REVIEW = "review"


class PresentationTrack(Vocabulary):
    """Discussed at the meeting, or listed under an agreed standard of care."""

    DISCUSSED = "discussed"
    LISTED_NOT_DISCUSSED = "listed_not_discussed"


class PresentationStatus(Vocabulary):
    """State of one agenda item."""

    PLANNED = "planned"
    IN_DISCUSSION = "in_discussion"
    CLOSED = "closed"
    NOT_REACHED = "not_reached"


class AttendanceMode(Vocabulary):
    """How an attendee took part."""

    IN_PERSON = "in_person"
    VIRTUAL = "virtual"


class Modality(Vocabulary):
    """Treatment modality of a specialty's recommendation."""

    SURGERY = "surgery"
    SYSTEMIC_THERAPY = "systemic_therapy"
    RADIATION = "radiation"
    ACTIVE_SURVEILLANCE = "active_surveillance"
    FURTHER_WORKUP = "further_workup"
    PALLIATIVE_SUPPORTIVE = "palliative_supportive"
    CLINICAL_TRIAL = "clinical_trial"
    OTHER = "other"


class Intent(Vocabulary):
    """Treatment intent."""

    CURATIVE = "curative"
    PALLIATIVE = "palliative"


class VoteChoice(Vocabulary):
    """A physician's vote on the consensus plan."""

    AGREE = "agree"
    DISAGREE = "disagree"
    ABSTAIN = "abstain"


class VoteResult(Vocabulary):
    """Outcome of the vote on a consensus plan."""

    UNANIMOUS = "unanimous"
    CONSENSUS = "consensus"
    NO_CONSENSUS = "no_consensus"


class NoConsensusAction(Vocabulary):
    """What the board does when there is no consensus."""

    RE_PRESENT = "re_present"
    DEFER = "defer"
    THIRD_OPINION = "third_opinion"


class DiagnosisOpinion(Vocabulary):
    """Second opinion on the outside diagnosis."""

    CONFIRMED = "confirmed"
    CHANGED = "changed"
    MORE_TESTS_NEEDED = "more_tests_needed"


class PlanOpinion(Vocabulary):
    """Second opinion on the outside plan."""

    AGREED = "agreed"
    MODIFIED = "modified"
    DIFFERENT = "different"


class Implementation(Vocabulary):
    """Whether the recommended plan was carried out."""

    YES = "yes"
    PARTLY = "partly"
    NO = "no"


class NonImplementationReason(Vocabulary):
    """Why a recommended plan was not (fully) carried out."""

    PATIENT_CHOICE = "patient_choice"
    CLINICAL_CHANGE = "clinical_change"
    PATIENT_DID_NOT_ATTEND = "patient_did_not_attend"
    CLINICIAN_DECISION = "clinician_decision"
    OTHER = "other"


class LetterKind(Vocabulary):
    """Which document a plan letter is."""

    REFERRER = "referrer"
    PATIENT = "patient"
    PRESENTATION_NOTICE = "presentation_notice"


class DispatchMethod(Vocabulary):
    """How a letter was sent."""

    PORTAL = "portal"
    FAX = "fax"
    MAIL = "mail"
    E_MAIL = "e_mail"


class Requester(Vocabulary):
    """Who asked for a second opinion."""

    PATIENT = "patient"
    CAREGIVER = "caregiver"
    REFERRING_PROVIDER = "referring_provider"


class InsuranceStatus(Vocabulary):
    """Insurance verification for a second-opinion request."""

    NOT_STARTED = "not_started"
    PENDING = "pending"
    VERIFIED = "verified"
    DENIED = "denied"
    SELF_PAY = "self_pay"


class PriorAuthorization(Vocabulary):
    """Whether the payer must authorize the visit first, and where that stands."""

    NOT_CHECKED = "not_checked"
    NOT_NEEDED = "not_needed"
    NEEDED = "needed"
    REQUESTED = "requested"
    APPROVED = "approved"
    DENIED = "denied"


class RequestSource(Vocabulary):
    """How a second-opinion request came in."""

    STAFF = "staff"
    WEB_REQUEST = "web_request"
    WEB_REFERRAL = "web_referral"


class SecondOpinionStatus(Vocabulary):
    """Where a second-opinion request is."""

    OPEN = "open"
    RECORDS_COMPLETE = "records_complete"
    CASE_CREATED = "case_created"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RecordKind(Vocabulary):
    """Outside records the board needs for a second opinion."""

    PATHOLOGY_REPORT = "pathology_report"
    SLIDES_BLOCKS = "slides_blocks"
    IMAGING_REPORTS = "imaging_reports"
    IMAGES = "images"
    LABS = "labs"
    OPERATIVE_NOTES = "operative_notes"
    GENETIC_TESTS = "genetic_tests"
    MEDICATION_LIST = "medication_list"
    TREATMENT_SUMMARY = "treatment_summary"


class RecordState(Vocabulary):
    """State of one outside record."""

    NEEDED = "needed"
    REQUESTED = "requested"
    RECEIVED = "received"
    NOT_APPLICABLE = "not_applicable"


class BoardRole(Vocabulary):
    """What a member is on a board: a chair (one or more) or the deputy (one) run its meetings."""

    MEMBER = "member"
    CHAIR = "chair"
    DEPUTY = "deputy"


class RecordType(Vocabulary):
    """What an audit entry is about (its entity type): a closed list, so the audit log's filter is one too."""

    CASE = "case"
    PATIENT = "patient"
    SECOND_OPINION = "second_opinion"
    PRESENTATION = "presentation"
    LETTER = "letter"
    CONFERENCE = "conference"
    SERIES = "series"
    USER = "user"
    PROGRAM_SETTINGS = "program_settings"
    ANALYTIC_CASELOAD = "analytic_caseload"
    CONFERENCE_LOG = "conference_log"
    ACCREDITATION_PRESENTATIONS = "accreditation_presentations"
    ATTENDANCE_CERTIFICATE = "attendance_certificate"
    AUDIT_LOG = "audit_log"
    PROGRAM = "program"  # the demo program, seeded

    @property
    def label(self) -> str:
        """Human-readable label (its own words where a code alone would mislead)."""
        return _RECORD_LABELS.get(self.value) or super().label


_RECORD_LABELS = {
    "second_opinion": "Second-opinion request",
    "presentation": "Presentation (a case at a conference)",
    "series": "Conference series",
    "accreditation_presentations": "Accreditation list of presentations",
}


_TRUE = {"yes", "y", "true", "1"}
_FALSE = {"no", "n", "false", "0"}


def parse_yes_no(text: object) -> bool:
    """Read a yes/no field from a file (yes/no, y/n, true/false, 1/0)."""
    word = str(text).strip().casefold()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise ValueError(f"{text!r} is not yes or no")
