"""The report cache on its own: what it serves, until when, and how much it keeps."""

from datetime import UTC, date, datetime, timedelta

from tumorboard.reports.freshness import ReportCache

NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)
KEY = (2025, date(2025, 12, 31), "America/New_York", "token-a")


def test_a_report_is_served_for_its_own_key_only():
    cache = ReportCache(4)
    cache.put(KEY, "report", NOON, None)
    assert cache.get(KEY, NOON + timedelta(days=30)) == "report"
    assert cache.get(KEY[:3] + ("token-b",), NOON) is None  # the data changed
    assert cache.get((2025, date(2025, 6, 1)) + KEY[2:], NOON) is None  # another period


def test_a_report_is_not_served_after_it_expires_nor_before_it_was_computed():
    cache = ReportCache(4)
    cache.put(KEY, "report", NOON, NOON + timedelta(hours=1))
    assert cache.get(KEY, NOON + timedelta(hours=1)) == "report"
    assert cache.get(KEY, NOON + timedelta(hours=1, microseconds=1)) is None
    assert cache.get(KEY, NOON - timedelta(microseconds=1)) is None


def test_the_cache_keeps_the_most_recently_used_reports_and_can_be_turned_off():
    cache = ReportCache(2)
    for token in ("a", "b"):
        cache.put(KEY[:3] + (token,), token, NOON, None)
    assert cache.get(KEY[:3] + ("a",), NOON) == "a"  # now the most recent
    cache.put(KEY[:3] + ("c",), "c", NOON, None)
    assert [cache.get(KEY[:3] + (token,), NOON) for token in "abc"] == ["a", None, "c"]
    off = ReportCache(0)
    off.put(KEY, "report", NOON, None)
    assert off.get(KEY, NOON) is None
