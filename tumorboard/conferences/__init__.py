"""Conference series, their occurrences, agendas and calendar feeds."""

from tumorboard.conferences import cli  # noqa: F401  (registers generate-conferences on bp)
from tumorboard.conferences.feeds import bp as calendar_bp
from tumorboard.conferences.views import bp

__all__ = ["bp", "calendar_bp"]
