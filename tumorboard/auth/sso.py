"""Talking to the hospital's OpenID Connect provider through Authlib: the authorization code flow with PKCE, state and
nonce kept in the session, the ID token checked (signature, issuer, audience, expiry, nonce), userinfo read, and
sign-out at the provider. Everything the provider says that cannot be trusted is a `CallbackProblem`."""

from __future__ import annotations

import functools
import time

import requests
from authlib.integrations.base_client import MismatchingStateError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App, OAuthError
from flask import Response
from joserfc.errors import JoseError

from tumorboard.auth.directory import BadClaims, Identity, identity_from_claims
from tumorboard.config import SingleSignOn

CLOCK_LEEWAY = 60  # seconds a token's times may be off by (the provider's clock and ours)
METADATA_HOURS = 6  # the provider's discovery document (endpoints, keys) is read again after this long
TIMEOUT = 10  # seconds for any call to the provider


class CallbackProblem(Exception):
    """The provider's answer signs nobody in: `reason` is a key of directory.REFUSALS; `detail` goes to the audit log
    (what was wrong, never a token)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail


@functools.cache
def _client(sso: SingleSignOn) -> FlaskOAuth2App:
    """One Authlib client per configuration (the process keeps the provider's metadata and keys)."""
    return FlaskOAuth2App(
        FlaskIntegration("sso"),
        name="sso",
        client_id=sso.client_id,
        client_secret=sso.client_secret,
        server_metadata_url=sso.metadata_url,
        client_kwargs={"scope": sso.scopes, "code_challenge_method": "S256", "default_timeout": TIMEOUT},
    )


def _metadata(sso: SingleSignOn) -> dict:
    """The provider's discovery document, read again every METADATA_HOURS; its issuer must be the configured one."""
    client = _client(sso)
    if time.time() - client.server_metadata.get("_loaded_at", time.time()) > METADATA_HOURS * 3600:
        client.server_metadata.clear()
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        raise CallbackProblem("provider_unreachable", type(error).__name__) from error
    if metadata.get("issuer") != sso.issuer:
        raise CallbackProblem("untrusted_token", f"wrong issuer: the provider says {metadata.get('issuer')!r}")
    return metadata


def start(sso: SingleSignOn, callback_url: str) -> Response:
    """The redirect to the provider's sign-in page (state, nonce and the PKCE verifier kept in the session)."""
    _metadata(sso)
    return _client(sso).authorize_redirect(callback_url)


def finish(sso: SingleSignOn) -> Identity:
    """The person the provider's answer on this request vouches for, every check passed."""
    metadata, client = _metadata(sso), _client(sso)
    try:
        token = client.authorize_access_token(leeway=CLOCK_LEEWAY, claims_options={  # Authlib checks aud only via azp
            "iss": {"essential": True, "value": sso.issuer}, "aud": {"essential": True, "value": sso.client_id},
        })
    except MismatchingStateError as error:
        raise CallbackProblem("bad_callback", "state unknown to this session") from error
    except OAuthError as error:  # the provider said no: access_denied, a code already used (invalid_grant), ...
        raise CallbackProblem("provider_error", f"error={error.error}") from error
    except JoseError as error:  # the ID token: signature, issuer, audience, expiry, nonce
        raise CallbackProblem("untrusted_token", f"{type(error).__name__}: {error.description}") from error
    except requests.RequestException as error:
        raise CallbackProblem("provider_unreachable", type(error).__name__) from error
    if "userinfo" not in token:
        raise CallbackProblem("untrusted_token", "no ID token in the provider's answer")
    claims = dict(token["userinfo"])
    if metadata.get("userinfo_endpoint"):  # e-mail and groups may come only from here
        try:
            extra = client.userinfo(token=token)
        except requests.RequestException as error:
            raise CallbackProblem("provider_unreachable", f"userinfo: {type(error).__name__}") from error
        if extra.get("sub") != claims.get("sub"):
            raise CallbackProblem("untrusted_token", "userinfo is about someone else")
        claims = {**extra, **claims}
    try:
        return identity_from_claims(sso.issuer, claims, sso.groups_claim)
    except BadClaims as error:
        raise CallbackProblem("untrusted_token", str(error)) from error


def logout_url(sso: SingleSignOn, back_url: str) -> str | None:
    """Where to send a user who signed in at the provider, to sign out there too (None: it offers no end-session
    endpoint, or cannot be reached)."""
    try:
        if not _metadata(sso).get("end_session_endpoint"):
            return None
    except CallbackProblem:
        return None
    return _client(sso).create_logout_url(post_logout_redirect_uri=back_url, client_id=sso.client_id)["url"]
