"""Password policy and login throttling rules: pure functions."""

from __future__ import annotations

from datetime import datetime, timedelta

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MAX_WAIT = timedelta(minutes=15)
# Failures older than this are forgotten.
FAILURE_MEMORY = timedelta(minutes=30)
COMMON_PASSWORDS = frozenset(
    {"password1234", "123456789012", "qwertyuiopas", "letmein12345", "welcome12345", "password123!", "changeme1234"}
)


def password_problems(password: str, username: str = "") -> list[str]:
    """What is wrong with a new password (empty when it is acceptable)."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
    if username and username.casefold() in password.casefold():
        problems.append("Do not include your username.")
    if password.casefold() in COMMON_PASSWORDS or len(set(password)) < 4:
        problems.append("This password is too easy to guess.")
    return problems


def wait_after_failures(failures: int, free_attempts: int) -> timedelta:
    """How long the next attempt must wait after `failures` failed ones: doubling, capped."""
    if failures < free_attempts:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - free_attempts + 1)), MAX_WAIT)


def effective_failures(failures: int, last_failure_at: datetime, now: datetime) -> int:
    """Failures still counted at `now` (all are forgotten after a quiet period)."""
    return 0 if now - last_failure_at > FAILURE_MEMORY else failures
