"""Boards and people in the browser: a member finds a patient from the header, the auditor finds who looked."""

import logging
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tumorboard.vocab import Role, Specialty


def test_a_member_finds_a_patient_from_the_header_and_the_auditor_finds_who_looked(make, page, live_server, caplog):
    make.user(username="skim", full_name="Sarah Kim", roles=(Role.PHYSICIAN,), specialty=Specialty.SURGERY)
    make.user(username="audrey", full_name="Audrey Stone", roles=(Role.AUDITOR,))
    maria = make.patient(mrn="MR204511", last_name="O'Connor-Nguyen", first_name="María", birth_date=date(1961, 2, 3))
    case = make.case(patient=maria)
    make.case(patient=make.patient(mrn="MR300001", last_name="Connors", first_name="Mark"))

    sign_in(page, live_server, "skim")
    with caplog.at_level(logging.DEBUG):
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
        page.keyboard.press("/")  # from anywhere on the page, "/" goes to the search box
        page.keyboard.type("o'con mar")
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=1)).to_have_text("Find a patient")
        for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=f"/tmp/x/find-{name}.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})
        expect(page.locator("tbody tr")).to_have_count(1)
        expect(page.locator("tbody")).to_contain_text("O'Connor-Nguyen, María")
        assert "/cases/find" in page.url and "con" not in page.url  # what was typed is in no URL
        page.get_by_role("link", name=f"#{case.id}").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("O'Connor-Nguyen")
    assert "POST /cases/find" in caplog.text  # the server logged the request ...
    assert "o'con" not in caplog.text and "o%27con" not in caplog.text  # ... and not what was typed
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, live_server, "audrey")
    box = page.get_by_role("searchbox", name="Find a patient: MRN, case number, name or date of birth")
    box.fill("MR204511")
    box.press("Enter")
    page.get_by_role("link", name="Who looked at this patient").click()
    expect(page.get_by_role("status")).to_contain_text("Entries concerning O'Connor-Nguyen, María")
    rows = page.locator("tbody tr")
    expect(rows.filter(has_text="skim").filter(has_text="search")).to_have_count(1)
    expect(rows.filter(has_text="skim").filter(has_text="view")).to_have_count(1)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path="/tmp/x/audit-patient.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path="/tmp/x/audit-patient-phone.png", full_page=True)
