"""Hospital sign-in without HTTP: the OIDC_* settings, what the provider's claims say, and the groups mapping."""

from __future__ import annotations

import pytest

from tumorboard.auth.directory import (
    BadClaims,
    Identity,
    directory_roles,
    directory_specialty,
    identity_from_claims,
    username_candidates,
)
from tumorboard.config import ConfigError, single_sign_on
from tumorboard.vocab import Role, Specialty

BASE = {"OIDC_ISSUER": "https://login.riverside.example.org/realms/staff", "OIDC_CLIENT_ID": "tumorboard",
        "OIDC_CLIENT_SECRET": "s3cret"}


def test_no_oidc_settings_mean_local_passwords_only():
    assert single_sign_on({}, production=True) is None


def test_every_setting_is_read():
    settings = single_sign_on(BASE | {
        "OIDC_NAME": "Riverside Health", "OIDC_SCOPES": "openid  email profile groups", "OIDC_CREATE_USERS": "on",
        "OIDC_GROUPS_CLAIM": "roles", "OIDC_GROUP_ROLES": "TB Coordinators=coordinator; tb-md=physician;tb-md=auditor",
        "OIDC_GROUP_SPECIALTIES": "Dept Radiation Oncology = radiation_oncology", "LOCAL_LOGIN": "off",
        "BREAK_GLASS_ACCOUNTS": "Emergency1, emergency2",
    }, production=True)
    assert settings.metadata_url == "https://login.riverside.example.org/realms/staff/.well-known/openid-configuration"
    assert (settings.name, settings.scopes, settings.create_users, settings.groups_claim) == (
        "Riverside Health", "openid email profile groups", True, "roles")
    assert settings.group_roles == (("TB Coordinators", Role.COORDINATOR), ("tb-md", Role.PHYSICIAN),
                                    ("tb-md", Role.AUDITOR))
    assert settings.group_specialties == (("Dept Radiation Oncology", Specialty.RADIATION_ONCOLOGY),)
    assert settings.break_glass == {"emergency1", "emergency2"}
    assert settings.password_allowed(" EMERGENCY1 ") and not settings.password_allowed("skim")


def test_local_passwords_stay_on_by_default():
    settings = single_sign_on(BASE, production=True)
    assert settings.local_login and settings.password_allowed("skim") and not settings.create_users
    assert settings.name == "the hospital" and settings.scopes == "openid email profile"


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"OIDC_ISSUER": "https://login.example.org"}, "needs all of OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_"),
        ({"LOCAL_LOGIN": "off"}, "LOCAL_LOGIN=off needs hospital sign-in"),
        (BASE | {"OIDC_ISSUER": "http://login.example.org"}, "must use https://"),
        (BASE | {"OIDC_ISSUER": "login.example.org"}, "must be the provider's https:// address"),
        (BASE | {"OIDC_ISSUER": "https://login.example.org/?tenant=1"}, "must be the provider's https:// address"),
        (BASE | {"OIDC_SCOPES": "email profile"}, "OIDC_SCOPES must include openid"),
        (BASE | {"OIDC_CREATE_USERS": "maybe"}, "OIDC_CREATE_USERS must be on or off, not 'maybe'"),
        (BASE | {"OIDC_GROUP_ROLES": "tb=surgeon"}, "OIDC_GROUP_ROLES: 'tb=surgeon' is not group=one of physician"),
        (BASE | {"OIDC_GROUP_ROLES": "=physician"}, "OIDC_GROUP_ROLES: '=physician' is not group="),
        (BASE | {"OIDC_GROUP_SPECIALTIES": "radonc"}, "OIDC_GROUP_SPECIALTIES: 'radonc' is not group="),
    ],
)
def test_settings_that_cannot_work_are_refused_with_what_to_fix(env, message):
    with pytest.raises(ConfigError, match=message.replace("?", r"\?")):
        single_sign_on(env, production=True)


def test_a_provider_on_this_machine_may_use_plain_http_outside_production_only():
    local = BASE | {"OIDC_ISSUER": "http://127.0.0.1:8080"}
    assert single_sign_on(local, production=False).issuer == "http://127.0.0.1:8080"
    with pytest.raises(ConfigError, match="must use https://"):
        single_sign_on(local, production=True)


def test_claims_become_an_identity():
    identity = identity_from_claims("https://idp", {
        "sub": "00u1", "email": " Sarah.Kim@Riverside.example.org ", "email_verified": "true",
        "name": "Sarah   Kim", "preferred_username": "skim", "groups": ["tb-md", "", "staff", "tb-md"],
    }, "groups")
    assert identity == Identity("https://idp", "00u1", "sarah.kim@riverside.example.org", True, "Sarah Kim", "skim",
                                ("staff", "tb-md"))


def test_an_email_is_verified_only_when_the_provider_says_so():
    for said in (None, False, "false", "yes", 1):
        claims = {"sub": "s", "email": "a@b.org", "email_verified": said}
        assert not identity_from_claims("i", claims, "g").email_verified


def test_a_single_group_may_come_as_a_string_and_odd_values_are_ignored():
    assert identity_from_claims("i", {"sub": "s", "roles": "tb-md"}, "roles").groups == ("tb-md",)
    assert identity_from_claims("i", {"sub": "s", "groups": [3, None, "x"]}, "groups").groups == ("x",)
    assert identity_from_claims("i", {"sub": "s", "groups": 7}, "groups").groups == ()  # neither a list nor a name


@pytest.mark.parametrize("subject", [None, "", "   ", 42, "x" * 256])
def test_claims_without_a_usable_subject_are_refused(subject):
    with pytest.raises(BadClaims):
        identity_from_claims("i", {"sub": subject, "email": "a@b.org"}, "groups")


MAPPING = (("tb-coord", Role.COORDINATOR), ("tb-md", Role.PHYSICIAN))


def test_the_directory_decides_exactly_the_roles_its_mapping_names():
    held = frozenset({Role.PHYSICIAN, Role.ADMIN})
    assert directory_roles(held, ("tb-coord",), MAPPING) == {Role.COORDINATOR, Role.ADMIN}
    assert directory_roles(held, ("tb-coord", "tb-md"), MAPPING) == {Role.COORDINATOR, Role.PHYSICIAN, Role.ADMIN}
    assert directory_roles(held, (), MAPPING) == {Role.ADMIN}
    assert directory_roles(held, ("tb-coord",), ()) == held  # no mapping: roles are TumorBoard's own
    assert directory_roles(held, ("TB-COORD",), MAPPING) == {Role.ADMIN}  # group names are exact


def test_the_first_mapped_group_decides_the_specialty():
    mapping = (("radonc", Specialty.RADIATION_ONCOLOGY), ("surg", Specialty.SURGERY))
    assert directory_specialty(Specialty.OTHER, ("surg", "radonc"), mapping) is Specialty.RADIATION_ONCOLOGY
    assert directory_specialty(Specialty.PATHOLOGY, ("staff",), mapping) is Specialty.PATHOLOGY


def test_user_names_for_new_users_come_from_the_preferred_username_or_the_email():
    first = list(username_candidates(Identity("i", "s", "maria.lopez@x.org", True, username="M.Lopez@x.org")))[:3]
    assert first == ["m.lopez", "m.lopez2", "m.lopez3"]
    assert next(username_candidates(Identity("i", "s", "o'brien+tb@x.org"))) == "obrientb"
    assert next(username_candidates(Identity("i", "s", username="???"))) == "user"
    assert all(len(name) <= 64 for name in username_candidates(Identity("i", "s", username="a" * 300)))
