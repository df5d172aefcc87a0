"""Second-opinion requests from outside patients."""

from tumorboard.second_opinions.views import bp

__all__ = ["bp"]
