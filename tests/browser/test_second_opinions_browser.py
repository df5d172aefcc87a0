"""A caregiver asks for a second opinion on the public form, in the browser; a navigator finds it on the list,
takes it on and attaches the outside pathology report."""

import logging

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tumorboard.vocab import Role

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _ask(page, base: str) -> None:
    page.goto(f"{base}/second-opinions/request")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ask for a second opinion")
    assert page.get_by_label("Leave this empty").bounding_box()["x"] < 0  # off screen: only robots fill it in
    page.get_by_label("I am").select_option("caregiver")
    page.get_by_label("Your name").fill("Marcus Ravenscroft")
    page.get_by_label("Contact phone").fill("call me maybe!!")
    page.get_by_label("Last name").fill("Ravenscroft")
    page.get_by_label("First name").fill("Helen")
    page.get_by_label("Date of birth").fill("1967-07-09")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Diagnosis, as you know it").fill("Breast cancer; offered a mastectomy")
    page.get_by_label("Specialty wanted").select_option("surgery")
    page.get_by_label("Visit").select_option("virtual")
    page.get_by_label("Insurance company (payer)").fill("Blue Shield")
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_text("Write a phone number with digits")).to_be_visible()
    expect(page.get_by_text("Tick the box so that our navigator may contact you")).to_be_visible()
    expect(page.get_by_label("Last name")).to_have_value("Ravenscroft")  # nothing typed is lost
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"/tmp/x/public-form-refused-{name}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_label("Contact phone").fill("(555) 010-1234")
    page.get_by_label("I agree that a navigator of the program may contact me").check()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: we have your request")
    expect(page.get_by_role("status")).to_contain_text("Its reference is SO-")
    assert "Ravenscroft" not in page.url and page.url.endswith("/second-opinions/sent")
    page.screenshot(path="/tmp/x/public-form-sent.png", full_page=True)


def test_a_caregiver_asks_and_a_navigator_takes_the_request_on(make, page, live_server, caplog, tmp_path):
    make.user(username="priya", full_name="Priya Shah", roles=(Role.NAVIGATOR,))
    with caplog.at_level(logging.INFO):
        _ask(page, live_server)
    assert "Ravenscroft" not in caplog.text
    sign_in(page, live_server, "priya")
    page.get_by_role("link", name="New from the web, not taken on yet").click()
    row = page.locator("tbody tr", has_text="Ravenscroft, Helen")
    expect(row).to_contain_text("new from the web")
    expect(row).to_contain_text("no MRN yet")
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"/tmp/x/second-opinions-web-{name}.png", full_page=True)
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1280, "height": 900})
    row.get_by_role("link").first.click()
    expect(page.get_by_text("New from the web: open Edit intake to take it on")).to_be_visible()
    page.get_by_role("link", name="Edit intake").click()
    page.get_by_label("Navigator").select_option(label="Priya Shah")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Request saved.")
    report = tmp_path / "outside pathology.pdf"
    report.write_bytes(PDF)
    page.get_by_label("Record", exact=True).select_option("pathology_report")
    page.get_by_label("File (PDF, PNG, JPEG or TIFF)").set_input_files(str(report))
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("status")).to_contain_text("Pathology report: outside pathology.pdf attached")
    expect(page.get_by_label("Pathology report", exact=True)).to_have_value("received")
    with page.expect_download() as download:
        page.get_by_role("link", name="outside pathology.pdf").click()
    assert download.value.path().read_bytes() == PDF
    page.screenshot(path="/tmp/x/second-opinion-request-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/x/second-opinion-request-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
