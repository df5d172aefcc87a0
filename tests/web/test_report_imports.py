"""Importing the registry caseload and a past conference log: the uploads and the commands, all or nothing."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from tumorboard.audit.models import AuditEntry
from tumorboard.cases.models import Case, Patient
from tumorboard.conferences.models import Conference, ConferenceSeries
from tumorboard.extensions import db
from tumorboard.reports.models import AnalyticCaseload
from tumorboard.reports.queries import program_report
from tumorboard.room.models import Attendance, Presentation
from tumorboard.vocab import ConferenceStatus, PresentationStatus, Role, SiteGroup

YEAR = date.today().year - 1
CASELOAD = f"year,site_group,analytic_cases\n{YEAR},breast,300\n{YEAR},thoracic,200\n{YEAR - 1},breast,280\n"
PRESENTATIONS = (
    "conference_date,series,mrn,last_name,first_name,birth_date,site_group,analytic,prospective,stage_discussed,guideline_discussed,trial_discussed\n"
    f"{YEAR}-02-03,Breast Tumor Board,LOG000001,Okafor,Ada,1958-04-02,breast,yes,yes,yes,yes,no\n"
    f"{YEAR}-02-10,Breast Tumor Board,LOG000001,Okafor,Ada,1958-04-02,breast,yes,no,yes,no,no\n"
    f"{YEAR}-02-10,Breast Tumor Board,LOG000002,Lindqvist,Eva,1966-09-30,breast,yes,yes,yes,yes,yes\n"
    f"{YEAR}-02-10,Breast Tumor Board,LOG000003,Moreau,Luc,1949-01-12,breast,no,yes,no,no,no\n"
)
ATTENDANCE = (
    "conference_date,series,name,specialty\n"
    f"{YEAR}-02-03,Breast Tumor Board,Sarah Kim,surgery\n"
    f"{YEAR}-02-03,Breast Tumor Board,Visiting Pathologist,pathology\n"
    f"{YEAR}-02-10,Breast Tumor Board,Sarah Kim,surgery\n"
)


@pytest.fixture
def coordinator(make):
    make.user(username="skim", full_name="Sarah Kim", roles=(Role.PHYSICIAN,))
    return make.user(username="dana", roles=(Role.COORDINATOR,))


def upload(text: str, name: str = "file.csv") -> tuple[io.BytesIO, str]:
    return io.BytesIO(text.encode()), name


def caseload_totals() -> dict[int, int]:
    return dict(
        db.session.execute(
            sa.select(AnalyticCaseload.year, sa.func.sum(AnalyticCaseload.analytic_cases)).group_by(
                AnalyticCaseload.year
            )
        ).all()
    )


def test_caseload_upload_imports_new_years(client, auth, coordinator):
    auth.login("dana")
    page = client.post("/reports/caseload", data={"file": upload(CASELOAD)}, follow_redirects=True).get_data(
        as_text=True
    )
    assert f"Imported the registry caseload of {YEAR - 1} (280 analytic cases), {YEAR} (500 analytic cases)." in page
    assert caseload_totals() == {YEAR: 500, YEAR - 1: 280}
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.entity_type == "analytic_caseload")
        )
        == 2
    )


def test_the_report_served_again_follows_an_import_at_once(client, auth, coordinator, make):
    held = datetime(YEAR, 3, 3, 12, tzinfo=UTC)
    make.conference(starts_at=held, occurrence_start=held, status=ConferenceStatus.HELD)
    auth.login("dana")
    caseload = lambda: client.get(f"/reports/{YEAR}/report.json").get_json()["caseload"]  # noqa: E731
    assert caseload() == caseload() == {"analytic_cases": 0, "source": "tumorboard"}  # the second one served again
    client.post("/reports/caseload", data={"file": upload(CASELOAD)})
    assert caseload() == {"analytic_cases": 500, "source": "registry"}
    db.session.execute(
        sa.text(f"UPDATE analytic_caseload SET analytic_cases = 100 WHERE year = {YEAR}")
    )  # by hand, outside the app
    db.session.commit()
    assert caseload() == {"analytic_cases": 200, "source": "registry"}


def test_reimporting_a_year_asks_first_then_replaces_the_whole_year(client, auth, coordinator):
    db.session.add_all(
        [
            AnalyticCaseload(year=YEAR, site_group=SiteGroup.BREAST, analytic_cases=250),
            AnalyticCaseload(year=YEAR, site_group=SiteGroup.PROSTATE, analytic_cases=90),
        ]
    )
    db.session.commit()
    auth.login("dana")
    page = client.post("/reports/caseload", data={"file": upload(CASELOAD)}).get_data(as_text=True)
    assert "Replace the registry caseload?" in page and "340" in page and "500" in page
    assert "<td>Prostate</td>" in page  # the file has no prostate row: the confirmation says that count goes
    assert caseload_totals() == {YEAR: 340}  # nothing changed yet
    rows = pd.read_csv(io.StringIO(CASELOAD), dtype=str).to_dict("records")
    done = client.post("/reports/caseload/confirm", data={"rows": json.dumps(rows)}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "Imported the registry caseload" in done
    assert caseload_totals() == {YEAR: 500, YEAR - 1: 280}
    assert (
        db.session.scalar(sa.select(AnalyticCaseload).where(AnalyticCaseload.site_group == SiteGroup.PROSTATE)) is None
    )


def test_a_tampered_confirmation_is_checked_again(client, auth, coordinator):
    auth.login("dana")
    bad = json.dumps([{"year": str(YEAR), "site_group": "breast", "analytic_cases": "-5"}])
    page = client.post("/reports/caseload/confirm", data={"rows": bad}).get_data(as_text=True)
    assert "cannot be negative" in page and caseload_totals() == {}
    huge = json.dumps([{"year": str(YEAR), "site_group": "breast", "analytic_cases": "99999999999999999999"}])
    page = client.post("/reports/caseload/confirm", data={"rows": huge}).get_data(as_text=True)
    assert "more than any program sees" in page and caseload_totals() == {}
    garbled = client.post("/reports/caseload/confirm", data={"rows": "{not json"}, follow_redirects=True).get_data(
        as_text=True
    )
    assert "could not be read" in garbled


def test_a_bad_caseload_file_is_reported_row_by_row_and_nothing_written(client, auth, coordinator):
    auth.login("dana")
    text = (
        f"year,site_group,analytic_cases\n{YEAR},breast,300\n{YEAR},lung,20\n{YEAR},thoracic,-4\n"
        f"last year,breast,1\n{YEAR},Breast,2\n"
    )
    page = client.post("/reports/caseload", data={"file": upload(text)}).get_data(as_text=True)
    assert "4 problems found. Nothing was imported." in page
    assert "not a known site group" in page and "cannot be negative" in page and "already on row 2" in page
    assert caseload_totals() == {}
    wrong_type = client.post("/reports/caseload", data={"file": upload("x", "caseload.pdf")}).get_data(as_text=True)
    assert "Upload a .csv or .xlsx file." in wrong_type


def test_caseload_xlsx_upload(client, auth, coordinator):
    buffer = io.BytesIO()
    pd.DataFrame({"year": [YEAR], "site_group": ["Breast"], "analytic_cases": [123]}).to_excel(buffer, index=False)
    auth.login("dana")
    client.post("/reports/caseload", data={"file": (io.BytesIO(buffer.getvalue()), "caseload.xlsx")})
    assert caseload_totals() == {YEAR: 123}


def test_conference_log_upload_creates_what_it_needs_and_feeds_the_report(client, auth, coordinator):
    auth.login("dana")
    page = client.post(
        "/reports/conference-log",
        data={"presentations": upload(PRESENTATIONS, "p.csv"), "attendance": upload(ATTENDANCE, "a.csv")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (
        "Imported 4 presentation(s) and 3 attendance record(s) (2 new conference(s), 1 new series, 3 new case(s))"
        in page
    )
    series = db.session.scalar(sa.select(ConferenceSeries))
    assert series.name == "Breast Tumor Board" and series.active is False and series.site_groups == [SiteGroup.BREAST]
    conferences = db.session.scalars(sa.select(Conference).order_by(Conference.starts_at)).all()
    assert [c.status for c in conferences] == [ConferenceStatus.HELD] * 2
    assert all(p.status is PresentationStatus.CLOSED for p in db.session.scalars(sa.select(Presentation)))
    assert db.session.scalar(sa.select(Case).join(Patient).where(Patient.mrn == "LOG000003")).analytic is False
    skim = db.session.scalar(sa.select(Attendance).where(Attendance.attendee_name == "Sarah Kim"))
    assert skim.user is not None and skim.user.username == "skim"

    report = program_report(YEAR)
    assert (report.cases_presented, report.presentations, report.prospective_presentations) == (2, 3, 2)
    assert (
        report.attendance["surgery"].conferences_present == 2
        and report.attendance["pathology"].conferences_present == 1
    )

    again = client.post(
        "/reports/conference-log",
        data={"presentations": upload(PRESENTATIONS, "p.csv"), "attendance": upload(ATTENDANCE, "a.csv")},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert (
        "Imported 0 presentation(s) and 0 attendance record(s)" in again and "7 row(s) were already imported" in again
    )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presentation)) == 4


def test_a_bad_conference_log_is_reported_with_its_file_and_nothing_written(client, auth, coordinator):
    auth.login("dana")
    bad = PRESENTATIONS + f"{YEAR}-02-31,Breast Tumor Board,LOG000004,Ng,Kai,1970-01-01,breast,yes,yes,yes,yes,no\n"
    bad_attendance = ATTENDANCE + f"{YEAR}-02-10,Breast Tumor Board,sarah kim,surgery\n"
    page = client.post(
        "/reports/conference-log",
        data={"presentations": upload(bad, "p.csv"), "attendance": upload(bad_attendance, "a.csv")},
    ).get_data(as_text=True)
    assert "2 problems found. Nothing was imported." in page
    assert "<td>presentations</td><td>6</td>" in page and "<td>attendance</td><td>5</td>" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConferenceSeries)) == 0
    assert "Give a presentations file" in client.post("/reports/conference-log", data={}).get_data(as_text=True)


def test_import_caseload_command(runner, tmp_path: Path):
    good, bad = tmp_path / "caseload.csv", tmp_path / "bad.csv"
    good.write_text(CASELOAD)
    bad.write_text("year,site_group,analytic_cases\n2025,lung,3\n")
    result = runner.invoke(args=["import-caseload", str(good)])
    assert result.exit_code == 0 and f"{YEAR}: 500 analytic cases." in result.output
    failed = runner.invoke(args=["import-caseload", str(bad)])
    assert failed.exit_code == 1 and "row 2, site_group" in failed.output
    assert caseload_totals() == {YEAR: 500, YEAR - 1: 280}


def test_import_conference_log_command(runner, tmp_path: Path, coordinator):
    presentations, attendance = tmp_path / "p.csv", tmp_path / "a.csv"
    presentations.write_text(PRESENTATIONS)
    attendance.write_text(ATTENDANCE.replace("surgery\n", "astrology\n", 1))
    failed = runner.invoke(
        args=["import-conference-log", "--presentations", str(presentations), "--attendance", str(attendance)]
    )
    assert failed.exit_code == 1 and "attendance row 2, specialty" in failed.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Presentation)) == 0
    attendance.write_text(ATTENDANCE)
    result = runner.invoke(
        args=[
            "import-conference-log",
            "--presentations",
            str(presentations),
            "--attendance",
            str(attendance),
            "--as",
            "dana",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "4 presentations" in result.output and "3 attendance" in result.output
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.entity_type == "conference_log"))
    assert entry.user_id == coordinator.id


def test_accreditation_report_command(runner, tmp_path: Path, app):
    runner.invoke(args=["import-caseload", str(_write(tmp_path, "c.csv", CASELOAD))])
    result = runner.invoke(args=["accreditation-report", "--year", str(YEAR)])
    document = json.loads(result.output)
    assert result.exit_code == 0 and document["caseload"] == {"analytic_cases": 500, "source": "registry"}
    assert document["case_presentation_rate"] == 0.0 and len(document["by_month"]) == 12
    csv = runner.invoke(args=["accreditation-report", "--year", str(YEAR), "--format", "csv"])
    assert csv.output.startswith("measure,numerator,denominator,rate,target,met")
    pdf = runner.invoke(
        args=["accreditation-report", "--year", str(YEAR), "--format", "pdf", "--output", str(tmp_path / "r.pdf")]
    )
    assert pdf.exit_code == 0 and (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    xlsx = runner.invoke(args=["accreditation-report", "--year", str(YEAR), "--format", "xlsx"])
    assert (
        xlsx.exit_code == 0 and Path(app.config["REPORTS_DIR"], "accreditation", f"accreditation-{YEAR}.xlsx").exists()
    )
    future = runner.invoke(args=["accreditation-report", "--year", str(YEAR + 5)])
    assert future.exit_code == 2 and "choose a year" in future.output


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path
