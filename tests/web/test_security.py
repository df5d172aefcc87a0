"""Response headers and session limits on every request."""

from __future__ import annotations

import io
import re
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import g

from tumorboard.audit.models import AuditEntry
from tumorboard.extensions import db
from tumorboard.room.models import Attendance
from tumorboard.vocab import PresentationStatus, Role


def test_every_page_carries_the_security_headers(client, auth, make):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    anonymous = client.get("/login")
    policy = anonymous.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert anonymous.headers["X-Content-Type-Options"] == "nosniff"
    assert anonymous.headers["Referrer-Policy"] == "no-referrer"
    assert anonymous.headers["X-Frame-Options"] == "DENY"
    assert anonymous.headers["Cache-Control"] == "no-store"
    static = client.get("/static/app.css")
    assert "no-store" not in static.headers.get("Cache-Control", "")  # style and script files may be cached
    static.close()
    auth.login("dana")
    assert client.get("/cases/").headers["Cache-Control"] == "no-store"  # pages with patient data are not cached



def test_every_page_names_its_icon_and_the_icon_is_served(client):
    """Without it the browser asks for /favicon.ico on every page, a 404 in its console."""
    page = client.get("/login").get_data(as_text=True)
    href = re.search(r'<link rel="icon" type="image/svg\+xml" href="([^"]+)">', page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.data
    icon.close()

def test_a_nul_byte_anywhere_is_a_400_that_says_so(client, auth, make):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    sign_in = client.post("/login", data={"username": "da\x00na", "password": "correct-horse-battery"})
    assert sign_in.status_code == 400 and "NUL character" in sign_in.get_data(as_text=True)
    assert client.get("/calendar/u/%00.ics").status_code == 400
    auth.login("dana")
    for path in ("/users/?q=%00", "/cases/?site_group=%00", "/audit/?username=a%00"):
        assert client.get(path).status_code == 400, path
    saved = client.post("/conferences/series/new", data={"name": "Breast\x00Board"})
    assert saved.status_code == 400 and "Remove it and try again" in saved.get_data(as_text=True)


def test_pages_tell_the_browser_to_keep_to_https_when_configured(client, app, monkeypatch):
    assert "Strict-Transport-Security" not in client.get("/login").headers  # the test suite, like development
    monkeypatch.setitem(app.config, "HSTS_SECONDS", 31536000)  # production's default
    assert client.get("/login").headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def test_the_session_cookie_is_http_only_and_same_site(client, make):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    response = client.post("/login", data={"username": "dana", "password": "correct-horse-battery"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _age(client, **seconds: float) -> None:
    with client.session_transaction() as session:
        for key, value in seconds.items():
            session[key] = time.time() - value


def test_an_idle_session_is_signed_out_with_a_message(client, auth, app, make):
    user = make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")
    assert client.get("/cases/").status_code == 200
    _age(client, seen=app.config["SESSION_IDLE_MINUTES"] * 60 + 5)
    response = client.get("/cases/?site_group=breast")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=/cases/")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after 30 minutes without activity" in page
    assert client.get("/cases/").status_code == 302  # really signed out
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "logout").order_by(AuditEntry.id.desc()))
    assert entry.user_id == user.id and entry.detail == "session idle"


def test_activity_keeps_the_session_and_the_live_poll_does_not(client, auth, app, make):
    physician = make.user(username="skim", roles=(Role.PHYSICIAN,))
    start = datetime.now(UTC) - timedelta(minutes=10)
    conference = make.conference(starts_at=start, occurrence_start=start)
    item = make.presentation(conference=conference, status=PresentationStatus.IN_DISCUSSION)
    db.session.add(
        Attendance(
            conference_id=conference.id,
            user_id=physician.id,
            attendee_name=physician.full_name,
            specialty=physician.specialty,
        )
    )
    db.session.commit()
    auth.login("skim")
    limit = app.config["SESSION_IDLE_MINUTES"] * 60
    _age(client, seen=limit - 60)
    poll = f"/room/{conference.id}/state.json?case={item.id}"
    assert client.get(poll).status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["seen"] > limit - 120  # the page's own polling is not activity
    assert client.get(f"/room/{conference.id}").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["seen"] < 5  # opening a page is
    _age(client, seen=limit + 5)
    assert client.get(poll).status_code == 401  # an idle screen's poll is refused, not redirected


def test_a_session_ends_after_its_lifetime_even_when_active(client, auth, app, make):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")
    _age(client, started=app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() + 5, seen=1)
    response = client.get("/cases/", follow_redirects=True)
    assert "Your session has ended" in response.get_data(as_text=True)


def test_a_session_lives_from_its_own_sign_in_not_from_an_earlier_one_in_the_same_browser(client, auth, app, make):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")
    _age(client, started=app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() - 60, seen=1)
    auth.logout()
    auth.login("dana")  # the same browser, the same cookie jar, a minute before the first session would have ended
    with client.session_transaction() as session:
        assert time.time() - session["started"] < 5 and session["method"] == "password"
    assert client.get("/cases/").status_code == 200


def test_a_new_password_ends_the_other_sessions_but_not_this_one(app, make):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    here, elsewhere = app.test_client(), app.test_client()
    for client in (here, elsewhere):
        g.pop("_login_user", None)
        client.post("/login", data={"username": "dana", "password": "correct-horse-battery"})
    g.pop("_login_user", None)
    changed = here.post(
        "/profile",
        data={
            "current_password": "correct-horse-battery",
            "password": "a-new-long-passphrase",
            "confirm": "a-new-long-passphrase",
        },
    )
    assert changed.status_code == 302
    g.pop("_login_user", None)
    assert here.get("/cases/").status_code == 200
    g.pop("_login_user", None)
    assert elsewhere.get("/cases/").status_code == 302  # the other device must sign in again


def test_an_admin_signs_a_user_out_everywhere(app, make):
    make.user(username="root", roles=(Role.ADMIN,))
    victim = make.user(username="dana", roles=(Role.COORDINATOR,))
    admin, device = app.test_client(), app.test_client()
    for client, name in ((admin, "root"), (device, "dana")):
        g.pop("_login_user", None)
        client.post("/login", data={"username": name, "password": "correct-horse-battery"})
    g.pop("_login_user", None)
    assert device.get("/cases/").status_code == 200
    g.pop("_login_user", None)
    assert admin.post(f"/users/{victim.id}/sign-out").status_code == 302
    g.pop("_login_user", None)
    assert device.get("/cases/").status_code == 302
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "sign_out_everywhere"))
    assert entry.entity_id == victim.id
    g.pop("_login_user", None)
    device.post("/login", data={"username": "dana", "password": "correct-horse-battery"})
    g.pop("_login_user", None)
    assert device.get("/cases/").status_code == 200  # and can sign in again


def test_an_upload_over_the_limit_is_refused_with_a_page(client, auth, app, make, monkeypatch):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 4096)  # the rule, not 20 MB of test data
    too_big = b"year,site_group,analytic_cases\n" + b"2025,breast,1\n" * 400
    response = client.post("/reports/caseload", data={"file": (io.BytesIO(too_big), "caseload.csv")})
    assert response.status_code == 413 and b"<html" in response.data.lower()
