"""A managing physician finalizes a plan, issues the letter and downloads it in the browser."""

from io import BytesIO

import pypdf
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.web.test_letters import Presented


def test_finalize_issue_and_download_a_letter(make, page, live_server):
    presented = Presented(make)
    sign_in(page, live_server, presented.managing.username)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Letters").click()
    page.get_by_role("link", name=f"#{presented.case.id}").click()
    page.get_by_role("textbox", name="Final plan").fill(
        "Neoadjuvant ddAC-T, then lumpectomy and whole-breast radiation"
    )
    page.get_by_label("Next steps (who does what, by when)").fill("Medical oncology visit within 7 days")
    page.get_by_role("button", name="Finalize the plan").click()
    expect(page.get_by_role("status")).to_contain_text("The plan is final")
    page.get_by_role("button", name="Issue the referrer letter").click()
    expect(page.get_by_role("status")).to_have_text("Referrer letter, version 1, issued.")
    with page.expect_download() as download:
        page.get_by_role("link", name="Referrer v1").click()
    pdf = download.value.path().read_bytes()
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(BytesIO(pdf)).pages)
    assert "Neoadjuvant ddAC-T, then lumpectomy and whole-breast radiation" in text and "Sarah Kim" in text
    assert "Lockhart" not in download.value.suggested_filename
