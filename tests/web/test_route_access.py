"""Every route, as anonymous and as each role, against the table of docs/security.md (generated from the URL map)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from flask import g, url_for
from werkzeug.routing import AnyConverter, IntegerConverter

from tumorboard.vocab import Role
from tumorboard.web.access import PUBLIC, SIGNED_IN, access_markdown, access_of

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"
# Values for the path parts that are not ids (ids are 1: no such row, so an allowed user gets past the check to a 404).
WORDS = {"material": "imaging", "kind": "referrer", "name": "attendance", "token": "not-a-token", "direction": "up"}


def test_the_documented_table_is_the_apps(app):
    text = DOC.read_text()
    documented = text[
        text.index("<!-- access:begin -->") + len("<!-- access:begin -->\n") : text.index("<!-- access:end -->")
    ]
    with app.app_context():
        assert documented == access_markdown(), (
            "Routes changed: run `flask --app tumorboard access-table` and update docs/security.md."
        )


def _requests(app) -> list[tuple[str, str, str, object]]:
    """(method, path, endpoint, declared access) for every route and method."""
    found = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
                continue
            values = {}
            for argument, converter in rule._converters.items():
                if isinstance(converter, AnyConverter):  # one of its words (each is its own route)
                    values[argument] = sorted(converter.items)[0]
                else:
                    values[argument] = 1 if isinstance(converter, IntegerConverter) else WORDS.get(argument, "x")
            path = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found.append((method, path, rule.endpoint, access_of(rule.endpoint)))
    return found


@pytest.mark.parametrize("role", [None, *Role], ids=lambda role: role.value if role else "anonymous")
def test_every_route_answers_every_role_as_the_table_says(app, client, make, role):
    user = make.user(username="someone", roles=(role,)) if role else None
    checked = []
    for method, path, endpoint, access in _requests(app):
        g.pop("_login_user", None)  # requests share the test's app context: forget the last request's user
        with client.session_transaction() as session:
            session.clear()
            if user is not None:
                session.update({"_user_id": user.get_id(), "_fresh": True, "seen": time.time(), "started": time.time()})
        response = client.open(path, method=method, data={})
        status, location = response.status_code, response.headers.get("Location", "")
        to_login = status == 302 and location.startswith("/login")
        allowed = access == PUBLIC or (
            user is not None and (access == SIGNED_IN or (isinstance(access, frozenset) and role in access))
        )
        assert status != 500, f"{method} {path} as {role}: 500"
        if allowed:
            assert status != 403 and not (to_login and endpoint != "auth.logout"), (
                f"{method} {path} as {role}: {status} {location}"
            )
        elif user is None:
            assert to_login, f"{method} {path} anonymous: {status} {location}"
        else:
            assert status == 403, f"{method} {path} as {role}: {status}"
        checked.append(endpoint)
    assert len(checked) >= 70  # every route, every method
