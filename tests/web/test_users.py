"""Admins and coordinators manage users."""

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from tumorboard.auth.models import User
from tumorboard.extensions import db
from tumorboard.vocab import Role, Specialty

NEW = {
    "username": "jokafor",
    "full_name": "James Okafor",
    "credentials": "MD",
    "email": "JOkafor@Hospital.Example.org",
    "specialty": "surgery",
    "roles": ["physician"],
    "active": "y",
    "password": "a-long-enough-password",
    "confirm": "a-long-enough-password",
}


def _signed_in(make, auth, *roles):
    user = make.user(roles=roles or (Role.COORDINATOR,))
    auth.login(user.username)
    return user


def test_coordinator_creates_a_physician_who_can_sign_in(make, auth, client):
    _signed_in(make, auth)
    response = client.post("/users/new", data=NEW)
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "jokafor"))
    assert user.roles == {Role.PHYSICIAN} and user.email == "jokafor@hospital.example.org"
    client.post("/logout")
    assert auth.login("jokafor", "a-long-enough-password").status_code == 302


@pytest.mark.parametrize("taken", ["jokafor", "JOkafor"])
def test_a_taken_username_is_refused_next_to_the_field_and_the_input_kept(make, auth, client, taken):
    _signed_in(make, auth)
    make.user(username=taken)
    response = client.post("/users/new", data=NEW)
    assert response.status_code == 200
    assert b"Another user already has this username (letter case aside)." in response.data
    assert b'value="James Okafor"' in response.data
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.full_name == "James Okafor")) == 0


def test_a_taken_email_is_refused_whatever_its_case(make, auth, client):
    _signed_in(make, auth)
    make.user(email="jokafor@hospital.example.org")
    response = client.post("/users/new", data=NEW | {"username": "james.okafor"})
    assert b"Another user already has this email (letter case aside)." in response.data


def test_a_user_signs_in_with_their_name_in_any_case_and_keeps_one_throttle(make, auth, client):
    _signed_in(make, auth)
    client.post("/users/new", data=NEW)
    client.post("/logout")
    assert auth.login("JOKAFOR", "a-long-enough-password").status_code == 302
    client.post("/logout")
    for spelling in ("jokafor", "JOkafor", "JOKAFOR", "Jokafor", "jOKAFOR", "jokafoR"):
        auth.login(spelling, "wrong password")
    assert b"Too many failed sign-in attempts" in auth.login("JoKaFoR", "a-long-enough-password").data


def test_the_database_refuses_two_names_that_differ_only_in_case(make):
    make.user(username="coordinator", email="c1@example.org")
    db.session.add(User(username="Coordinator", email="C2@example.org", full_name="Copy", specialty=Specialty.OTHER,
                        password_hash="x"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_weak_passwords_and_missing_roles_are_refused(make, auth, client):
    _signed_in(make, auth)
    response = client.post("/users/new", data={**NEW, "roles": [], "password": "short", "confirm": "short"})
    assert b"Give the user at least one role." in response.data
    assert b"at least 12" in response.data
    assert db.session.scalar(sa.select(User).where(User.username == "jokafor")) is None


def test_a_name_on_two_lines_is_refused_and_an_old_one_still_gives_a_valid_feed(make, auth, client):
    _signed_in(make, auth)
    response = client.post("/users/new", data={**NEW, "full_name": "James\nOkafor"})
    assert response.status_code == 200 and b"Use one line" in response.data
    assert db.session.scalar(sa.select(User).where(User.username == "jokafor")) is None
    legacy = make.user(full_name="Ana\r\nBEGIN:VEVENT", calendar_token="t" * 43)  # stored before names were checked
    feed = client.get(f"/calendar/u/{legacy.calendar_token}.ics")
    assert feed.status_code == 200 and b"\r\nBEGIN:VEVENT" not in feed.data  # the name stays in its line


def test_unknown_specialty_is_a_form_error_not_a_crash(make, auth, client):
    _signed_in(make, auth)
    response = client.post("/users/new", data={**NEW, "specialty": "astrology", "roles": ["wizard"]})
    assert response.status_code == 200
    assert b"Choose one from the list." in response.data


def test_only_an_admin_grants_admin(make, auth, client):
    _signed_in(make, auth, Role.COORDINATOR)
    response = client.post("/users/new", data={**NEW, "roles": ["physician", "admin"]})
    assert b"Only an admin can grant or remove the admin role." in response.data
    client.post("/logout")
    _signed_in(make, auth, Role.ADMIN)
    assert client.post("/users/new", data={**NEW, "roles": ["physician", "admin"]}).status_code == 302


def test_edit_roles_and_deactivate(make, auth, client):
    _signed_in(make, auth)
    target = make.user(username="nhaddad", roles=(Role.PHYSICIAN,))
    data = {
        "username": "nhaddad",
        "full_name": "Nadia Haddad",
        "credentials": "MD",
        "email": "nh@hospital.example.org",
        "specialty": "urology",
        "roles": ["physician", "navigator"],
    }
    assert client.post(f"/users/{target.id}", data=data).status_code == 302
    db.session.expire_all()
    assert target.roles == {Role.PHYSICIAN, Role.NAVIGATOR} and not target.active
    client.post("/logout")
    assert auth.login("nhaddad").status_code == 401


def test_you_cannot_lock_yourself_out(make, auth, client):
    me = _signed_in(make, auth, Role.ADMIN)
    data = {
        "username": me.username,
        "full_name": me.full_name,
        "email": me.email,
        "specialty": "surgery",
        "roles": ["physician"],
    }
    response = client.post(f"/users/{me.id}", data=data)
    assert b"You cannot deactivate your own account." in response.data
    assert b"You cannot remove your own admin role." in response.data
    db.session.expire_all()
    assert me.active and Role.ADMIN in me.roles


def test_reset_someone_elses_password(make, auth, client):
    _signed_in(make, auth)
    target = make.user(username="locked")
    refused = client.post(f"/users/{target.id}/password", data={"password": "short", "confirm": "short"})
    assert refused.status_code == 400 and b"at least 12" in refused.data
    assert b'value="locked"' in refused.data  # the details form beside it still shows the user
    assert (
        client.post(
            f"/users/{target.id}/password", data={"password": "brand-new-password", "confirm": "brand-new-password"}
        ).status_code
        == 302
    )
    client.post("/logout")
    assert auth.login("locked", "brand-new-password").status_code == 302


def test_filter_by_role_and_name(make, auth, client):
    _signed_in(make, auth)
    make.user(full_name="Ingrid Sorensen", roles=(Role.PHYSICIAN,))
    make.user(full_name="Priya Shah", roles=(Role.NAVIGATOR,))
    by_role = client.get("/users/?role=navigator").data
    assert b"Priya Shah" in by_role and b"Ingrid Sorensen" not in by_role
    by_name = client.get("/users/?q=soren").data
    assert b"Ingrid Sorensen" in by_name and b"Priya Shah" not in by_name


def test_unknown_user_is_a_404(make, auth, client):
    _signed_in(make, auth)
    assert client.get("/users/999999").status_code == 404


def _details(user, **changes):
    data = {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "specialty": user.specialty.value,
        "roles": sorted(role.value for role in user.roles),
        "active": "y",
    }
    return {key: value for key, value in (data | changes).items() if value is not None}


def test_a_coordinator_cannot_set_an_admins_password(make, auth, client):
    admin = make.user(username="root", roles=(Role.ADMIN,))
    before = admin.password_hash
    _signed_in(make, auth, Role.COORDINATOR)
    response = client.post(
        f"/users/{admin.id}/password", data={"password": "taken-over-account", "confirm": "taken-over-account"}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert admin.password_hash == before


def test_a_coordinator_cannot_deactivate_or_edit_an_admin(make, auth, client):
    admin = make.user(username="root", roles=(Role.ADMIN,))
    _signed_in(make, auth, Role.COORDINATOR)
    assert client.post(f"/users/{admin.id}", data=_details(admin, active=None)).status_code == 403
    assert client.post(f"/users/{admin.id}", data=_details(admin, full_name="Renamed")).status_code == 403
    db.session.expire_all()
    assert admin.active and admin.full_name != "Renamed"
    page = client.get(f"/users/{admin.id}").data.decode()
    assert "only an admin changes this account" in page and "Set a new password" not in page


@pytest.mark.parametrize("granted", ["auditor", "admin"])
def test_a_coordinator_cannot_grant_themselves_or_others_admin_or_auditor(make, auth, client, granted):
    me = _signed_in(make, auth, Role.COORDINATOR)
    other = make.user(username="colleague", roles=(Role.PHYSICIAN,))
    for target in (me, other):
        response = client.post(
            f"/users/{target.id}", data=_details(target, roles=[*sorted(r.value for r in target.roles), granted])
        )
        assert f"Only an admin can grant or remove the {granted} role.".encode() in response.data
    db.session.expire_all()
    assert Role(granted) not in me.roles and Role(granted) not in other.roles


def test_nobody_changes_their_own_roles(make, auth, client):
    me = _signed_in(make, auth, Role.ADMIN)
    make.user(username="second-admin", roles=(Role.ADMIN,))
    response = client.post(f"/users/{me.id}", data=_details(me, roles=["admin", "coordinator"]))
    assert b"You cannot change your own roles" in response.data
    db.session.expire_all()
    assert me.roles == {Role.ADMIN}


def test_an_admin_still_manages_other_admins(make, auth, client):
    _signed_in(make, auth, Role.ADMIN)
    other = make.user(username="second-admin", roles=(Role.ADMIN,))
    assert client.post(f"/users/{other.id}", data=_details(other, active=None)).status_code == 302
    db.session.expire_all()
    assert not other.active


def test_the_last_active_admin_cannot_be_disabled_or_demoted(make):
    from tumorboard.users.operations import UserData, UserError, update_user

    last = make.user(username="root", roles=(Role.ADMIN,))
    retired = make.user(username="retired", roles=(Role.ADMIN,), active=False)
    for roles, active in (({Role.ADMIN}, False), ({Role.COORDINATOR}, True)):
        data = UserData(last.username, last.full_name, last.email, last.specialty, frozenset(roles), active=active)
        with pytest.raises(UserError, match="only active admin"):
            update_user(make.actor(retired), last, data)
        db.session.rollback()
    assert last.active and last.roles == {Role.ADMIN}


@pytest.mark.parametrize("weak", ["123412341234", "Password2024", "tumorboard-demo", "James-Okafor-1"])
def test_a_guessable_password_is_refused_when_a_user_is_created(make, auth, client, weak):
    _signed_in(make, auth)
    response = client.post("/users/new", data={**NEW, "password": weak, "confirm": weak})
    assert response.status_code == 200 and (b"too easy to guess" in response.data or b"your name" in response.data)
    assert db.session.scalar(sa.select(User).where(User.username == "jokafor")) is None


def test_one_submit_says_every_problem_of_the_user_form(make, auth, client):
    _signed_in(make, auth)
    make.user(username="jokafor")
    page = client.post("/users/new", data=NEW | {"email": "JOkafor at hospital", "roles": []}).get_data(as_text=True)
    assert "Another user already has this username (letter case aside)." in page
    assert "Give the user at least one role." in page
