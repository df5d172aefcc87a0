"""Signing in and out through the login form."""

import pytest
import sqlalchemy as sa
from flask import g

from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.vocab import Role


def test_sign_in_lands_on_the_dashboard(make, auth, client):
    make.user(username="skim", full_name="Sarah Kim")
    response = auth.login("skim")
    assert response.status_code == 302 and response.location == "/"
    assert b"Sarah" in client.get("/").data


def test_sign_in_follows_next_only_within_the_site(make, client):
    make.user(username="skim", roles=(Role.COORDINATOR,))
    ok = client.post("/login?next=/users/", data={"username": "skim", "password": "correct-horse-battery"})
    assert ok.location == "/users/"
    client.post("/logout")
    evil = client.post(
        "/login?next=https://evil.example/", data={"username": "skim", "password": "correct-horse-battery"}
    )
    assert evil.location == "/"


def test_wrong_password_and_unknown_user_get_the_same_message(make, auth):
    make.user(username="skim")
    wrong = auth.login("skim", "not-the-password")
    unknown = auth.login("nobody", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert b"Unknown username or wrong password." in wrong.data
    assert b"Unknown username or wrong password." in unknown.data
    assert b'value="skim"' in wrong.data  # the username typed is kept


def test_repeated_failures_make_the_next_attempt_wait(make, auth):
    make.user(username="skim")
    for _ in range(5):  # five free attempts; the fifth failure sets a wait
        assert auth.login("skim", "guess").status_code == 401
    blocked = auth.login("skim")  # even the right password must wait now
    assert blocked.status_code == 429
    assert b"Too many failed sign-in attempts" in blocked.data


def test_unknown_usernames_slow_down_too(auth):
    for _ in range(6):
        auth.login("ghost", "guess")
    assert auth.login("ghost", "guess").status_code == 429


def test_inactive_users_cannot_sign_in(make, auth):
    make.user(username="gone", active=False)
    assert auth.login("gone").status_code == 401


def test_sign_out_needs_a_post(make, auth, client):
    make.user(username="skim")
    auth.login("skim")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").location == "/login"
    assert client.get("/").status_code == 302


def test_sign_in_and_failures_are_audited(make, auth):
    user = make.user(username="skim")
    auth.login("skim", "guess")
    auth.login("skim")
    actions = db.session.execute(sa.select(AuditEntry.action, AuditEntry.entity_id).order_by(AuditEntry.id)).all()
    assert actions == [("login_failed", user.id), ("login", user.id)]


def test_passwords_are_stored_as_scrypt_hashes(make):
    user = make.user()
    assert user.password_hash.startswith("scrypt:") and "correct-horse-battery" not in user.password_hash


def test_change_own_password(make, auth, client):
    make.user(username="skim")
    auth.login("skim")
    weak = client.post(
        "/profile", data={"current_password": "correct-horse-battery", "password": "short", "confirm": "short"}
    )
    assert b"at least 12" in weak.data
    ok = client.post(
        "/profile",
        data={
            "current_password": "correct-horse-battery",
            "password": "a-much-better-one",
            "confirm": "a-much-better-one",
        },
    )
    assert ok.status_code == 302
    client.post("/logout")
    assert auth.login("skim", "a-much-better-one").status_code == 302


def test_forms_refuse_a_missing_csrf_token(app, make, client, monkeypatch):
    make.user(username="skim")
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post("/login", data={"username": "skim", "password": "correct-horse-battery"})
    assert response.status_code == 400
    assert b"The form expired" in response.data


def test_simultaneous_first_failures_for_one_name_do_not_collide(app):
    """Two requests failing at once for a new name both count (no duplicate-key error, no 500)."""
    import threading
    from datetime import UTC, datetime

    from tumorboard.auth import throttle
    from tumorboard.auth.models import LoginThrottle

    errors: list[Exception] = []
    start = threading.Barrier(4)

    def fail() -> None:
        with app.app_context():
            try:
                start.wait(timeout=10)
                throttle.reserve_attempt(throttle.throttle_keys("racer", "10.0.0.9"), datetime.now(UTC), 5)
                db.session.commit()
            except Exception as error:  # noqa: BLE001  (collected)
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=fail) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    db.session.expire_all()
    assert db.session.get(LoginThrottle, "user:racer").failures == 4


def test_failures_with_made_up_usernames_never_lock_out_an_unguessed_account(make, auth):
    make.user(username="skim")
    for n in range(30):  # one address (the hospital's proxy), many names
        auth.login(f"ghost{n}", "guess")
    assert auth.login("skim").status_code == 302


def test_one_account_guessed_from_many_addresses_waits_too(make, app):
    from datetime import UTC, datetime

    from tumorboard.auth.operations import sign_in
    from tumorboard.domain import Actor

    make.user(username="skim")
    now = datetime.now(UTC)
    method = app.config["PASSWORD_HASH_METHOD"]
    outcomes = [sign_in(Actor(None, f"10.0.{n}.1", now), "skim", "guess", 5, method) for n in range(10)]
    db.session.commit()
    assert [o.wait for o in outcomes] == [0] * 10
    assert sign_in(Actor(None, "10.9.9.9", now), "skim", "correct-horse-battery", 5, method).wait > 0


def test_an_unknown_username_costs_one_password_hash_like_a_known_one(make, auth, monkeypatch):
    from tumorboard.auth import operations

    checked: list[str] = []
    real = operations.check_password_hash
    monkeypatch.setattr(
        operations, "check_password_hash", lambda stored, password: checked.append(stored) or real(stored, password)
    )
    assert auth.login("nobody-here", "a guess").status_code == 401
    assert len(checked) == 1 and checked[0].startswith("scrypt:")


def test_a_session_cookie_replayed_after_sign_out_is_signed_out(make, auth, client):
    make.user(username="skim")
    auth.login("skim")
    assert client.get("/cases/").status_code == 200
    copied = client.get_cookie("session").value
    client.post("/logout")
    g.pop("_login_user", None)  # the test's app context is the app's: forget who the last request found signed in
    client.set_cookie("session", copied)
    response = client.get("/cases/")
    assert response.status_code == 302 and response.location.startswith("/login")


@pytest.mark.parametrize(
    "query",
    [
        "next=/%0d%0aSet-Cookie:x=1",
        "next=/%0aLocation:%20https://evil.example",
        "next=/%5Cevil.example",
        "next=/ok%09tab",
    ],
)
def test_a_next_with_control_characters_goes_to_the_dashboard(make, client, query):
    make.user(username="skim")
    response = client.post(f"/login?{query}", data={"username": "skim", "password": "correct-horse-battery"})
    assert response.status_code == 302 and response.location == "/"


def test_a_new_password_or_signing_out_everywhere_revokes_the_calendar_link(make, auth, client):
    target = make.user(username="skim", calendar_token="t" * 40)
    other = make.user(username="revoked", calendar_token="r" * 40)
    make.user(username="root", roles=(Role.ADMIN,))
    auth.login("root")
    client.post(
        f"/users/{target.id}/password",
        data={"password": "violet-anchor-sleeps-42", "confirm": "violet-anchor-sleeps-42"},
    )
    client.post(f"/users/{other.id}/sign-out")
    db.session.expire_all()
    assert target.calendar_token is None and other.calendar_token is None
    assert client.get(f"/calendar/u/{'t' * 40}.ics").status_code == 404


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_clients(make):
    from tumorboard import create_app

    proxied = create_app({"WTF_CSRF_ENABLED": False, "TRUSTED_PROXIES": 1})
    make.user(username="skim")
    with proxied.test_client() as browser:
        browser.post(
            "/login",
            data={"username": "skim", "password": "guess"},
            headers={"X-Forwarded-For": "10.20.30.40"},
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
        )
    with proxied.app_context():  # its own connection pool: closed here, not left to the garbage collector
        db.engine.dispose()
    assert (
        db.session.scalar(sa.select(AuditEntry.remote_addr).where(AuditEntry.action == "login_failed")) == "10.20.30.40"
    )
