"""Reading the audit log's search from a query string."""

from datetime import date

from tumorboard.audit.search import AuditFilter, parse_audit_filter
from tumorboard.vocab import RecordType


def test_a_full_search_is_read():
    found, problems = parse_audit_filter(
        {
            "username": " dana ",
            "action": "view",
            "entity_type": "case",
            "entity_id": "42",
            "patient_id": "7",
            "case_id": "683",
            "date_from": "2026-11-01",
            "date_to": "2026-11-21",
        }
    )
    assert problems == []
    assert found == AuditFilter("dana", "view", RecordType.CASE, 42, 7, 683, date(2026, 11, 1), date(2026, 11, 21))
    assert found.as_args() == {
        "username": "dana",
        "action": "view",
        "entity_type": "case",
        "entity_id": "42",
        "patient_id": "7",
        "case_id": "683",
        "date_from": "2026-11-01",
        "date_to": "2026-11-21",
    }


def test_record_types_are_a_closed_list_and_patients_and_cases_are_numbers():
    found, problems = parse_audit_filter({"entity_type": "cases", "patient_id": "O'Connor", "case_id": "-3"})
    assert found == AuditFilter()
    assert problems == [
        "Ignored the record type 'cases': it is not one the log keeps.",
        "Ignored the patient 'O'Connor': it is not a patient number.",
        "Ignored the case number '-3': it is not a whole number.",
    ]


def test_unreadable_values_are_dropped_with_a_message():
    found, problems = parse_audit_filter(
        {"entity_id": "42; DROP TABLE", "date_from": "yesterday", "date_to": "2026-02-30"}
    )
    assert found == AuditFilter()
    assert len(problems) == 3 and "not a whole number" in problems[0] and "YYYY-MM-DD" in problems[1]


def test_a_reversed_range_is_explained():
    _, problems = parse_audit_filter({"date_from": "2026-11-21", "date_to": "2026-11-01"})
    assert problems == ["The from date is after the to date: nothing can match."]
