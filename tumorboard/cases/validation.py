"""What a case must contain, checked the same way for the form and the import. Pure.

Field names are the form's and the import file's column names, so a message
lands next to the right field or in the right column of the import report.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date

from tumorboard.cases.ajcc import normalize_category, normalize_stage_group
from tumorboard.patterns import describe_pattern, fullmatch
from tumorboard.text import as_sentence
from tumorboard.vocab import CaseSource, Laterality, Sex, SiteGroup, Urgency

ANALYTIC_CLASSES = frozenset({"00", "10", "11", "12", "13", "14", "20", "21", "22"})
NON_ANALYTIC_CLASSES = frozenset(
    {"30", "31", "32", "33", "34", "35", "36", "37", "38", "40", "41", "42", "43", "49", "99"}
)
TOPOGRAPHY = re.compile(r"^C(\d{2})\.?(\d)$", re.IGNORECASE)
TNM_FIELDS = {
    "clinical_t": ("clinical", "T"),
    "clinical_n": ("clinical", "N"),
    "clinical_m": ("clinical", "M"),
    "pathologic_t": ("pathologic", "T"),
    "pathologic_n": ("pathologic", "N"),
    "pathologic_m": ("pathologic", "M"),
}
STAGE_FIELDS = ("clinical_stage", "pathologic_stage")
# Column sizes: a longer value is refused here, not by the database.
MAX_LENGTHS = {
    "mrn": 32,
    "last_name": 80,
    "first_name": 80,
    "primary_site": 8,
    "histology": 200,
    "referring_name": 120,
    "referring_practice": 200,
    "class_of_case": 2,
    **{
        name: 12
        for name in (
            "clinical_t",
            "clinical_n",
            "clinical_m",
            "clinical_stage",
            "pathologic_t",
            "pathologic_n",
            "pathologic_m",
            "pathologic_stage",
        )
    },
}
MAX_TEXT = 5000
# Needed before the board can discuss a case (a draft may lack them).
REQUIRED_TO_SUBMIT = {
    "histology": "the histology",
    "diagnosis_date": "the date of diagnosis",
    "ecog": "the ECOG performance status",
    "question": "the question for the board",
    "imaging_to_review": "the imaging to review (or 'none')",
    "pathology_to_review": "the pathology to review (or 'none')",
    "presenting_physician_id": "the presenting physician",
    "managing_physician_id": "the managing physician",
    "referring_name": "the referring physician",
}


@dataclass(frozen=True)
class PatientIdentity:
    """Who the patient is: what a case and a second-opinion request both give."""

    mrn: str = ""
    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    sex: Sex | None = None


@dataclass(frozen=True)
class CaseInput(PatientIdentity):
    """Everything a presenter gives for one case, already typed (None or '' when not given)."""

    site_group: SiteGroup | None = None
    primary_site: str = ""
    histology: str = ""
    laterality: Laterality = Laterality.NOT_APPLICABLE
    diagnosis_date: date | None = None
    not_staged: bool = False
    ajcc_edition: int | None = None
    clinical_t: str = ""
    clinical_n: str = ""
    clinical_m: str = ""
    clinical_stage: str = ""
    pathologic_t: str = ""
    pathologic_n: str = ""
    pathologic_m: str = ""
    pathologic_stage: str = ""
    ecog: int | None = None
    biomarkers: tuple[tuple[str, str], ...] = ()
    prior_treatment: str = ""
    current_treatment: str = ""
    first_course_started_on: date | None = None
    question: str = ""
    proposed_plan: str = ""
    imaging_to_review: str = ""
    pathology_to_review: str = ""
    presenting_physician_id: int | None = None
    managing_physician_id: int | None = None
    referring_name: str = ""
    referring_practice: str = ""
    referring_address: str = ""
    source: CaseSource = CaseSource.INTERNAL
    urgency: Urgency = Urgency.ROUTINE
    requested_series_id: int | None = None
    analytic: bool = True
    class_of_case: str = ""

    @classmethod
    def of(cls, values: Mapping[str, object]) -> CaseInput:
        """The input with these fields (the others at their defaults), as `CaseInput(**values)` gives it but without
        the generated __init__ of a frozen dataclass, which sets the 44 fields one call at a time (8 us a row of an
        import; this takes 1). The class has no __post_init__ to skip."""
        if not values.keys() <= CASE_DEFAULTS.keys():
            raise TypeError(f"CaseInput has no field {sorted(values.keys() - CASE_DEFAULTS.keys())[0]!r}")
        data = object.__new__(cls)
        vars(data).update(CASE_DEFAULTS, **values)
        return data


CASE_DEFAULTS = {f.name: f.default for f in fields(CaseInput)}
# Every text field, with its longest value (the import reads this for every row: looked up once here).
TEXT_LIMITS = {f.name: MAX_LENGTHS.get(f.name, MAX_TEXT) for f in fields(CaseInput) if f.type in ("str", str)}
STAGED_FIELDS = (*TNM_FIELDS, *STAGE_FIELDS)


@dataclass
class Problems:
    """Messages by field name."""

    by_field: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        """Record a problem with `name`."""
        self.by_field.setdefault(name, []).append(message)

    def __bool__(self) -> bool:
        return bool(self.by_field)


def parse_biomarkers(text: str) -> tuple[tuple[str, str], ...]:
    """'ER = positive; PR = negative' (or one per line) as pairs; ValueError for a part without '='."""
    pairs = []
    for part in re.split(r"[;\n]", text or ""):
        if not part.strip():
            continue
        if "=" not in part:
            raise ValueError(f"write each biomarker as name = value ('{part.strip()}' has no '=')")
        name, value = (piece.strip() for piece in part.split("=", 1))
        if not name or not value:
            raise ValueError(f"'{part.strip()}' needs both a name and a value")
        pairs.append((name[:60], value[:120]))
    return tuple(pairs)


def format_biomarkers(pairs: tuple[tuple[str, str], ...] | list[tuple[str, str]]) -> str:
    """Pairs back to the text a user edits."""
    return "\n".join(f"{name} = {value}" for name, value in pairs)


def validate_case(data: CaseInput, today: date, mrn_pattern: str, complete: bool) -> tuple[CaseInput, Problems]:
    """Check a case; `complete` when it is being submitted. Returns the normalized input and the problems."""
    problems = Problems()
    given, stripped = vars(data), {}  # one pass over the texts: surrounding white space goes, then the length
    for name, limit in TEXT_LIMITS.items():
        value = given[name]
        text = value.strip()
        if len(text) != len(value):
            stripped[name] = text
        if len(text) > limit:
            problems.add(name, f"Use at most {limit} characters.")
    data = replace(data, **stripped) if stripped else data
    if problems:
        return data, problems
    check_patient(data, mrn_pattern, problems)
    if data.site_group is None:
        problems.add("site_group", "Give the primary site group.")
    _check_dates(data, today, problems)
    data = _check_stage(data, complete, problems)
    data = _check_tumor(data, problems)
    if data.ecog is not None and not 0 <= data.ecog <= 4:
        problems.add("ecog", "ECOG performance status is 0 to 4.")
    names = [name.casefold() for name, _ in data.biomarkers]
    if len(names) != len(set(names)):
        problems.add("biomarkers", "Give each biomarker once.")
    if complete:
        for name, what in REQUIRED_TO_SUBMIT.items():
            if getattr(data, name) in (None, ""):
                problems.add(name, f"Give {what} before submitting.")
    return data, problems


def check_patient(data: PatientIdentity, mrn_pattern: str, problems: Problems, mrn_required: bool = True) -> None:
    """The patient's identity: MRN in the program's format (`mrn_required`: given), names, date of birth, sex."""
    if not data.mrn:
        if mrn_required:
            problems.add("mrn", "Give the patient's MRN.")
    elif not fullmatch(mrn_pattern, data.mrn):
        words = describe_pattern(mrn_pattern)
        problems.add("mrn", f"An MRN here is {words}." if words else
                     "This MRN does not have the program's format (an admin sets it in Settings).")
    for name, what in (("last_name", "last name"), ("first_name", "first name")):
        if not getattr(data, name):
            problems.add(name, f"Give the patient's {what}.")
    if data.birth_date is None:
        problems.add("birth_date", "Give the date of birth.")
    elif data.birth_date.year < 1900:
        problems.add("birth_date", "The date of birth is before 1900.")
    if data.sex is None:
        problems.add("sex", "Give the patient's sex.")


def _check_dates(data: CaseInput, today: date, problems: Problems) -> None:
    for name in ("birth_date", "diagnosis_date", "first_course_started_on"):
        value = getattr(data, name)
        if value is not None and value > today:
            problems.add(name, "This date is in the future.")
    if data.birth_date and data.diagnosis_date and data.diagnosis_date < data.birth_date:
        problems.add("diagnosis_date", "The diagnosis cannot be before the date of birth.")
    if data.diagnosis_date and data.first_course_started_on and data.first_course_started_on < data.diagnosis_date:
        problems.add("first_course_started_on", "First-course treatment cannot start before the diagnosis.")


def _check_stage(data: CaseInput, complete: bool, problems: Problems) -> CaseInput:
    given = [name for name in STAGED_FIELDS if getattr(data, name)]
    if data.not_staged:
        for name in given:
            problems.add(name, "Leave the stage empty for a case not yet staged, or untick 'not yet staged'.")
        return data
    if given and data.ajcc_edition is None:
        problems.add("ajcc_edition", "Give the AJCC edition of this stage.")
        return data
    normalized = {}
    for name in given:
        try:
            if name in STAGE_FIELDS:
                normalized[name] = normalize_stage_group(getattr(data, name), data.ajcc_edition)
            else:
                kind, axis = TNM_FIELDS[name]
                normalized[name] = normalize_category(getattr(data, name), kind, axis, data.ajcc_edition)
        except ValueError as error:
            problems.add(name, as_sentence(error))
    data = replace(data, **normalized) if any(getattr(data, n) != v for n, v in normalized.items()) else data
    clinical = all(getattr(data, n) for n in ("clinical_t", "clinical_n", "clinical_m", "clinical_stage"))
    pathologic = all(getattr(data, n) for n in ("pathologic_t", "pathologic_n", "pathologic_stage"))
    if complete and not (clinical or pathologic):
        problems.add(
            "clinical_stage",
            "Give the clinical T, N, M and stage group, or the pathologic T, N and stage group, or tick 'not yet "
            "staged'.",
        )
    return data


def _check_tumor(data: CaseInput, problems: Problems) -> CaseInput:
    if data.primary_site:
        match = TOPOGRAPHY.match(data.primary_site)
        if match is None:
            problems.add("primary_site", "Write the ICD-O-3 topography as C and three digits, e.g. C50.4.")
        else:
            site = f"C{match.group(1)}.{match.group(2)}"
            data = replace(data, primary_site=site) if site != data.primary_site else data
    if data.class_of_case:
        code = data.class_of_case.zfill(2)
        if code not in ANALYTIC_CLASSES | NON_ANALYTIC_CLASSES:
            problems.add("class_of_case", "Class of case is a NAACCR code: 00-22 analytic, 30-49 or 99 non-analytic.")
        elif (code in ANALYTIC_CLASSES) != data.analytic:
            problems.add(
                "class_of_case",
                f"Class {code} is {'analytic' if code in ANALYTIC_CLASSES else 'non-analytic'}; the analytic answer "
                f"says otherwise.",
            )
        data = replace(data, class_of_case=code)
    return data

