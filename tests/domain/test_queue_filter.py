"""Reading the queue filter from the query string: never a crash, a message for what is ignored."""

from datetime import date

from tumorboard.cases.queries import QueueFilter, parse_filter
from tumorboard.vocab import CaseStatus, SiteGroup, Urgency


def test_defaults_show_submitted_cases_longest_waiting_first():
    assert parse_filter({}) == (QueueFilter(), [])


def test_every_filter_is_read():
    f, problems = parse_filter(
        {
            "site_group": "breast",
            "series_id": "3",
            "status": "deferred",
            "urgency": "urgent",
            "submitted_from": "2026-01-01",
            "submitted_to": "2026-02-01",
            "ready": "no",
            "patient_id": "41",
            "sort": "urgency",
            "page": "2",
        }
    )
    assert problems == []
    assert f == QueueFilter(
        SiteGroup.BREAST,
        3,
        CaseStatus.DEFERRED,
        Urgency.URGENT,
        date(2026, 1, 1),
        date(2026, 2, 1),
        False,
        41,
        "urgency",
        2,
    )


def test_any_status():
    assert parse_filter({"status": "any"})[0].status is None


def test_bad_values_are_dropped_with_a_message():
    f, problems = parse_filter(
        {
            "site_group": "lungs",
            "series_id": "x",
            "submitted_from": "yesterday",
            "ready": "maybe",
            "sort": "evil",
            "page": "-4",
        }
    )
    assert f == QueueFilter(page=1)
    assert len(problems) == 4
