"""What live screens poll: one conditional GET answered 304 while nothing changed, and a small shared cache of what
changed, so that a hundred screens asking for the same new state build it once per worker.

Why a poll and not server-sent events: behind gunicorn's sync workers an open event stream holds a worker for as
long as the screen stays open, so 200 screens would need 200 workers; a conditional poll holds one for about a
millisecond (docs/performance.md has the measurements).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

from flask import current_app, jsonify, request
from werkzeug.wrappers import Response

CACHE_ENTRIES = 256


class SharedStates:
    """The newest states built, by key (a key names one version of one state: it holds the room's token), shared by
    every request of this worker; the oldest are dropped first."""

    def __init__(self, size: int = CACHE_ENTRIES) -> None:
        self._entries: OrderedDict[Hashable, dict[str, object]] = OrderedDict()
        self._size, self._lock = size, threading.Lock()

    def get(self, key: Hashable, build: Callable[[], dict[str, object]]) -> dict[str, object]:
        """The state under `key`, built by `build` the first time."""
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
                return self._entries[key]
        state = build()  # outside the lock: two requests may build the same state once each, never block each other
        with self._lock:
            self._entries[key] = state
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return state


def shared_states() -> SharedStates:
    """This app's cache of live states."""
    return current_app.extensions.setdefault("tumorboard_live_states", SharedStates())


def conditional_json(tag: str, build: Callable[[], dict[str, object]]) -> Response:
    """304 when the screen already has the state `tag` names (If-None-Match), else the state as JSON with its ETag.

    The screen keeps the tag and sends it back itself: nothing is stored by the browser (every response but a static
    file is no-store, web/security.py), the state holding what only signed-in users of the room may read.
    """
    if request.if_none_match.contains(tag):
        response = Response(status=304)
    else:
        response = jsonify(build())
    response.set_etag(tag)
    return response
