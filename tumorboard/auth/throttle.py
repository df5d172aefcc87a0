"""Slowing down repeated failed logins, per username typed and per address."""

from __future__ import annotations

from datetime import datetime, timedelta

from tumorboard.auth.models import LoginThrottle
from tumorboard.auth.policy import effective_failures, wait_after_failures
from tumorboard.db import dialect_insert
from tumorboard.extensions import db


def throttle_keys(username: str, remote_addr: str | None) -> list[str]:
    """The throttle rows one login attempt counts against."""
    return [f"user:{username.strip().casefold()[:150]}", f"addr:{remote_addr or 'unknown'}"]


def seconds_to_wait(keys: list[str], now: datetime) -> int:
    """Seconds before another attempt is accepted for any of `keys` (0 when none)."""
    rows = db.session.scalars(db.select(LoginThrottle).where(LoginThrottle.key.in_(keys))).all()
    waits = [(row.blocked_until - now).total_seconds() for row in rows if row.blocked_until and row.blocked_until > now]
    return int(max(waits, default=0) + 0.999)


def record_failure(keys: list[str], now: datetime, free_attempts: int) -> None:
    """Count a failed attempt against each key and set how long the next must wait."""
    # Create missing rows without a race (two first failures at once must not collide), then update them under a lock.
    insert = dialect_insert(LoginThrottle.__table__, db.engine.dialect.name)
    db.session.execute(insert.values([{"key": key, "failures": 0, "last_failure_at": now} for key in keys]).on_conflict_do_nothing())
    rows = db.session.scalars(db.select(LoginThrottle).where(LoginThrottle.key.in_(keys)).with_for_update()
                              .execution_options(populate_existing=True))
    for row in rows:
        key = row.key
        # The address is shared by everyone behind a hospital proxy: give it more room.
        free = free_attempts * 4 if key.startswith("addr:") else free_attempts
        row.failures = effective_failures(row.failures, row.last_failure_at, now) + 1
        row.last_failure_at = now
        wait = wait_after_failures(row.failures, free)
        row.blocked_until = now + wait if wait > timedelta(0) else None
    db.session.flush()


def clear(username: str) -> None:
    """Forget the failures of a username after a successful login."""
    key = throttle_keys(username, None)[0]
    db.session.execute(db.delete(LoginThrottle).where(LoginThrottle.key == key))
