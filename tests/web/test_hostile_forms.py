"""Property-based: whatever a user types into a form, the answer is never a 500, and typed text comes back escaped."""

from __future__ import annotations

import re

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumorboard.vocab import Role

FIELD = re.compile(r'<(?:input|select|textarea)[^>]*?\sname="([^"]+)"')
SCRIPT = "<script>alert('tb')</script>"
HOSTILE = st.sampled_from([
    "", " ", "'; DROP TABLE cases; --", SCRIPT, "\" onmouseover=\"alert(1)", "=cmd|' /C calc'!A0", "9" * 400, "-1", "1e309",
    "2026-02-30", "yes", "on", "y", "breast", "surgery", "FREQ=WEEKLY;BYDAY=TU", "12:00", "\u202e", "ŻółćĄ", "0", "2**31",
])
TEXT = st.one_of(HOSTILE, st.text(max_size=60))
FORMS = [  # (role, form page)
    (Role.PHYSICIAN, "/cases/new"),
    (Role.COORDINATOR, "/conferences/series/new"),
    (Role.NAVIGATOR, "/second-opinions/new"),
    (Role.ADMIN, "/users/new"),
    (Role.ADMIN, "/settings/"),
    (Role.PHYSICIAN, "/profile"),
    (Role.COORDINATOR, "/reports/caseload"),
]


@pytest.mark.parametrize(("role", "path"), FORMS, ids=[path for _, path in FORMS])
def test_no_input_breaks_a_form(client, auth, make, role, path):
    make.user(username="someone", roles=(role,))
    auth.login("someone")
    names = sorted(set(FIELD.findall(client.get(path).get_data(as_text=True))) - {"csrf_token"})
    assert names, f"no fields found on {path}"

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
    @given(st.fixed_dictionaries({name: TEXT for name in names}))
    def post(values: dict[str, str]) -> None:
        g.pop("_login_user", None)
        response = client.post(path, data=values)
        assert response.status_code < 500, f"{path}: {response.status_code} for {values!r}"
        page = response.get_data(as_text=True)
        assert SCRIPT not in page  # what was typed is shown escaped, never as markup

    post()


@pytest.mark.parametrize("number", ["99999999999999999999", "-99999999999999999999", "1e309", "2147483648"])
def test_numbers_no_database_column_holds_are_input_errors(client, auth, make, number):
    make.user(username="dana", roles=(Role.COORDINATOR,))
    conference = make.conference()
    auth.login("dana")
    for path, data in ((f"/conferences/{conference.id}/agenda/add", {"case_id": number, "version": number}),
                       (f"/room/{conference.id}/check-in", {"user_id": number}),
                       ("/conferences/series/new", {"name": "Sarcoma Board", "capacity": number, "weeks_ahead": number})):
        g.pop("_login_user", None)
        assert client.post(path, data=data).status_code < 500, path
