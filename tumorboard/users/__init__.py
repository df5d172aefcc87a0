"""User management for admins and coordinators."""

from tumorboard.users.views import bp

__all__ = ["bp"]
