"""Patients and cases: submission, the queue, case history, import."""

from tumorboard.cases import cli  # noqa: F401  (registers import-cases on bp)
from tumorboard.cases.views import bp

__all__ = ["bp"]
