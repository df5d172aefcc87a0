"""The actor of a request (who, from where, when), built once and handed to every operation the view calls."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from tumorboard.db import utcnow
from tumorboard.domain import Actor

ACTOR_KEY = "tumorboard.actor"


def current_actor() -> Actor:
    """The signed-in user (None when signed out), the client's address (ProxyFix applied) and this request's time."""
    # Kept with the request itself (not in `g`, which lives as long as the application context, longer than a request).
    actor = request.environ.get(ACTOR_KEY)
    if actor is None or actor.user is not _signed_in():
        actor = request.environ[ACTOR_KEY] = Actor(user=_signed_in(), remote_addr=request.remote_addr, now=utcnow())
    return actor


def _signed_in() -> object:
    return current_user._get_current_object() if current_user.is_authenticated else None
