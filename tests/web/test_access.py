"""Every route declares who may use it, and the answer follows the roles."""

import pytest

from tumorboard.vocab import Role
from tumorboard.web.access import PUBLIC, SIGNED_IN, access_of


def test_every_route_declares_its_audience(app):
    undeclared = [rule.endpoint for rule in app.url_map.iter_rules() if access_of(rule.endpoint) is None]
    assert undeclared == []


def test_public_routes_are_only_the_expected_ones(app):
    public = {rule.endpoint for rule in app.url_map.iter_rules() if access_of(rule.endpoint) == PUBLIC}
    assert public == {
        "static",
        "bootstrap.static",
        "auth.login",
        "auth.logout",
        "auth.sso_start",
        "auth.sso_callback",
        "dashboard.healthz",
        "calendar.old_series_feed",
        "calendar.series_feed",
        "calendar.personal_feed",
        "second_opinions.public_form",
        "second_opinions.public_sent",
    }


@pytest.mark.parametrize("path", ["/", "/profile", "/users/", "/users/new", "/audit/"])
def test_anonymous_users_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302 and response.location.startswith("/login?next=")


@pytest.mark.parametrize(
    ("roles", "path", "status"),
    [
        ((Role.PHYSICIAN,), "/", 200),
        ((Role.PHYSICIAN,), "/profile", 200),
        ((Role.PHYSICIAN,), "/users/", 403),
        ((Role.PHYSICIAN,), "/audit/", 403),
        ((Role.NAVIGATOR,), "/users/", 403),
        ((Role.AUDITOR,), "/users/", 403),
        ((Role.AUDITOR,), "/audit/", 200),
        ((Role.COORDINATOR,), "/users/", 200),
        ((Role.COORDINATOR,), "/users/new", 200),
        ((Role.COORDINATOR,), "/audit/", 403),
        ((Role.ADMIN,), "/users/", 200),
        ((Role.ADMIN,), "/audit/", 200),
        ((Role.PHYSICIAN, Role.COORDINATOR), "/users/", 200),
    ],
)
def test_role_decides(make, auth, client, roles, path, status):
    user = make.user(roles=roles)
    auth.login(user.username)
    response = client.get(path)
    assert response.status_code == status
    if status == 403:
        assert b"You do not have access to this page" in response.data


def test_signed_in_routes_are_open_to_every_role(app):
    signed_in = {rule.endpoint for rule in app.url_map.iter_rules() if access_of(rule.endpoint) == SIGNED_IN}
    assert signed_in == {"dashboard.index", "auth.profile", "auth.calendar_token", "room.certificate"}


def test_the_navigation_shows_only_what_the_role_may_open(make, auth, client):
    physician = make.user(roles=(Role.PHYSICIAN,))
    auth.login(physician.username)
    page = client.get("/").data
    assert b">Users<" not in page and b">Audit log<" not in page
    client.post("/logout")
    admin = make.user(roles=(Role.ADMIN,))
    auth.login(admin.username)
    page = client.get("/").data
    assert b">Users<" in page and b">Audit log<" in page
