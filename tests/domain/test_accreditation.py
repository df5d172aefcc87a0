"""The accreditation measures on hand-made tables: the formulas of DOMAIN.md, edge by edge."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

import pandas as pd
import pytest

from tumorboard.reports.accreditation import (
    ATTENDANCE_COLUMNS,
    CASELOAD_COLUMNS,
    CONFERENCE_COLUMNS,
    PRESENTATION_COLUMNS,
    SECOND_OPINION_COLUMNS,
    SERIES_SITE_COLUMNS,
    ReportInput,
    Targets,
    accreditation_report,
    report_expires,
)


def conference(conference_id: int, day: str, status: str = "held", series: str = "Breast") -> dict:
    return {"conference_id": conference_id, "series": series, "date": date.fromisoformat(day), "status": status}


def presentation(conference_id: int, case_id: int, **values: object) -> dict:
    row = {
        "conference_id": conference_id,
        "case_id": case_id,
        "site_group": "breast",
        "analytic": True,
        "primary_site": "C50.4",
        "status": "closed",
        "track": "discussed",
        "reason": "pre_treatment",
        "prospective": True,
        "stage_discussed": True,
        "guideline_discussed": True,
        "trial_discussed": False,
        "plan_finalized": False,
        "implemented": None,
        "non_implementation_reason": None,
        "close_override_reason": "",
    }
    return row | values


def frame(rows: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def inputs(
    year: int = 2026,
    through: date | None = None,
    *,
    conferences=(),
    presentations=(),
    attendance=(),
    registry=(),
    tumorboard=(),
    series_sites=(("Breast", "breast"),),
    second_opinions=(),
    **options: object,
) -> ReportInput:
    return ReportInput(
        year=year,
        through=through or date(year, 12, 31),
        conferences=frame(list(conferences), CONFERENCE_COLUMNS),
        presentations=frame(list(presentations), PRESENTATION_COLUMNS),
        attendance=frame([{"conference_id": c, "specialty": s} for c, s in attendance], ATTENDANCE_COLUMNS),
        series_site_groups=frame([{"series": n, "site_group": s} for n, s in series_sites], SERIES_SITE_COLUMNS),
        registry_caseload=frame([{"site_group": s, "analytic_cases": n} for s, n in registry], CASELOAD_COLUMNS),
        tumorboard_caseload=frame([{"site_group": s, "analytic_cases": n} for s, n in tumorboard], CASELOAD_COLUMNS),
        second_opinions=frame(list(second_opinions), SECOND_OPINION_COLUMNS),
        as_of=datetime(year + 1, 1, 15, tzinfo=UTC),
        **options,
    )


def test_a_case_presented_on_31_december_and_1_january_counts_in_both_years():
    data = dict(
        conferences=[conference(1, "2025-12-31"), conference(2, "2026-01-01")],
        presentations=[presentation(1, 7), presentation(2, 7)],
        registry=[("breast", 10)],
    )
    last_year, this_year = accreditation_report(inputs(2025, **data)), accreditation_report(inputs(2026, **data))
    assert (last_year.cases_presented, last_year.presentations) == (1, 1)
    assert (this_year.cases_presented, this_year.presentations) == (1, 1)
    assert last_year.by_month[-1].month == "2025-12" and last_year.by_month[-1].cases_presented == 1
    assert this_year.by_month[0].month == "2026-01" and this_year.by_month[0].cases_presented == 1


def test_a_case_presented_several_times_counts_once_in_the_rate_and_every_time_in_the_prospective_rate():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-02-03"), conference(2, "2026-03-03"), conference(3, "2026-04-07")],
            presentations=[
                presentation(1, 7),
                presentation(2, 7, prospective=False, reason="review"),
                presentation(3, 7),
                presentation(3, 8),
            ],
            registry=[("breast", 20)],
        )
    )
    assert report.cases_presented == 2
    assert report.case_presentation_rate == 2 / 20
    assert (report.presentations, report.prospective_presentations) == (4, 3)
    assert report.prospective_rate == 0.75
    assert report.met["prospective_rate"] is False


def test_a_case_closed_without_the_closing_rule_counts_and_is_said_apart():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-02-03")],
            presentations=[presentation(1, 7, close_override_reason="Two of six voted: the rest were called to the OR"),
                           presentation(1, 8)],
            registry=[("breast", 10)],
        )
    )
    assert (report.presentations, report.closed_by_override) == (2, 1)
    assert report.as_json()["closed_by_override"] == 1


def test_non_analytic_cases_are_left_out_of_both_rates():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-05-05")],
            presentations=[presentation(1, 1), presentation(1, 2, analytic=False, prospective=False)],
            registry=[("breast", 10)],
        )
    )
    assert (report.cases_presented, report.presentations, report.prospective_rate) == (1, 1, 1.0)


def test_only_held_conferences_count_and_cancelled_ones_are_left_out_of_attendance():
    report = accreditation_report(
        inputs(
            conferences=[
                conference(1, "2026-05-05"),
                conference(2, "2026-05-12", "cancelled"),
                conference(3, "2026-05-19", "scheduled"),
            ],
            presentations=[presentation(1, 1), presentation(2, 2), presentation(3, 3)],
            attendance=[(1, "surgery"), (1, "pathology"), (2, "surgery"), (2, "medical_oncology")],
            registry=[("breast", 10)],
        )
    )
    assert report.cases_presented == 1
    assert (report.conferences.scheduled, report.conferences.held, report.conferences.cancelled) == (3, 1, 1)
    assert report.frequency_rate == pytest.approx(1 / 3)
    assert report.attendance["surgery"].conferences_present == 1 and report.attendance["surgery"].rate == 1.0
    assert report.attendance["medical_oncology"].conferences_present == 0


def test_a_required_specialty_never_present_shows_zero_and_fails():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-05-05"), conference(2, "2026-05-12")],
            attendance=[(1, "surgery"), (1, "surgery"), (2, "surgery")],  # two surgeons at one conference count once
        )
    )
    assert list(report.attendance) == [
        "surgery",
        "medical_oncology",
        "radiation_oncology",
        "diagnostic_radiology",
        "pathology",
    ]
    assert report.attendance["surgery"].conferences_present == 2
    assert report.attendance["radiation_oncology"].conferences_present == 0
    assert report.attendance["radiation_oncology"].rate == 0.0
    assert report.met["attendance_radiation_oncology"] is False and report.met["attendance_surgery"] is True


def test_zero_caseload_gives_no_rate_rather_than_a_division_error():
    report = accreditation_report(
        inputs(conferences=[conference(1, "2026-05-05")], presentations=[presentation(1, 1)], registry=[("breast", 0)])
    )
    assert report.analytic_cases == 0 and report.caseload_source == "registry"
    assert report.case_presentation_rate is None and report.met["case_presentation_rate"] is None
    assert report.by_site_group[0].rate is None


def test_an_empty_year_has_no_rates_and_no_errors():
    report = accreditation_report(inputs())
    assert report.cases_presented == 0 and report.presentations == 0
    assert report.prospective_rate is None and report.frequency_rate is None
    assert all(value is None for value in report.discussion.values())
    assert all(row.rate is None for row in report.attendance.values())
    assert len(report.by_month) == 12 and report.by_site_group == []
    assert report.as_json()["caseload"] == {"analytic_cases": 0, "source": "tumorboard"}


def test_without_a_registry_import_the_caseload_is_tumorboards_own_analytic_cases():
    report = accreditation_report(inputs(tumorboard=[("breast", 30), ("thoracic", 10)]))
    assert (report.analytic_cases, report.caseload_source) == (40, "tumorboard")
    with_registry = accreditation_report(
        inputs(tumorboard=[("breast", 30)], registry=[("breast", 200), ("thoracic", 100)])
    )
    assert (with_registry.analytic_cases, with_registry.caseload_source) == (300, "registry")


def test_listed_not_discussed_and_not_reached_items_do_not_count_as_presented():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-06-02")],
            presentations=[
                presentation(1, 1),
                presentation(1, 2, track="listed_not_discussed"),
                presentation(1, 3, status="not_reached"),
            ],
            registry=[("breast", 10)],
        )
    )
    assert (report.cases_presented, report.presentations, report.listed_not_discussed) == (1, 1, 1)


def test_the_year_to_date_stops_at_through():
    report = accreditation_report(
        inputs(
            through=date(2026, 3, 15),
            conferences=[conference(1, "2026-03-10"), conference(2, "2026-03-17", "scheduled")],
            presentations=[presentation(1, 1)],
        )
    )
    assert [row.month for row in report.by_month] == ["2026-01", "2026-02", "2026-03"]
    assert report.conferences.scheduled == 1


def test_months_count_a_case_at_its_first_presentation_and_add_up_to_the_year():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-01-06"), conference(2, "2026-02-03"), conference(3, "2026-02-10")],
            presentations=[presentation(1, 1), presentation(2, 1), presentation(2, 2), presentation(3, 3)],
            registry=[("breast", 10)],
        )
    )
    january, february = report.by_month[0], report.by_month[1]
    assert (january.presentations, january.cases_presented, january.cumulative_rate) == (1, 1, 0.1)
    assert (february.presentations, february.cases_presented, february.cumulative_cases_presented) == (3, 2, 3)
    assert sum(row.cases_presented for row in report.by_month) == report.cases_presented
    assert report.by_month[-1].cumulative_rate == report.case_presentation_rate
    assert [(q.quarter, q.presentations, q.cases_presented) for q in report.by_quarter] == [
        ("2026-Q1", 4, 3),
        ("2026-Q2", 0, 0),
        ("2026-Q3", 0, 0),
        ("2026-Q4", 0, 0),
    ]


def test_site_groups_are_measured_against_their_own_caseload():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-04-07")],
            presentations=[presentation(1, 1), presentation(1, 2), presentation(1, 3, site_group="thoracic")],
            registry=[("breast", 8), ("thoracic", 4), ("prostate", 5)],
        )
    )
    rows = {row.site_group: (row.analytic_cases, row.cases_presented, row.rate) for row in report.by_site_group}
    assert rows == {"breast": (8, 2, 0.25), "thoracic": (4, 1, 0.25), "prostate": (5, 0, 0.0)}
    assert [row.site_group for row in report.by_site_group] == ["breast", "thoracic", "prostate"]


@pytest.mark.parametrize(
    ("presented", "caseload", "met"), [(15, 100, True), (3, 20, True), (14, 100, False), (149, 1000, False)]
)
def test_the_target_is_compared_exactly(presented, caseload, met):
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-04-07")],
            presentations=[presentation(1, case) for case in range(presented)],
            registry=[("breast", caseload)],
        )
    )
    assert report.met["case_presentation_rate"] is met


def test_discussion_items_are_fractions_of_presentations():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-04-07")],
            presentations=[
                presentation(1, 1, trial_discussed=True),
                presentation(1, 2, guideline_discussed=False),
                presentation(1, 3, stage_discussed=False),
                presentation(1, 4),
            ],
        )
    )
    assert report.discussion == {"stage": 0.75, "guideline": 0.75, "clinical_trial": 0.25}
    assert report.met["discussion_stage"] is False  # 75% < the 90% default


def test_targets_come_from_the_program():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-04-07")],
            presentations=[presentation(1, 1)],
            registry=[("breast", 10)],
            targets=Targets(case_presentation_rate=Fraction(1, 5)),
        )
    )
    assert report.target_case_presentation_rate == 0.2 and report.met["case_presentation_rate"] is False


def test_series_breakdown():
    report = accreditation_report(
        inputs(
            conferences=[
                conference(1, "2026-04-07"),
                conference(2, "2026-04-08", series="GI"),
                conference(3, "2026-04-14", "cancelled"),
            ],
            presentations=[
                presentation(1, 1),
                presentation(2, 2, site_group="colorectal"),
                presentation(2, 3, site_group="colorectal"),
            ],
        )
    )
    assert [
        (r.series, r.conferences_scheduled, r.conferences_held, r.presentations, r.cases_presented)
        for r in report.by_series
    ] == [
        ("Breast", 2, 1, 1, 1),
        ("GI", 1, 1, 2, 2),
    ]


def test_napbc_small_breast_program_needs_85_percent_prospective_and_meetings_every_two_weeks():
    conferences = [
        conference(i, f"2026-{month:02d}-0{day}")
        for i, (month, day) in enumerate(((m, d) for m in range(1, 13) for d in (1, 8)), 1)
    ]
    report = accreditation_report(
        inputs(
            conferences=conferences,
            presentations=[presentation(1, n, prospective=n < 17) for n in range(20)],
            registry=[("breast", 80)],
            napbc=True,
        )
    )
    napbc = report.napbc
    assert napbc.prospective_target == 0.85 and napbc.prospective_rate == 0.85 and napbc.prospective_met is True
    assert napbc.required_frequency == "every 2 weeks" and napbc.conferences_required == 26
    assert napbc.conferences_held == 24 and napbc.frequency_met is False
    assert report.naprc is None


def test_napbc_large_breast_program_meets_weekly_and_uses_the_program_prospective_target():
    report = accreditation_report(inputs(registry=[("breast", 300)], napbc=True, through=date(2026, 1, 31)))
    assert report.napbc.required_frequency == "weekly" and report.napbc.conferences_required == 4
    assert report.napbc.prospective_target == 0.8 and report.napbc.prospective_met is None


def test_naprc_counts_rectal_patients_presented_before_and_after_neoadjuvant_treatment():
    rectal = dict(site_group="colorectal", primary_site="C20.9")
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-02-03", series="GI"), conference(2, "2026-05-05", series="GI")],
            presentations=[
                presentation(1, 1, **rectal),
                presentation(2, 1, **rectal, reason="further_treatment"),
                presentation(1, 2, **rectal),
                presentation(1, 3, site_group="colorectal", primary_site="C18.7"),  # colon: not NAPRC
            ],
            naprc=True,
        )
    )
    naprc = report.naprc
    assert (naprc.rectal_cases_presented, naprc.presented_before_treatment, naprc.presented_before_and_after) == (
        2,
        2,
        1,
    )
    assert naprc.before_and_after_rate == 0.5 and naprc.met is False



def test_naprc_with_no_rectal_case_presented_reports_none_rather_than_failing():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-02-03", series="GI")],
            presentations=[presentation(1, 3, site_group="colorectal", primary_site="C18.7")],
            naprc=True,
        )
    )
    assert (report.naprc.rectal_cases_presented, report.naprc.presented_before_and_after, report.naprc.met) == (
        0,
        0,
        None,
    )

def request(complete: str, sent: str | None, status: str = "closed") -> dict:
    complete_at = datetime.fromisoformat(complete).replace(tzinfo=UTC)
    sent_at = datetime.fromisoformat(sent).replace(tzinfo=UTC) if sent else None
    return {
        "status": status,
        "complete_at": complete_at,
        "complete_on": complete_at.date(),
        "sent_on": sent_at.date() if sent_at else None,
        "sent_at": sent_at,
    }


def test_second_opinion_turnaround_is_the_median_of_letters_sent_in_the_year():
    report = accreditation_report(
        inputs(
            second_opinions=[
                request("2026-03-01T12:00", "2026-03-04T12:00"),  # 3 days
                request("2026-03-01T12:00", "2026-03-08T12:00"),  # 7 days: on time
                request("2026-03-01T12:00", "2026-03-11T12:00"),  # 10 days
                request("2025-12-20T12:00", "2025-12-24T12:00"),  # last year's letter
                request("2026-06-01T12:00", None, "case_created"),  # no letter, past due
                request("2026-06-01T12:00", None, "cancelled"),
            ]
        )
    )
    turnaround = report.second_opinions
    assert (turnaround.letters_sent, turnaround.median_days, turnaround.within_promise) == (3, 7.0, 2)
    assert turnaround.within_promise_rate == pytest.approx(2 / 3)
    assert turnaround.overdue_without_letter == 1


def test_the_report_expires_when_the_next_waiting_letter_falls_overdue():
    waiting = [
        request("2026-12-20T12:00", None, "case_created"),  # due 27 Dec 12:00
        request("2026-12-28T09:00", None, "case_created"),  # due 4 Jan 09:00
        request("2026-12-29T09:00", "2026-12-30T09:00"),  # sent: never overdue
        request("2026-12-30T09:00", None, "cancelled"),
    ]
    data = replace(inputs(second_opinions=waiting), as_of=datetime(2026, 12, 31, 8, tzinfo=UTC))
    expires = report_expires(data)
    assert expires == datetime(2027, 1, 4, 9, tzinfo=UTC)
    overdue = [
        accreditation_report(replace(data, as_of=moment)).second_opinions.overdue_without_letter
        for moment in (data.as_of, expires, expires + timedelta(seconds=1))
    ]
    assert overdue == [1, 1, 2]  # unchanged up to and at the expiry, changed just after
    assert report_expires(replace(data, as_of=expires + timedelta(seconds=1))) is None  # nothing left to fall due


def test_plan_implementation_shares_and_reasons():
    report = accreditation_report(
        inputs(
            conferences=[conference(1, "2026-04-07")],
            presentations=[
                presentation(1, 1, plan_finalized=True, implemented="yes"),
                presentation(1, 2, plan_finalized=True, implemented="yes"),
                presentation(1, 3, plan_finalized=True, implemented="no", non_implementation_reason="patient_choice"),
                presentation(1, 4, plan_finalized=True, implemented="partly"),
                presentation(1, 5, plan_finalized=True),
                presentation(1, 6),
            ],
        )
    )
    plans = report.implementation
    assert (
        plans.finalized_plans,
        plans.recorded,
        plans.implemented,
        plans.partly,
        plans.not_implemented,
        plans.not_recorded,
    ) == (5, 4, 2, 1, 1, 1)
    assert plans.implemented_rate == 0.5
    assert plans.reasons == {"not_recorded": 1, "patient_choice": 1}


def test_json_has_the_documented_keys():
    report = accreditation_report(replace(inputs(registry=[("breast", 5)]), napbc=True))
    document = report.as_json()
    for key in (
        "year",
        "caseload",
        "cases_presented",
        "case_presentation_rate",
        "target_case_presentation_rate",
        "presentations",
        "prospective_presentations",
        "prospective_rate",
        "conferences",
        "attendance",
        "discussion",
        "by_site_group",
        "by_month",
    ):
        assert key in document
    assert set(document["conferences"]) == {"scheduled", "held", "cancelled"}
    assert set(document["discussion"]) == {"stage", "guideline", "clinical_trial"}
    assert set(document["by_month"][0]) >= {"month", "presentations", "cases_presented"}
    assert set(document["by_site_group"][0]) == {"site_group", "analytic_cases", "cases_presented", "rate"}
    assert (
        document["site_programs"]["napbc"]["breast_analytic_cases"] == 5 and document["site_programs"]["naprc"] is None
    )
