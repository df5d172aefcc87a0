"""Login, logout, the current user's profile, and the create-user command."""

from tumorboard.auth.views import bp
from tumorboard.auth import cli  # noqa: F401  (registers its commands on bp)

__all__ = ["bp"]
