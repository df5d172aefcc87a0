"""Signing in and out through the login form."""

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
    evil = client.post("/login?next=https://evil.example/", data={"username": "skim", "password": "correct-horse-battery"})
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
    actions = db.session.execute(db.select(AuditEntry.action, AuditEntry.entity_id).order_by(AuditEntry.id)).all()
    assert actions == [("login_failed", user.id), ("login", user.id)]


def test_passwords_are_stored_as_scrypt_hashes(make):
    user = make.user()
    assert user.password_hash.startswith("scrypt:") and "correct-horse-battery" not in user.password_hash


def test_change_own_password(make, auth, client):
    make.user(username="skim")
    auth.login("skim")
    weak = client.post("/profile", data={"current_password": "correct-horse-battery", "password": "short", "confirm": "short"})
    assert b"at least 12" in weak.data
    ok = client.post("/profile", data={"current_password": "correct-horse-battery", "password": "a-much-better-one", "confirm": "a-much-better-one"})
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
                throttle.record_failure(throttle.throttle_keys("racer", "10.0.0.9"), datetime.now(UTC), 5)
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
