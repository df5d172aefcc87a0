"""Append-only audit log of every view and change of patient data."""

from tumorboard.audit.views import bp

__all__ = ["bp"]
