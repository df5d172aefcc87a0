"""The dashboard each role lands on."""

from tumorboard.main.views import bp

__all__ = ["bp"]
