"""Slowing down repeated failed sign-ins, per (address, username) pair and per username.

No key is per address alone: behind the hospital's TLS proxy (or its NAT) a whole hospital shares one address,
and failures with made-up usernames must not lock out a colleague nobody guessed at. The per-username key
counts only that username's failures, so the correct password of an account nobody is guessing at always works.

An attempt is counted *before* its password is checked (`reserve_attempt`, committed by the caller) and
forgotten on success: concurrent guesses each see the ones before them, so no more than the free attempts
are ever checked, however many arrive at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from tumorboard.auth.models import LoginThrottle
from tumorboard.auth.policy import effective_failures, wait_after_failures
from tumorboard.db import locked_rows
from tumorboard.extensions import db

# A username tried from many addresses gets more room than one pair before it waits.
ACCOUNT_ALLOWANCE = 2


def throttle_keys(username: str, remote_addr: str | None) -> list[str]:
    """The throttle rows one sign-in attempt counts against: its (address, username) pair and its username."""
    name = username.strip().casefold()[:120]
    return [f"pair:{(remote_addr or 'unknown')[:45]}|{name}", f"user:{name}"]


def reserve_attempt(keys: list[str], now: datetime, free_attempts: int) -> int:
    """Seconds to wait before another attempt (nothing counted), or 0 after counting this attempt as a failure."""
    rows = locked_rows(db.session, LoginThrottle.key, [{"key": key, "failures": 0, "last_failure_at": now}
                                                         for key in keys])
    waits = [(row.blocked_until - now).total_seconds() for row in rows if row.blocked_until and row.blocked_until > now]
    if waits:
        return int(max(waits) + 0.999)
    for row in rows:
        free = free_attempts * ACCOUNT_ALLOWANCE if row.key.startswith("user:") else free_attempts
        row.failures = effective_failures(row.failures, row.last_failure_at, now) + 1
        row.last_failure_at = now
        wait = wait_after_failures(row.failures, free)
        row.blocked_until = now + wait if wait > timedelta(0) else None
    db.session.flush()
    return 0


def clear(keys: list[str]) -> None:
    """Forget the failures counted against `keys` (after a successful sign-in)."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key.in_(keys)))
