"""Password policy and login throttling rules: pure functions."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from zxcvbn import zxcvbn

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128
MAX_WAIT = timedelta(minutes=15)
# Failures older than this are forgotten.
FAILURE_MEMORY = timedelta(minutes=30)
# Published passwords: the demo's (README) and this program's own words, which zxcvbn's lists do not know.
PUBLISHED_PASSWORDS = frozenset({"tumorboard-demo", "tumorboard", "tumor-board", "tumorboard123"})
PROGRAM_WORDS = ("tumorboard", "tumor", "board", "cancer", "oncology", "hospital")
# zxcvbn's score: 3 is "safely unguessable" (about 10^8 guesses and more), what an account with patient data needs.
MIN_STRENGTH = 3


def password_problems(password: str, username: str = "", *personal: str) -> list[str]:
    """What is wrong with a new password (empty when it is acceptable); `personal`: the user's names and e-mail."""
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(f"Use at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.append(f"Use at most {MAX_PASSWORD_LENGTH} characters.")
        return problems
    folded = password.casefold()
    if username and username.casefold() in folded:
        problems.append("Do not include your username.")
    names = {part for text in personal for part in re.split(r"[\s@._-]+", text.casefold()) if len(part) >= 3}
    if names & set(re.split(r"[\W_]+", folded)) or any(name in folded for name in names if len(name) >= 4):
        problems.append("Do not include your name or e-mail address.")
    words = [username, *personal, *PROGRAM_WORDS]
    if (
        folded in PUBLISHED_PASSWORDS
        or len(set(password)) < 4
        or zxcvbn(password, user_inputs=words)["score"] < MIN_STRENGTH
    ):
        problems.append("This password is too easy to guess: use three or four unrelated words, or a longer phrase.")
    return problems


def wait_after_failures(failures: int, free_attempts: int) -> timedelta:
    """How long the next attempt must wait after `failures` failed ones: doubling, capped."""
    if failures < free_attempts:
        return timedelta(0)
    return min(timedelta(seconds=2 ** (failures - free_attempts + 1)), MAX_WAIT)


def effective_failures(failures: int, last_failure_at: datetime, now: datetime) -> int:
    """Failures still counted at `now` (all are forgotten after a quiet period)."""
    return 0 if now - last_failure_at > FAILURE_MEMORY else failures
