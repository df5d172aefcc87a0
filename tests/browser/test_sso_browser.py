"""Hospital sign-in in Chromium: the button, the provider's own pages, back signed in, and signed out at both ends."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from tests.sso import Provider, start_provider
from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.vocab import Role


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory, live_server: str) -> Iterator[Provider]:
    running = start_provider(tmp_path_factory.mktemp("oidc"), [live_server])
    yield running
    running.stop()


@pytest.fixture
def hospital(app, provider: Provider, page: Page, monkeypatch: pytest.MonkeyPatch) -> Provider:
    """Sign-in with the provider on; its pages' web font (a foreign address) is not fetched."""
    monkeypatch.setitem(app.config, "SINGLE_SIGN_ON", provider.settings(
        group_roles=(("tb-coordinators", Role.COORDINATOR),)))
    provider.people.clear()
    page.context.route("https://fonts.googleapis.com/**", lambda route: route.abort())
    return provider


def at_the_provider(page: Page, login: str) -> None:
    """What the person does on the hospital's pages: sign in, then allow TumorBoard."""
    page.get_by_placeholder("Enter any login").fill(login)
    page.get_by_placeholder("and password").fill("the hospital password")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_a_coordinator_signs_in_with_the_hospital_and_out_at_both_ends(make, page, live_server, hospital):
    make.user(username="dana", full_name="Dana Reyes", email="dana.reyes@riverside.example.org", roles=())
    hospital.person("00u-dana", "dana.reyes@riverside.example.org", groups=("tb-coordinators",))
    page.goto(f"{live_server}/users/")
    expect(page).to_have_url(f"{live_server}/login?next=%2Fusers%2F")
    page.get_by_role("link", name="Sign in with Riverside Health").click()
    expect(page).to_have_url(re.compile(re.escape(f"{hospital.issuer}/interaction/")))  # the hospital's own page
    at_the_provider(page, "00u-dana")
    expect(page).to_have_url(f"{live_server}/users/")  # where she was going, with the role her group gives
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(re.escape(f"{hospital.issuer}/session/end")))
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(re.compile(re.escape(f"{live_server}/login?state=")))
    expect(page.get_by_role("status")).to_have_text("You are signed out.")
    page.goto(f"{live_server}/")
    expect(page).to_have_url(f"{live_server}/login?next=%2F")
    details = db.session.scalars(sa.select(AuditEntry.detail).where(AuditEntry.action.in_(("login", "logout")))).all()
    assert details == ["method=sso; matched by e-mail; roles=coordinator", ""]


def test_someone_without_an_account_sees_why_and_can_go_back(page, live_server, hospital):
    hospital.person("00u-new", "new.fellow@riverside.example.org")
    page.goto(f"{live_server}/login")
    page.get_by_role("link", name="Sign in with Riverside Health").click()
    at_the_provider(page, "00u-new")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not signed in")
    expect(page.get_by_role("alert")).to_contain_text("no TumorBoard account has your e-mail address")
    page.get_by_role("link", name="Back to sign-in").click()
    expect(page).to_have_url(f"{live_server}/login")


def test_with_local_passwords_off_the_emergency_form_is_folded_away(make, app, page, live_server, hospital,
                                                                     monkeypatch):
    monkeypatch.setitem(app.config, "SINGLE_SIGN_ON", hospital.settings(local_login=False,
                                                                        break_glass=frozenset({"breakglass"})))
    make.user(username="breakglass", full_name="Emergency Admin", roles=(Role.ADMIN,))
    page.goto(f"{live_server}/login")
    expect(page.get_by_label("Username")).to_be_hidden()
    page.get_by_text("Emergency (break-glass) sign-in").click()
    page.get_by_label("Username").fill("breakglass")
    page.get_by_label("Password").fill("correct-horse-battery")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Good to see you, Emergency")
