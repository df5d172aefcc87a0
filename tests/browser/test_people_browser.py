"""Boards and people in the browser: a member finds a patient from the header, the auditor finds who looked."""

import logging
from datetime import date

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tumorboard.vocab import Role, Specialty

DOCTORS = [("skim", "Sarah Kim", Specialty.SURGERY), ("rpatel", "Raj Patel", Specialty.MEDICAL_ONCOLOGY),
           ("lchen", "Lena Chen", Specialty.RADIATION_ONCOLOGY), ("mokafor", "Moses Okafor", Specialty.PATHOLOGY),
           ("jrossi", "Julia Rossi", Specialty.DIAGNOSTIC_RADIOLOGY)]


def _create_board_with_five_members_and_a_chair(page, base: str) -> None:
    sign_in(page, base, "dana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Conferences").click()
    page.get_by_role("link", name="New series").click()
    page.get_by_label("Name").fill("Breast Tumor Board")
    page.get_by_label("Breast").check()
    page.get_by_label("First meeting").fill(date.today().isoformat())
    page.get_by_label("Starts at").fill("07:00")
    page.get_by_label("Ends at").fill("08:00")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Breast Tumor Board")
    page.get_by_role("link", name="Members, chairs and deputy").click()
    for username, name, _ in DOCTORS:
        page.get_by_label("Physician").fill(username)
        page.get_by_label("As").select_option("chair" if username == "skim" else "member")
        page.get_by_role("button", name="Add to the board").click()
        expect(page.get_by_role("status")).to_contain_text(f"{name} is on the board")
    members = page.get_by_role("table", name="Members").locator("tbody tr")
    expect(members).to_have_count(5)
    expect(members.filter(has_text="Sarah Kim")).to_contain_text("Chair")
    page.get_by_label("Physician").fill("nobody")
    page.get_by_role("button", name="Add to the board").click()
    expect(page.get_by_text("Choose an active physician from the list.")).to_be_visible()
    for width, height, name in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=f"/tmp/x/members-{name}.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Sign out").click()


def test_a_coordinator_builds_a_board_a_member_finds_a_patient_and_the_auditor_finds_who_looked(
    make, page, live_server, caplog
):
    for username, name, specialty in DOCTORS:
        make.user(username=username, full_name=name, roles=(Role.PHYSICIAN,), specialty=specialty)
    make.user(username="dana", full_name="Dana Cole", roles=(Role.COORDINATOR,))
    make.user(username="audrey", full_name="Audrey Stone", roles=(Role.AUDITOR,))
    _create_board_with_five_members_and_a_chair(page, live_server)
    page.goto(f"{live_server}/profile")  # signed out: the sign-in page
    sign_in(page, live_server, "skim")
    page.goto(f"{live_server}/profile")
    expect(page.get_by_text("Breast Tumor Board (chair), since")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    maria = make.patient(mrn="MR204511", last_name="O'Connor-Nguyen", first_name="María", birth_date=date(1961, 2, 3))
    case = make.case(patient=maria)
    make.case(patient=make.patient(mrn="MR300001", last_name="Connors", first_name="Mark"))

    sign_in(page, live_server, "skim")
    with caplog.at_level(logging.DEBUG):
        expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
        page.wait_for_load_state("load")  # the page's scripts have run
        page.keyboard.press("/")  # from anywhere on the page, "/" goes to the search box
        expect(page.get_by_role("searchbox", name="Find a patient", exact=True)).to_be_focused()
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
    box = page.get_by_role("searchbox", name="Find a patient", exact=True)
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

