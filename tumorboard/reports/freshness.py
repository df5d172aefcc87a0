"""Serve a report again while its data has not changed: exact, because the database says when it changes.

Triggers (migration e5f6a7b8c9d0) give `report_data_version.token` a new random value with every insert,
update or delete in the tables the report reads (`REPORT_TABLES`), in the same transaction as the change:
SQL typed by hand and bulk imports included. A report computed after reading token T is therefore exactly
the report of any later request that reads T, as long as the clock has not moved it (`report_expires`) and
the period is the same (`through`, which is today for the current year).

- SQLite: row triggers, immediate (one UPDATE of the token row, which migrations make and `wipe` keeps; were it
  deleted by hand, nothing would be cached); one writer at a time.
- PostgreSQL: deferred row triggers, so the token row is locked only at commit, after every other lock a
  transaction takes (no deadlock through it). Until then a writing transaction does not see its own change
  in the token, so a transaction that has written (`txid_current_if_assigned()`) neither reads nor fills
  the cache.
- TRUNCATE (PostgreSQL) deletes the token row; with no row nothing is cached until the next change.

The token is read before the data: a change committed in between makes the cached report newer than its
token, never older, and an outdated token is never read again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

import sqlalchemy as sa
from flask import current_app

from tumorboard.extensions import db

# Every table `reports.queries` reads; tests/db/test_report_freshness.py checks the queries and the triggers against it.
REPORT_TABLES = (
    "analytic_caseload",
    "attendance",
    "cases",
    "conference_series",
    "conferences",
    "consensus_plans",
    "letter_dispatches",
    "patients",
    "plan_letters",
    "presentations",
    "program_settings",
    "second_opinion_requests",
    "series_site_groups",
)

Value = TypeVar("Value")


def data_token() -> str | None:
    """The token of the report's data as this transaction sees it; None when it cannot be trusted (no row yet, or,
    on PostgreSQL, this transaction has written and its change is not in the token until commit)."""
    if db.session.get_bind().dialect.name == "postgresql":
        row = db.session.execute(
            sa.text("SELECT token, txid_current_if_assigned() IS NULL FROM report_data_version WHERE id = 1")
        ).first()
        return row[0] if row and row[1] else None
    return db.session.execute(sa.text("SELECT token FROM report_data_version WHERE id = 1")).scalar()


@dataclass(frozen=True)
class _Entry(Generic[Value]):
    value: Value
    as_of: datetime
    expires: datetime | None


class ReportCache(Generic[Value]):
    """The last few reports, by (year, through, zone, data token); thread-safe; a process's own (no PHI is cached)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, _Entry[Value]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple, now: datetime) -> Value | None:
        """The report cached under `key`, if it is still the report of `now`."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or now < entry.as_of or (entry.expires is not None and now > entry.expires):
                return None
            self._entries.move_to_end(key)
            return entry.value

    def put(self, key: tuple, value: Value, as_of: datetime, expires: datetime | None) -> None:
        """Keep `value`, computed at `as_of`, until `expires` (None: until the data changes)."""
        if self.size <= 0:
            return
        with self._lock:
            self._entries[key] = _Entry(value, as_of, expires)
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        """Forget every report (benchmarks measure the first request after a change this way)."""
        with self._lock:
            self._entries.clear()


def report_cache() -> ReportCache:
    """The running app's cache (REPORT_CACHE_SIZE reports; 0 turns it off)."""
    cache = current_app.extensions.get("tumorboard.report_cache")
    if cache is None:
        cache = current_app.extensions.setdefault(
            "tumorboard.report_cache", ReportCache(current_app.config["REPORT_CACHE_SIZE"])
        )
    return cache


def cached(
    year: int, through: date, zone: str, now: datetime, compute: Callable[[], tuple[Value, datetime | None]]
) -> Value:
    """The report of (`year`, `through`, `zone`) at `now`: from the cache while the data token is unchanged, else
    `compute()`, which returns the report and when the clock alone would change it."""
    token, cache = data_token(), report_cache()
    key = (year, through, zone, token)
    if token is not None and (hit := cache.get(key, now)) is not None:
        return hit
    value, expires = compute()
    if token is not None:
        cache.put(key, value, now, expires)
    return value
