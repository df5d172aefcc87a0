"""A physician submits a case in the browser and a coordinator finds it in the queue."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tumorboard.vocab import Role, Specialty


def test_submit_a_case_and_find_it_in_the_queue(make, page, live_server):
    make.user(username="skim", full_name="Sarah Kim", roles=(Role.PHYSICIAN,), specialty=Specialty.MEDICAL_ONCOLOGY)
    make.user(username="dana", roles=(Role.COORDINATOR,))
    make.patient(mrn="TB424242", last_name="Merriweather", first_name="Lydia")
    sign_in(page, live_server, "skim")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_role("link", name="New case").click()

    page.get_by_label("MRN").fill("TB424242")
    page.get_by_role("button", name="Find patient").click()
    expect(page.get_by_role("status")).to_contain_text("Returning patient")
    expect(page.get_by_label("Last name")).to_have_value("Merriweather")  # a returning patient, not typed again
    expect(page.get_by_label("Date of birth")).to_have_value("1960-05-17")

    page.get_by_label("Primary site group").select_option("breast")
    page.get_by_label("Histology").fill("Invasive lobular carcinoma")
    page.get_by_label("Laterality").select_option("right")
    page.get_by_label("Date of diagnosis").fill("2026-10-12")
    page.get_by_label("AJCC edition").select_option("8")
    page.get_by_label("cT", exact=True).fill("T2")
    page.get_by_label("cN", exact=True).fill("N0")
    page.get_by_label("cM", exact=True).fill("M0")
    page.get_by_label("Clinical stage group").fill("IIA")
    page.get_by_label("ECOG performance status (0-4)").fill("0")
    page.get_by_label("Question for the board").fill("Breast conservation or mastectomy?")
    page.get_by_label("Imaging to review").fill("Bilateral breast MRI")
    page.get_by_label("Pathology to review").fill("Core biopsy S26-0042")
    page.get_by_label("Managing physician").select_option(label="Sarah Kim, MD")
    page.get_by_label("Referring physician", exact=True).fill("Dr. Ruth Okonkwo")
    page.get_by_role("button", name="Submit to the board").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Case #1: Merriweather, Lydia")
    expect(page.get_by_text("Draft → Submitted")).to_be_visible()
    assert "TB424242" not in page.url and "Merriweather" not in page.url

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live_server, "dana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Cases").click()
    page.get_by_label("Site group").select_option("breast")
    page.get_by_label("Ready").select_option("no")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_text("1 case", exact=True)).to_be_visible()
    row = page.get_by_role("row", name="Merriweather")
    expect(row).to_contain_text("Submitted")
    expect(row).to_contain_text("0 days")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the queue's rows stack, their cells labelled
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    label = row.locator("td[data-label=Pathology]").evaluate("td => getComputedStyle(td, '::before').content")
    assert label == '"Pathology: "'  # the header row is hidden on a phone: each cell says what it is
    row.get_by_role("link", name="#1").click()
    expect(page.get_by_text("Breast conservation or mastectomy?")).to_be_visible()
