"""Signing in, roles and signing out, in a real browser."""

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tumorboard.vocab import Role


def test_wrong_password_then_sign_in_then_sign_out(make, page, live_server):
    make.user(username="skim", full_name="Sarah Kim")
    sign_in(page, live_server, "skim", "wrong-password")
    expect(page.get_by_role("alert")).to_have_text("Unknown username or wrong password.")
    expect(page.get_by_label("Username")).to_have_value("skim")

    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{live_server}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Sarah")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(f"{live_server}/login")
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login?next=%2F")


def test_a_physician_is_refused_user_management(make, page, live_server):
    make.user(username="skim", roles=(Role.PHYSICIAN,))
    sign_in(page, live_server, "skim")
    expect(page.get_by_role("link", name="Users")).to_have_count(0)
    response = page.goto(f"{live_server}/users/")
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access to this page")


def test_a_coordinator_adds_a_user_through_the_form(make, page, live_server):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    sign_in(page, live_server, "dana")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_role("link", name="New user").click()
    page.get_by_label("Full name").fill("Owen Price")
    page.get_by_label("Username").fill("oprice")
    page.get_by_label("E-mail").fill("oprice@hospital.example.org")
    page.get_by_label("Specialty").select_option("gastroenterology")
    page.get_by_label("Physician").check()
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Repeat the new password").fill("short")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Use at least 12 characters.")).to_be_visible()
    expect(page.get_by_label("Full name")).to_have_value("Owen Price")  # input kept

    page.get_by_label("New password", exact=True).fill("gastro-board-2026")
    page.get_by_label("Repeat the new password").fill("gastro-board-2026")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("User oprice created.")
    expect(page.get_by_role("link", name="Owen Price, MD")).to_have_count(0)  # no credentials given
    expect(page.get_by_role("link", name="Owen Price")).to_be_visible()
