"""The demo program and the seed-demo command."""

from tumorboard.demo.cli import bp

__all__ = ["bp"]
