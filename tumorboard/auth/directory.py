"""What the hospital's identity provider says about a person, and what TumorBoard makes of it (pure: no app, no
database). docs/security.md "Hospital sign-in" says the rules in words."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tumorboard.vocab import Role, Specialty

USERNAME_LENGTH = 64


@dataclass(frozen=True)
class Identity:
    """One person as the provider vouched for them in a checked ID token (and its userinfo)."""

    issuer: str
    subject: str
    email: str = ""
    email_verified: bool = False
    name: str = ""
    username: str = ""  # preferred_username, a hint only: matching is by subject, then by verified e-mail
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Refusal:
    """A sign-in through the provider that does not sign anyone in: the code (audited), the page's words, the status."""

    reason: str
    message: str
    status: int


REFUSALS = {
    refusal.reason: refusal
    for refusal in (
        Refusal("bad_callback", "This sign-in answer was already used, or was not started from this browser. "
                "Start again from the sign-in page.", 400),
        Refusal("provider_error", "The hospital's sign-in did not sign you in. Start again from the sign-in page.",
                400),
        Refusal("untrusted_token", "The hospital's sign-in answer could not be trusted (wrong issuer, audience, "
                "signature or nonce, or expired), so nobody is signed in. Start again; if it happens again, tell the "
                "administrator: the clocks or the settings may be wrong.", 400),
        Refusal("provider_unreachable", "The hospital's sign-in service cannot be reached just now. Try again in a "
                "few minutes.", 503),
        Refusal("disabled", "Your TumorBoard account is disabled. Ask a program coordinator to enable it.", 403),
        Refusal("unverified_email", "The hospital has not verified your e-mail address, so it cannot be matched to a "
                "TumorBoard account. Ask the hospital's IT service desk, or a coordinator to link your account.", 403),
        Refusal("unknown", "You signed in at the hospital, but no TumorBoard account has your e-mail address. Ask a "
                "program coordinator to create your account with that address, then sign in again.", 403),
        Refusal("local_off", "Sign in with the hospital's account: passwords here are only for emergency accounts.",
                403),
    )
}


class BadClaims(ValueError):
    """The ID token's claims lack what every sign-in needs (a subject)."""


def identity_from_claims(issuer: str, claims: Mapping[str, object], groups_claim: str) -> Identity:
    """The person the checked claims describe (ID token claims merged with the userinfo answer)."""
    subject = _text(claims.get("sub"))
    if not subject or len(subject) > 255:
        raise BadClaims("The ID token has no usable subject (sub).")
    groups = claims.get(groups_claim)
    groups = [groups] if isinstance(groups, str) else groups if isinstance(groups, list) else []
    return Identity(
        issuer=issuer,
        subject=subject,
        email=_text(claims.get("email")).lower(),
        email_verified=claims.get("email_verified") is True or claims.get("email_verified") == "true",  # or a string
        name=" ".join(_text(claims.get("name")).split())[:120],
        username=_text(claims.get("preferred_username")),
        groups=tuple(sorted({_text(group) for group in groups} - {""})),
    )


def directory_roles(held: frozenset[Role], groups: tuple[str, ...], mapping: tuple[tuple[str, Role], ...]
                    ) -> frozenset[Role]:
    """The roles after a sign-in: the directory decides every role its mapping names (granted by a group the person
    is in, taken away otherwise); roles the mapping never names stay as a coordinator set them."""
    named = {role for _, role in mapping}
    granted = {role for group, role in mapping if group in groups}
    return frozenset((held - named) | granted)


def directory_specialty(held: Specialty, groups: tuple[str, ...],
                        mapping: tuple[tuple[str, Specialty], ...]) -> Specialty:
    """The specialty of the first mapped group the person is in, or the one they have."""
    return next((specialty for group, specialty in mapping if group in groups), held)


def username_candidates(identity: Identity) -> Iterator[str]:
    """User names for someone created on first sign-in: their preferred username (or the e-mail's local part) made
    of letters, digits, dots, dashes and underscores, then the same with 2, 3, ... after it."""
    hint = identity.username or identity.email
    base = re.sub(r"[^A-Za-z0-9._-]", "", hint.split("@")[0])[: USERNAME_LENGTH - 4].strip(".-_") or "user"
    yield base.lower()
    for number in range(2, 1000):
        yield f"{base.lower()}{number}"


def display_name(identity: Identity) -> str:
    """The name to show for someone created on first sign-in."""
    return identity.name or identity.email.split("@")[0] or identity.subject[:120]


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
