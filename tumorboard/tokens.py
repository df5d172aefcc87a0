"""Secrets in calendar links: long enough to guess never, found without a timing clue, compared in constant time.

A link's token is looked up by its SHA-256 digest (an attacker timing the index learns only about digests of
tokens they chose), then compared with the stored token by hmac.compare_digest.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits (at least 128 are asked for)
MAX_TOKEN_LENGTH = 64


def new_token() -> str:
    """A fresh secret for a feed URL."""
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str | None) -> str | None:
    """What the database indexes for a token (None for none)."""
    return hashlib.sha256(token.encode()).hexdigest() if token else None


def same_token(stored: str | None, given: str) -> bool:
    """Whether the link's token is the stored one, compared in constant time."""
    return stored is not None and hmac.compare_digest(stored.encode(), given.encode())
