"""A coordinator imports the registry caseload, confirms a re-import and reads the year's measures in the browser."""

from datetime import UTC, date, datetime

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tumorboard.vocab import ConferenceStatus, PresentationStatus, Role

YEAR = date.today().year - 1


def test_import_the_caseload_and_read_the_measures(make, page, live_server, tmp_path):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    series = make.series(name="Breast Tumor Board")
    start = datetime(YEAR, 6, 2, 12, tzinfo=UTC)
    conference = make.conference(series=series, starts_at=start, occurrence_start=start, status=ConferenceStatus.HELD)
    for _ in range(3):
        make.presentation(conference=conference, status=PresentationStatus.CLOSED, prospective=True)
    first, second = tmp_path / "caseload.csv", tmp_path / "corrected.csv"
    first.write_text(f"year,site_group,analytic_cases\n{YEAR},breast,10\n")
    second.write_text(f"year,site_group,analytic_cases\n{YEAR},breast,20\n")

    sign_in(page, live_server, "dana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accreditation").click()
    page.get_by_role("link", name="Registry caseload", exact=True).click()
    page.get_by_label("Caseload file (CSV or XLSX)").set_input_files(str(first))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("status")).to_contain_text(f"Imported the registry caseload of {YEAR} (10 analytic cases)")

    page.get_by_label("Caseload file (CSV or XLSX)").set_input_files(str(second))
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Replace the registry caseload?")
    expect(page.get_by_role("row", name=str(YEAR))).to_contain_text("10")
    page.get_by_role("button", name="Replace these years").click()
    expect(page.get_by_role("row", name=str(YEAR))).to_contain_text("20")

    page.get_by_role("link", name=f"Measures {YEAR}").click()
    expect(page.get_by_test_id("case-presentation-rate")).to_have_text("15.0%")  # 3 of 20
    expect(page.get_by_role("row", name="Case presentation rate")).to_contain_text("met")
    expect(page.locator(".tb-chart svg")).to_have_count(2)
    with page.expect_download() as download:
        page.get_by_role("link", name="Annual report (PDF)").click()
    assert download.value.suggested_filename == f"cancer-conference-report-{YEAR}.pdf"

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the wide tables scroll inside themselves
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The measures, the first thing a surveyor reads, fit without scrolling: no status badge is cut at the edge.
    assert page.evaluate("(() => { const box = document.querySelector('#measures').parentElement;"
                         " return box.scrollWidth <= box.clientWidth; })()")
