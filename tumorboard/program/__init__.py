"""Program-wide settings."""

from tumorboard.program.views import bp

__all__ = ["bp"]
