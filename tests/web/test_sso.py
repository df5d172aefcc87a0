"""Hospital sign-in (OpenID Connect) through the app, against a real provider (tests/sso.py): matching, provisioning,
groups, every refusal with its page and audit entry, and sign-out at the provider."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa
from authlib.integrations.flask_client import FlaskOAuth2App
from flask import Flask, g
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey

from tests.sso import CLIENT_ID, Provider, query, sign_in_at_provider, start_provider
from tumorboard.audit.models import AuditEntry
from tumorboard.auth import sso
from tumorboard.auth.models import User
from tumorboard.extensions import db
from tumorboard.vocab import Role, Specialty


@pytest.fixture(scope="module")
def provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """The provider, knowing the test client's address (http://localhost) as TumorBoard's."""
    running = start_provider(tmp_path_factory.mktemp("oidc"), ["http://localhost"])
    yield running
    running.stop()


@pytest.fixture
def sso_on(app: Flask, provider: Provider, monkeypatch: pytest.MonkeyPatch) -> Provider:
    """Hospital sign-in switched on for this test (local passwords stay on)."""
    monkeypatch.setitem(app.config, "SINGLE_SIGN_ON", provider.settings())
    provider.people.clear()
    return provider


def configure(app: Flask, monkeypatch: pytest.MonkeyPatch, provider: Provider, **changes: object) -> None:
    monkeypatch.setitem(app.config, "SINGLE_SIGN_ON", provider.settings(**changes))


def provider_sign_in(client: FlaskClient, login: str, next_url: str = "") -> tuple[str, object]:
    """Click "Sign in with ...", sign in at the provider, follow it back: (the callback URL, TumorBoard's answer)."""
    start = client.get("/login/sso" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.data
    callback = sign_in_at_provider(start.location, login)
    parts = urlsplit(callback)
    return callback, client.get(f"{parts.path}?{parts.query}")


def audit(action: str) -> list[tuple[int | None, str]]:
    """(the user concerned, the detail) of every entry of `action`."""
    return db.session.execute(
        sa.select(AuditEntry.entity_id, AuditEntry.detail).where(AuditEntry.action == action).order_by(AuditEntry.id)
    ).all()


def test_the_login_page_offers_the_hospital_button_beside_the_form(client, sso_on):
    page = client.get("/login?next=/cases/").get_data(as_text=True)
    assert "Sign in with Riverside Health" in page
    assert 'href="/login/sso?next=/cases/"' in page
    assert 'name="password"' in page and "break-glass" not in page


def test_without_settings_there_is_no_button_and_no_route(client):
    assert "Sign in with" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/sso").status_code == 404


def test_the_start_sends_the_browser_to_the_provider_with_pkce_state_and_nonce(client, sso_on):
    start = client.get("/login/sso")
    sent = query(start.location)
    assert start.location.startswith(f"{sso_on.issuer}/auth?")
    assert sent["client_id"] == CLIENT_ID and sent["response_type"] == "code"
    assert sent["redirect_uri"] == "http://localhost/login/sso/callback"
    assert sent["code_challenge_method"] == "S256" and len(sent["code_challenge"]) == 43
    assert sent["state"] and sent["nonce"] and "openid" in sent["scope"].split()


def test_a_known_user_is_matched_by_verified_email_linked_and_then_by_subject(client, make, sso_on):
    user = make.user(username="skim", email="Sarah.Kim@riverside.example.org", full_name="Sarah Kim")
    sso_on.person("sk-0042", "sarah.kim@riverside.example.org")
    _, answer = provider_sign_in(client, "sk-0042", next_url="/cases/")
    assert answer.status_code == 302 and answer.location == "/cases/"
    assert "Good to see you, Sarah" in client.get("/").get_data(as_text=True)
    db.session.refresh(user)
    assert (user.sso_issuer, user.sso_subject) == (sso_on.issuer, "sk-0042")
    assert user.last_login_at is not None

    client.post("/logout")
    sso_on.person("sk-0042", "sarah.kim@new-name.example.org", verified=False)  # the subject is what counts now
    _, again = provider_sign_in(client, "sk-0042")
    assert again.status_code == 302
    assert [detail for _, detail in audit("login")] == [
        "method=sso; matched by e-mail; roles=physician",
        "method=sso; matched by subject; roles=physician",
    ]


def test_a_replayed_callback_is_refused_with_a_page_and_an_audit_entry(client, make, sso_on):
    make.user(email="skim@riverside.example.org")
    sso_on.person("sk-1", "skim@riverside.example.org")
    callback, first = provider_sign_in(client, "sk-1")
    assert first.status_code == 302
    client.post("/logout")
    parts = urlsplit(callback)
    replay = client.get(f"{parts.path}?{parts.query}")
    assert replay.status_code == 400
    assert "already used, or was not started from this browser" in replay.get_data(as_text=True)
    assert client.get("/").status_code == 302  # nobody signed in
    assert audit("login_failed")[-1] == (None, "method=sso; reason=bad_callback; state unknown to this session")


def test_a_replayed_code_with_its_state_is_refused_by_the_provider(client, make, sso_on):
    """An attacker holding both the callback URL and a copy of the session cookie from before it was used."""
    make.user(email="skim@riverside.example.org")
    sso_on.person("sk-1", "skim@riverside.example.org")
    start = client.get("/login/sso")
    cookie = client.get_cookie("session").value
    callback = sign_in_at_provider(start.location, "sk-1")
    parts = urlsplit(callback)
    assert client.get(f"{parts.path}?{parts.query}").status_code == 302
    thief = client.application.test_client()
    thief.set_cookie("session", cookie)
    g.pop("_login_user", None)  # the test's app context is the app's: forget who the last request found signed in
    replay = thief.get(f"{parts.path}?{parts.query}")
    assert replay.status_code == 400 and "did not sign you in" in replay.get_data(as_text=True)
    assert audit("login_failed")[-1] == (None, "method=sso; reason=provider_error; error=invalid_grant")


def test_where_the_user_was_going_is_followed_only_within_the_site(client, make, sso_on):
    make.user(email="skim@riverside.example.org")
    sso_on.person("sk-1", "skim@riverside.example.org")
    assert provider_sign_in(client, "sk-1", next_url="https://evil.example/")[1].location == "/"


def test_a_forged_callback_is_refused(client, sso_on):
    client.get("/login/sso")  # a real flow started, but the answer is made up
    forged = client.get("/login/sso/callback?code=made-up&state=made-up")
    assert forged.status_code == 400
    assert audit("login_failed") == [(None, "method=sso; reason=bad_callback; state unknown to this session")]
    assert client.get("/login/sso/callback").status_code == 400  # no parameters at all


def test_the_provider_saying_no_is_refused(client, sso_on):
    state = query(client.get("/login/sso").location)["state"]
    denied = client.get(f"/login/sso/callback?error=access_denied&error_description=no&state={state}")
    assert denied.status_code == 400
    assert audit("login_failed") == [(None, "method=sso; reason=provider_error; error=access_denied")]


def test_a_provider_that_names_another_issuer_is_not_trusted(client, app, monkeypatch, sso_on):
    configure(app, monkeypatch, sso_on, issuer=sso_on.issuer.replace("127.0.0.1", "localhost"))
    refused = client.get("/login/sso")
    assert refused.status_code == 400 and "could not be trusted" in refused.get_data(as_text=True)
    assert audit("login_failed") == [
        (None, f"method=sso; reason=untrusted_token; wrong issuer: the provider says '{sso_on.issuer}'")
    ]


def test_an_unreachable_provider_is_a_clear_503(client, app, monkeypatch, sso_on):
    configure(app, monkeypatch, sso_on, issuer="http://127.0.0.1:9")  # the discard port: nothing listens
    refused = client.get("/login/sso")
    assert refused.status_code == 503 and "cannot be reached just now" in refused.get_data(as_text=True)
    assert audit("login_failed")[0][1].startswith("method=sso; reason=provider_unreachable")


def test_an_unverified_email_is_refused(client, make, sso_on):
    make.user(email="skim@riverside.example.org")
    sso_on.person("sk-1", "skim@riverside.example.org", verified=False)
    _, answer = provider_sign_in(client, "sk-1")
    assert answer.status_code == 403 and "has not verified your e-mail" in answer.get_data(as_text=True)
    assert audit("login_failed") == [(None, "method=sso; reason=unverified_email; email=skim@riverside.example.org")]
    assert db.session.scalar(sa.select(User.sso_subject)) is None  # not linked


def test_a_disabled_user_is_refused(client, make, sso_on):
    user = make.user(email="skim@riverside.example.org", active=False)
    sso_on.person("sk-1", "skim@riverside.example.org")
    _, answer = provider_sign_in(client, "sk-1")
    assert answer.status_code == 403 and "account is disabled" in answer.get_data(as_text=True)
    assert audit("login_failed") == [(user.id, "method=sso; reason=disabled")]


def test_someone_unknown_is_refused_when_creating_users_is_off(client, make, sso_on):
    sso_on.person("nn-1", "new.nurse@riverside.example.org")
    _, answer = provider_sign_in(client, "nn-1")
    assert answer.status_code == 403 and "no TumorBoard account has your e-mail" in answer.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    assert audit("login_failed") == [(None, "method=sso; reason=unknown; email=new.nurse@riverside.example.org")]


def test_an_email_already_linked_to_another_subject_is_not_taken_over(client, make, sso_on):
    make.user(email="skim@riverside.example.org", sso_issuer=sso_on.issuer, sso_subject="sk-original")
    sso_on.person("impostor", "skim@riverside.example.org")
    _, answer = provider_sign_in(client, "impostor")
    assert answer.status_code == 403
    assert audit("login_failed")[0][1].endswith("linked to another subject")


def test_someone_unknown_is_created_without_roles_when_creating_users_is_on(client, app, monkeypatch, make, sso_on):
    configure(app, monkeypatch, sso_on, create_users=True)
    make.user(username="mlopez")  # the name they would get is taken
    sso_on.person("ml-7", "MLopez@riverside.example.org", preferred_username="mlopez@riverside.example.org",
                  name="Maria Lopez")
    _, answer = provider_sign_in(client, "ml-7")
    assert answer.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.sso_subject == "ml-7"))
    assert (user.username, user.email, user.full_name) == ("mlopez2", "mlopez@riverside.example.org", "Maria Lopez")
    assert user.roles == frozenset() and user.specialty is Specialty.OTHER
    assert not user.check_password("") and not user.check_password("!")
    assert audit("create") == [(user.id, "from hospital sign-in; roles=-")]
    assert client.get("/cases/").status_code == 403  # no role: nothing but the dashboard and their profile
    assert "You have no role in TumorBoard yet" in client.get("/").get_data(as_text=True)
    assert client.get("/profile").status_code == 200


def test_groups_grant_and_take_away_the_mapped_roles_and_set_the_specialty(client, app, monkeypatch, make, sso_on):
    configure(app, monkeypatch, sso_on,
              group_roles=(("tb-coordinators", Role.COORDINATOR), ("tb-physicians", Role.PHYSICIAN)),
              group_specialties=(("dept-radonc", Specialty.RADIATION_ONCOLOGY),))
    user = make.user(email="dana@riverside.example.org", roles=(Role.PHYSICIAN, Role.AUDITOR))
    sso_on.person("d-1", "dana@riverside.example.org", groups=("tb-coordinators", "dept-radonc", "staff"))
    _, answer = provider_sign_in(client, "d-1")
    assert answer.status_code == 302
    db.session.refresh(user)
    # coordinator granted, physician (mapped, group missing) taken away, auditor (not mapped) kept
    assert user.roles == {Role.COORDINATOR, Role.AUDITOR}
    assert user.specialty is Specialty.RADIATION_ONCOLOGY
    assert client.get("/users/").status_code == 200  # the coordinator's page, at once
    assert audit("login")[-1][1] == "method=sso; matched by e-mail; roles=auditor,coordinator"


def test_local_passwords_off_leave_only_the_break_glass_accounts(client, app, monkeypatch, make, auth, sso_on):
    configure(app, monkeypatch, sso_on, local_login=False, break_glass=frozenset({"emergency"}))
    make.user(username="skim")
    make.user(username="Emergency", roles=(Role.ADMIN,))
    page = client.get("/login").get_data(as_text=True)
    assert "Emergency (break-glass) sign-in" in page and "Sign in with Riverside Health" in page
    refused = auth.login("skim")
    assert refused.status_code == 403 and "passwords here are only for emergency accounts" in refused.get_data(
        as_text=True)
    assert auth.login("emergency").status_code == 302
    assert [detail for _, detail in audit("login_failed")] == ["method=password; reason=local_off"]
    assert [detail for _, detail in audit("login")] == ["method=password"]


def test_signing_out_goes_on_to_the_provider_for_a_hospital_session_only(client, make, auth, sso_on):
    make.user(username="skim", email="skim@riverside.example.org")
    sso_on.person("sk-1", "skim@riverside.example.org")
    provider_sign_in(client, "sk-1")
    out = client.post("/logout")
    assert out.location.startswith(f"{sso_on.issuer}/session/end?")
    assert query(out.location)["post_logout_redirect_uri"] == "http://localhost/login"
    assert query(out.location)["client_id"] == CLIENT_ID
    assert client.get("/").status_code == 302  # signed out here already

    auth.login("skim")
    assert client.post("/logout").location == "/login"  # a password session ends here only


def test_pages_allow_forms_to_lead_to_the_provider_only_when_it_is_set_up(client, sso_on, app, monkeypatch):
    assert f"form-action 'self' {sso_on.issuer};" in client.get("/login").headers["Content-Security-Policy"]
    monkeypatch.setitem(app.config, "SINGLE_SIGN_ON", None)
    assert "form-action 'self';" in client.get("/login").headers["Content-Security-Policy"]


@pytest.fixture(scope="module")
def late_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Provider]:
    """A provider whose clock is ten minutes slow: its ID tokens (five minutes' life) have expired when they arrive."""
    running = start_provider(tmp_path_factory.mktemp("oidc-late"), ["http://localhost"], skew_seconds=-600)
    yield running
    running.stop()


def test_an_expired_id_token_is_refused(client, app, monkeypatch, make, late_provider):
    monkeypatch.setitem(app.config, "SINGLE_SIGN_ON", late_provider.settings())
    make.user(email="skim@riverside.example.org")
    late_provider.person("sk-1", "skim@riverside.example.org")
    _, answer = provider_sign_in(client, "sk-1")
    assert answer.status_code == 400 and "could not be trusted" in answer.get_data(as_text=True)
    assert audit("login_failed")[0][1].startswith("method=sso; reason=untrusted_token; ExpiredTokenError")
    assert client.get("/").status_code == 302


FORGER = RSAKey.generate_key(2048, parameters={"kid": "test-key"})  # the provider's key id, not its key


@pytest.mark.parametrize(
    ("change", "signed_by_provider", "refused_because"),
    [
        ({}, True, None),  # the control: a token like this one, signed with the key the provider publishes, passes
        ({"aud": "another-application"}, True, "InvalidClaimError: Invalid claim: 'aud'"),
        ({"aud": ["another-application"], "azp": CLIENT_ID}, True, "InvalidClaimError: Invalid claim: 'aud'"),
        ({"aud": [CLIENT_ID, "another-application"], "azp": "another-application"}, True,
         "InvalidClaimError: Invalid claim: 'azp'"),
        ({"iss": "https://login.evil.example"}, True, "InvalidClaimError: Invalid claim: 'iss'"),
        ({"nonce": "not-the-one-sent"}, True, "InvalidClaimError: Invalid claim: 'nonce'"),
        ({"exp": -300, "iat": -600}, True, "ExpiredTokenError"),
        ({}, False, "BadSignatureError"),
    ],
)
def test_an_id_token_is_checked_for_issuer_audience_nonce_expiry_and_signature(
    client, app, monkeypatch, make, provider, change, signed_by_provider, refused_because
):
    """ID tokens the real provider would not issue, made here and handed to the client as the token endpoint's
    answer (the keys the client trusts are replaced by ours: the real ones' private half is the provider's)."""
    settings = provider.settings(name=f"crafted {change} {signed_by_provider}")  # a client of its own
    monkeypatch.setitem(app.config, "SINGLE_SIGN_ON", settings)
    make.user(email="skim@riverside.example.org")
    trusted = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    sent = query(client.get("/login/sso").location)
    sso._client(settings).server_metadata["jwks"] = {"keys": [trusted.as_dict(private=False)]}
    now = int(time.time())
    claims = {"iss": provider.issuer, "sub": "sk-1", "aud": CLIENT_ID, "iat": now, "exp": now + 300,
              "nonce": sent["nonce"]}
    claims |= {key: now + value if key in ("exp", "iat") else value for key, value in change.items()}
    id_token = jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, trusted if signed_by_provider else FORGER)
    monkeypatch.setattr(FlaskOAuth2App, "fetch_access_token",
                        lambda self, **_: {"access_token": "at", "token_type": "Bearer", "id_token": id_token})
    info = {"sub": "sk-1", "email": "skim@riverside.example.org", "email_verified": True}
    monkeypatch.setattr(FlaskOAuth2App, "userinfo", lambda self, **_: info)
    answer = client.get(f"/login/sso/callback?code=c&state={sent['state']}")
    if refused_because is None:
        assert answer.status_code == 302 and audit("login_failed") == []
    else:
        assert answer.status_code == 400 and "could not be trusted" in answer.get_data(as_text=True)
        assert audit("login_failed")[0][1].startswith(f"method=sso; reason=untrusted_token; {refused_because}")


def test_a_coordinator_may_create_a_user_without_a_password_only_with_hospital_sign_in(client, auth, make, app,
                                                                                        monkeypatch, sso_on):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")
    new = {"username": "jokafor", "full_name": "James Okafor", "email": "james.okafor@riverside.example.org",
           "specialty": "medical_oncology", "roles": ["physician"], "active": "y", "password": "", "confirm": ""}
    assert "Leave both empty when they sign in with Riverside Health only." in client.get("/users/new").get_data(
        as_text=True)
    assert client.post("/users/new", data=new).status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "jokafor"))
    assert not user.has_password and not user.check_password("")
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert "Not used yet: their first sign-in with Riverside Health links them" in page
    assert "They have no TumorBoard password." in page

    sso_on.person("00u-james", "james.okafor@riverside.example.org")
    client.post("/logout")
    answer = provider_sign_in(client, "00u-james")[1]
    assert answer.status_code == 302, audit("login_failed")
    client.post("/logout")
    auth.login("dana")
    assert "Linked to their account at Riverside Health." in client.get(f"/users/{user.id}").get_data(as_text=True)

    monkeypatch.setitem(app.config, "SINGLE_SIGN_ON", None)  # without hospital sign-in a password is a must
    refused = client.post("/users/new", data=new | {"username": "other", "email": "other@riverside.example.org"})
    assert refused.status_code == 200 and 'id="password-errors" class="invalid-feedback d-block">Fill this in.' in (
        refused.get_data(as_text=True))
    assert db.session.scalar(sa.select(User).where(User.username == "other")) is None


def test_an_admin_unlinks_a_hospital_account_and_the_next_sign_in_links_again(client, app, auth, make, sso_on):
    make.user(username="root", roles=(Role.ADMIN,))
    user = make.user(username="skim", email="skim@riverside.example.org", sso_issuer=sso_on.issuer,
                     sso_subject="old-account")
    sso_on.person("new-account", "skim@riverside.example.org")
    assert provider_sign_in(client, "new-account")[1].status_code == 403  # the e-mail is linked to another subject
    auth.login("root")
    page = client.get(f"/users/{user.id}").get_data(as_text=True)
    assert "Unlink the hospital account" in page
    done = client.post(f"/users/{user.id}/unlink-sso", follow_redirects=True).get_data(as_text=True)
    assert "skim is no longer linked to a hospital account and is signed out everywhere." in done
    again = client.post(f"/users/{user.id}/unlink-sso", follow_redirects=True).get_data(as_text=True)
    assert "skim is not linked to a hospital account." in again
    assert audit("sso_unlinked") == [(user.id, "")]
    client.post("/logout")
    g.pop("_login_user", None)
    assert provider_sign_in(client, "new-account")[1].status_code == 302
    db.session.refresh(user)
    assert user.sso_subject == "new-account"


def test_only_an_admin_may_unlink(client, auth, make, sso_on):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    user = make.user(username="skim", sso_issuer=sso_on.issuer, sso_subject="s")
    auth.login("dana")
    assert "Unlink the hospital account" not in client.get(f"/users/{user.id}").get_data(as_text=True)
    assert client.post(f"/users/{user.id}/unlink-sso").status_code == 403
    db.session.refresh(user)
    assert user.sso_subject == "s"
