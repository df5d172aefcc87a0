"""Reading the audit log's search from a query string."""

from datetime import date

from tumorboard.audit.search import AuditFilter, parse_audit_filter


def test_a_full_search_is_read():
    found, problems = parse_audit_filter(
        {
            "username": " dana ",
            "action": "view",
            "entity_type": "case",
            "entity_id": "42",
            "date_from": "2026-11-01",
            "date_to": "2026-11-21",
        }
    )
    assert problems == []
    assert found == AuditFilter("dana", "view", "case", 42, date(2026, 11, 1), date(2026, 11, 21))
    assert found.as_args() == {
        "username": "dana",
        "action": "view",
        "entity_type": "case",
        "entity_id": "42",
        "date_from": "2026-11-01",
        "date_to": "2026-11-21",
    }


def test_unreadable_values_are_dropped_with_a_message():
    found, problems = parse_audit_filter(
        {"entity_id": "42; DROP TABLE", "date_from": "yesterday", "date_to": "2026-02-30"}
    )
    assert found == AuditFilter()
    assert len(problems) == 3 and "not a whole number" in problems[0] and "YYYY-MM-DD" in problems[1]


def test_a_reversed_range_is_explained():
    _, problems = parse_audit_filter({"date_from": "2026-11-21", "date_to": "2026-11-01"})
    assert problems == ["The from date is after the to date: nothing can match."]
