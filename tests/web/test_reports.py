"""The accreditation dashboard and its exports, through the app, on rows made with the factories."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import openpyxl
import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.program.settings import program_today
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.reports.queries import program_report
from tumorboard.room.models import Attendance
from tumorboard.vocab import ConferenceStatus, PresentationStatus, Role, SiteGroup, Specialty

YEAR = date.today().year - 1  # a whole past year: the numbers do not move with today's date


@pytest.fixture
def coordinator(make):
    return make.user(username="dana", roles=(Role.COORDINATOR,))


def held(make, series, day: date, hour: int = 12):
    start = datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    return make.conference(series=series, starts_at=start, occurrence_start=start, status=ConferenceStatus.HELD)


def presented(make, conference, case=None, **values):
    values = {
        "status": PresentationStatus.CLOSED,
        "prospective": True,
        "stage_discussed": True,
        "guideline_discussed": True,
    } | values
    return make.presentation(conference=conference, case=case or make.case(), **values)


@pytest.fixture
def year_of_work(make):
    """Four cases presented at two held conferences, one cancelled; a registry caseload of 40 (10%)."""
    series = make.series(name="Breast Tumor Board")
    first, second = held(make, series, date(YEAR, 3, 3)), held(make, series, date(YEAR, 3, 10))
    make.conference(
        series=series,
        starts_at=datetime(YEAR, 3, 17, 12, tzinfo=UTC),
        occurrence_start=datetime(YEAR, 3, 17, 12, tzinfo=UTC),
        status=ConferenceStatus.CANCELLED,
    )
    again = make.case()
    presented(make, first, again)
    presented(make, second, again, prospective=False)
    for _ in range(3):
        presented(make, second)
    presented(make, second, make.case(analytic=False, class_of_case="32"))
    for specialty in (Specialty.SURGERY, Specialty.PATHOLOGY):
        db.session.add(Attendance(conference_id=first.id, attendee_name=f"Dr {specialty.label}", specialty=specialty))
    db.session.add(Attendance(conference_id=second.id, attendee_name="Dr Surgeon", specialty=Specialty.SURGERY))
    db.session.add_all(
        [
            AnalyticCaseload(year=YEAR, site_group=SiteGroup.BREAST, analytic_cases=30),
            AnalyticCaseload(year=YEAR, site_group=SiteGroup.THORACIC, analytic_cases=10),
        ]
    )
    db.session.commit()
    return series


def test_dashboard_shows_the_years_measures(client, auth, coordinator, year_of_work):
    auth.login("dana")
    page = client.get(f"/reports/?year={YEAR}").get_data(as_text=True)
    assert 'data-testid="case-presentation-rate">10.0%' in page  # 4 distinct analytic cases of 40
    assert "4 of 40 analytic cases presented" in page and "not met" in page
    assert "4 / 5" in page and "80.0%" in page  # prospective: 4 of 5 presentations
    assert "2 / 3" in page  # conferences held / scheduled
    assert "the cancer registry&#39;s import" in page or "the cancer registry's import" in page
    assert "<svg" in page and "Download" in page


def test_dashboard_says_when_the_caseload_is_tumorboards_own(client, auth, coordinator, make):
    make.case(analytic=True)
    auth.login("dana")
    page = client.get("/reports/").get_data(as_text=True)
    assert f"no registry import for {program_today().year}" in page and "import the registry caseload" in page


def test_an_unknown_year_is_explained_and_this_year_shown(client, auth, coordinator):
    auth.login("dana")
    response = client.get("/reports/?year=19x5", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is no report for &#39;19x5&#39;" in page and f"Accreditation measures {program_today().year}" in page
    assert client.get("/reports/1850/report.pdf").status_code == 404


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.COORDINATOR, 200), (Role.AUDITOR, 200), (Role.ADMIN, 200), (Role.PHYSICIAN, 403), (Role.NAVIGATOR, 403)],
)
def test_who_sees_the_reports(client, auth, make, role, status):
    make.user(username="someone", roles=(role,))
    auth.login("someone")
    assert client.get("/reports/").status_code == status
    assert client.get(f"/reports/{program_today().year}/presentations.csv").status_code == status


def test_only_coordinators_and_admins_import(client, auth, make):
    make.user(username="audit", roles=(Role.AUDITOR,))
    auth.login("audit")
    assert client.get("/reports/caseload").status_code == 403
    assert client.get("/reports/conference-log").status_code == 403


def test_dashboard_queries_are_bounded(client, auth, coordinator, year_of_work, make, count_statements):
    auth.login("dana")
    client.get(
        f"/reports/?year={YEAR}"
    )  # each measure follows a warm-up: the signed-in user is (re)loaded once, not counted
    with count_statements() as few:
        client.get(f"/reports/?year={YEAR}")
    conference = held(make, year_of_work, date(YEAR, 5, 5))
    for _ in range(25):
        presented(make, conference)
    client.get(f"/reports/?year={YEAR}")
    with count_statements() as many:
        assert client.get(f"/reports/?year={YEAR}").status_code == 200
    assert many.count == few.count


def test_json_export_is_the_report(client, auth, coordinator, year_of_work):
    auth.login("dana")
    document = client.get(f"/reports/{YEAR}/report.json").get_json()
    assert document["year"] == YEAR and document["cases_presented"] == 4
    assert document["caseload"] == {"analytic_cases": 40, "source": "registry"}
    assert document["case_presentation_rate"] == 0.1 and document["presentations"] == 5
    assert document["conferences"] == {"scheduled": 3, "held": 2, "cancelled": 1}
    assert document["attendance"]["surgery"] == {"conferences_present": 2, "rate": 1.0}
    assert document["attendance"]["pathology"] == {"conferences_present": 1, "rate": 0.5}
    assert [row["site_group"] for row in document["by_site_group"]] == ["breast", "thoracic"]
    assert document["by_month"][2] == {
        "month": f"{YEAR}-03",
        "presentations": 5,
        "cases_presented": 4,
        "cumulative_cases_presented": 4,
        "cumulative_rate": 0.1,
    }


def test_measures_csv(client, auth, coordinator, year_of_work):
    auth.login("dana")
    response = client.get(f"/reports/{YEAR}/measures.csv")
    lines = response.get_data(as_text=True).splitlines()
    assert response.headers["Content-Disposition"] == f'attachment; filename="accreditation-{YEAR}-measures.csv"'
    assert lines[0] == "measure,numerator,denominator,rate,target,met"
    assert lines[1].endswith(",4,40,0.1,0.15,no")  # yes/no, the words the imports read


def test_presentation_list_names_patients_and_is_audited(client, auth, coordinator, year_of_work):
    auth.login("dana")
    text = client.get(f"/reports/{YEAR}/presentations.csv").get_data(as_text=True)
    header, *rows = text.splitlines()
    assert header.startswith("conference_date,series,case_id,mrn,last_name")
    assert (
        len(rows) == 6 and sum(row.endswith(",yes") for row in rows) == 5 and "True" not in text
    )  # the non-analytic one is listed, not counted
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "export"))
    assert entry.entity_type == "accreditation_presentations" and entry.entity_id == YEAR and "rows=6" in entry.detail


def test_workbook_has_the_measures_the_breakdowns_and_the_list(client, auth, coordinator, year_of_work):
    auth.login("dana")
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/{YEAR}/report.xlsx").data))
    assert workbook.sheetnames == [
        "Measures",
        "By site group",
        "By month",
        "By quarter",
        "By series",
        "Summary",
        "Presentations",
    ]
    assert workbook["Measures"]["B2"].value == 4 and workbook["Measures"]["C2"].value == 40
    assert workbook["Presentations"].max_row == 7


def test_annual_pdf_reads_like_the_page(client, auth, coordinator, year_of_work):
    auth.login("dana")
    response = client.get(f"/reports/{YEAR}/report.pdf")
    assert response.mimetype == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    assert f"Cancer conference report {YEAR}" in text
    assert "4 of 40 analytic cases presented (10.0%)" in text and "not met" in text
    assert "Breast Tumor Board" in text


def test_chart_download(client, auth, coordinator, year_of_work):
    auth.login("dana")
    response = client.get(f"/reports/{YEAR}/charts/cumulative-rate.svg")
    assert response.mimetype == "image/svg+xml" and b"<svg" in response.data
    assert client.get(f"/reports/{YEAR}/charts/pie.svg").status_code == 404


def test_a_conference_late_on_31_december_new_york_time_counts_in_that_year(make):
    """The conference date is the program's local date (tests run in America/New_York)."""
    series = make.series()
    late = datetime(YEAR + 1, 1, 1, 3, tzinfo=UTC)  # 22:00 on 31 December in New York
    conference = make.conference(series=series, starts_at=late, occurrence_start=late, status=ConferenceStatus.HELD)
    presented(make, conference)
    assert program_report(YEAR).cases_presented == 1
    assert program_report(YEAR + 1).cases_presented == 0


def test_exports_neutralize_spreadsheet_formulas(client, auth, coordinator, make):
    series = make.series(name="+Breast Board")
    conference = held(make, series, date(YEAR, 4, 7))
    presented(
        make,
        conference,
        make.case(patient=make.patient(last_name='=HYPERLINK("http://evil.example.org")', first_name="@SUM(A1)")),
    )
    auth.login("dana")
    text = client.get(f"/reports/{YEAR}/presentations.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text and "'@SUM(A1)" in text and "'+Breast Board" in text
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(f"/reports/{YEAR}/report.xlsx").data))
    row = [cell.value for cell in workbook["Presentations"][2]]
    assert '\'=HYPERLINK("http://evil.example.org")' in row and workbook["By series"]["A2"].value == "'+Breast Board"
    assert workbook["Presentations"]["C2"].data_type == "n"  # numbers stay numbers


def test_annual_pdf_prints_a_hostile_series_name_as_typed(client, auth, coordinator, make):
    series = make.series(name='Breast <a href="https://evil.example.org">board</a> <img src="/etc/hostname"/>')
    presented(make, held(make, series, date(YEAR, 5, 5)))
    auth.login("dana")
    response = client.get(f"/reports/{YEAR}/report.pdf")
    assert response.status_code == 200
    reader = PdfReader(io.BytesIO(response.data))
    assert '<a href="https://evil.example.org">board</a>' in " ".join(page.extract_text() for page in reader.pages)
    assert all(page.get("/Annots") is None and not page.images for page in reader.pages)


def test_the_program_report_read_lean_equals_the_report_from_every_row(make):
    """The program report reads only the presentations that can count, their yes/no columns as bits
    (reports/queries.py); the surveyor's report reads every row. Both must give the same measures."""
    from tumorboard.program.settings import program_settings
    from tumorboard.reports.queries import identified_report
    from tumorboard.room.models import ConsensusPlan
    from tumorboard.vocab import Implementation, NonImplementationReason, PresentationReason, PresentationTrack

    series = make.series(name="GI Tumor Board")
    first, second = held(make, series, date(YEAR, 2, 3)), held(make, series, date(YEAR, 6, 9))
    rectal = make.case(site_group=SiteGroup.COLORECTAL, primary_site="c20.9")
    presented(make, first, rectal, trials_discussed=True)
    presented(make, second, rectal, reason=PresentationReason.FURTHER_TREATMENT, prospective=None)
    presented(make, second, track=PresentationTrack.LISTED_NOT_DISCUSSED, stage_discussed=False)
    presented(make, second, status=PresentationStatus.NOT_REACHED)
    presented(make, first, make.case(analytic=False, class_of_case="32"))
    plans = [presented(make, second, guideline_discussed=False) for _ in range(3)]
    outcomes = [
        (Implementation.PARTLY, NonImplementationReason.PATIENT_CHOICE, ""),
        (Implementation.NO, None, "Two voters short; the patient starts on Monday"),
        (None, None, ""),
    ]
    for presentation, (implemented, reason, override) in zip(plans, outcomes, strict=True):
        db.session.add(
            ConsensusPlan(
                presentation_id=presentation.id,
                text="Surgery",
                finalized_at=datetime(YEAR, 6, 10, tzinfo=UTC),
                implemented=implemented,
                non_implementation_reason=reason,
                close_override_reason=override,
            )
        )
    db.session.add(Attendance(conference_id=first.id, attendee_name="Dr Surgeon", specialty=Specialty.SURGERY))
    settings = program_settings()
    settings.naprc_enabled = True
    db.session.add(settings)
    db.session.commit()

    lean, (_, every_row) = program_report(YEAR), identified_report(YEAR)
    assert lean == every_row
    counts = (lean.presentations, lean.cases_presented, lean.listed_not_discussed, lean.closed_by_override)
    assert counts == (5, 4, 1, 1)
    assert (lean.prospective_presentations, lean.discussion_counts["clinical_trial"]) == (4, 1)
    assert (lean.naprc.rectal_cases_presented, lean.naprc.presented_before_and_after) == (1, 1)
    plan = lean.implementation
    assert (plan.finalized_plans, plan.recorded, plan.partly, plan.not_implemented) == (3, 2, 1, 1)
    assert plan.reasons == {"not_recorded": 1, "patient_choice": 1}
    assert [(row.month, row.presentations) for row in lean.by_month if row.presentations] == [
        (f"{YEAR}-02", 1),
        (f"{YEAR}-06", 4),
    ]


def test_a_conference_counts_in_the_year_and_month_of_its_local_day(make):
    """23:30 on 31 December in New York is already 1 January in UTC; 00:30 on 1 January is still 31 December there."""
    from zoneinfo import ZoneInfo

    series, zone = make.series(name="Night Board"), ZoneInfo("America/New_York")
    for local in (datetime(YEAR, 12, 31, 23, 30, tzinfo=zone), datetime(YEAR + 1, 1, 1, 0, 30, tzinfo=zone),
                  datetime(YEAR, 1, 1, 0, 30, tzinfo=zone)):
        start = local.astimezone(UTC)
        conference = make.conference(series=series, starts_at=start, occurrence_start=start,
                                     status=ConferenceStatus.HELD)
        presented(make, conference)
    report = program_report(YEAR)
    months = {row.month: row.presentations for row in report.by_month}
    assert (report.presentations, months[f"{YEAR}-01"], months[f"{YEAR}-12"]) == (2, 1, 1)
    assert report.conferences.held == 2
