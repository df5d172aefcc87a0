"""Every model, imported so the metadata (and Alembic) sees the whole schema."""

from tumorboard.audit.models import AuditEntry
from tumorboard.auth.models import LoginThrottle, User, UserRole
from tumorboard.cases.models import Case, CaseBiomarker, CaseStatusChange, Patient
from tumorboard.conferences.models import (
    Conference,
    ConferenceSeries,
    SeriesMember,
    SeriesRequiredSpecialty,
    SeriesSiteGroup,
)
from tumorboard.letters.models import LetterDelegate, LetterDispatch, PlanLetter
from tumorboard.program.models import ProgramSettings
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.room.models import Attendance, ConsensusPlan, Presentation, Recommendation, Vote
from tumorboard.second_opinions.models import PublicFormCount, RecordFile, RecordItem, SecondOpinionRequest

__all__ = [
    "AnalyticCaseload",
    "Attendance",
    "AuditEntry",
    "Case",
    "CaseBiomarker",
    "CaseStatusChange",
    "Conference",
    "ConferenceSeries",
    "ConsensusPlan",
    "LetterDelegate",
    "LetterDispatch",
    "LoginThrottle",
    "Patient",
    "PlanLetter",
    "Presentation",
    "ProgramSettings",
    "PublicFormCount",
    "Recommendation",
    "RecordFile",
    "RecordItem",
    "SecondOpinionRequest",
    "SeriesMember",
    "SeriesRequiredSpecialty",
    "SeriesSiteGroup",
    "User",
    "UserRole",
    "Vote",
]
