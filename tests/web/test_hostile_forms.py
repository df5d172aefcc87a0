"""Property-based: whatever a user types into a form, the answer is never a 500, and typed text comes back escaped."""

from __future__ import annotations

import os
import re

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tumorboard.vocab import Role

FIELD = re.compile(r'<(?:input|select|textarea)[^>]*?\sname="([^"]+)"')
SCRIPT = "<script>alert('tb')</script>"
HOSTILE = st.sampled_from(
    [
        "",
        " ",
        "'; DROP TABLE cases; --",
        SCRIPT,
        '" onmouseover="alert(1)',
        "=cmd|' /C calc'!A0",
        "9" * 400,
        "-1",
        "1e309",
        "2026-02-30",
        "yes",
        "on",
        "y",
        "breast",
        "surgery",
        "FREQ=WEEKLY;BYDAY=TU",
        "12:00",
        "\u202e",
        "ŻółćĄ",
        "0",
        "2**31",
        "two\r\nlines",
        "nul\x00byte",
    ]
)
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

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
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
    for path, data in (
        (f"/conferences/{conference.id}/agenda/add", {"case_id": number, "version": number}),
        (f"/room/{conference.id}/check-in", {"user_id": number}),
        ("/conferences/series/new", {"name": "Sarcoma Board", "capacity": number, "weeks_ahead": number}),
    ):
        g.pop("_login_user", None)
        assert client.post(path, data=data).status_code < 500, path


FORM = re.compile(
    r'<form[^>]*?method="post"[^>]*?action="([^"]+)"[^>]*>(.*?)</form>|<form[^>]*?action="([^"]+)"[^>]*?method="post"[^>]*>(.*?)</form>',
    re.DOTALL | re.IGNORECASE,
)


def forms_on(html: str) -> list[tuple[str, list[str]]]:
    """Every POST form of a page: its action and its field names (the CSRF token aside)."""
    found = []
    for match in FORM.finditer(html):
        action, body = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        names = sorted(set(FIELD.findall(body)) - {"csrf_token"})
        if names and not action.endswith("/logout"):
            found.append((action.replace("&amp;", "&"), names))
    return found


def fuzz(client, auth, forms: list[tuple[str, tuple[str, list[str]]]], examples: int) -> None:
    """Post generated values into (username, (action, field names)) forms, signed in as that user: never a 500."""

    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(
        st.sampled_from(forms).flatmap(
            lambda chosen: st.tuples(st.just(chosen), st.fixed_dictionaries({name: TEXT for name in chosen[1][1]}))
        )
    )
    def post(example) -> None:
        (username, (action, _)), values = example
        g.pop("_login_user", None)
        client.post("/logout")
        g.pop("_login_user", None)
        auth.login(username)
        g.pop("_login_user", None)
        response = client.post(action, data=values)
        assert response.status_code < 500, f"{action}: {response.status_code} for {values!r}"

    post()


def test_no_input_breaks_the_forms_of_a_running_conference(client, auth, make):
    """Every form the chair sees in the room and on the agenda, fed generated values: never a 500."""
    from tests.web.test_room import Room, as_user, check_in

    room = Room(make)
    make.user(username="dana", roles=(Role.COORDINATOR,))
    as_user(auth, client, room.chair)
    check_in(client, room)
    client.post(room.url("start"))
    pages = [room.url(), f"/room/{room.conference.id}"]
    forms = [form for path in pages for form in forms_on(client.get(path).get_data(as_text=True))]
    client.post("/logout")
    auth.login("dana")
    upcoming = make.conference(series=room.series)  # next week's agenda, still open to changes, with a queue
    make.presentation(conference=upcoming)
    make.case()
    agenda = forms_on(client.get(f"/conferences/{upcoming.id}").get_data(as_text=True))
    assert len(forms) >= 5 and agenda, (forms, agenda)

    fuzz(
        client,
        auth,
        [(room.chair.username, form) for form in forms] + [("dana", form) for form in agenda],
        examples=int(os.environ.get("FUZZ_EXAMPLES", 60)),
    )


def test_no_input_breaks_the_forms_of_a_case_and_its_letters(client, auth, make):
    """The case page's forms (coordinator) and the plan-letter page's forms (the managing physician)."""
    from tests.web.test_letters import Presented, finalize, sign_in

    presented = Presented(make)
    make.user(username="dana", roles=(Role.COORDINATOR,))
    sign_in(auth, client, presented.managing)
    finalize(client, presented)
    letters = forms_on(client.get(presented.url()).get_data(as_text=True))
    client.post("/logout")
    auth.login("dana")
    case_forms = forms_on(client.get(f"/cases/{presented.case.id}").get_data(as_text=True))
    assert letters and case_forms, (letters, case_forms)

    fuzz(
        client,
        auth,
        [(presented.managing.username, form) for form in letters] + [("dana", form) for form in case_forms],
        examples=int(os.environ.get("FUZZ_EXAMPLES", 40)),
    )


def test_no_input_breaks_the_calendar_link_forms(client, auth, make):
    series = make.series()
    make.user(username="dana", roles=(Role.COORDINATOR,))
    auth.login("dana")

    @settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(TEXT)
    def post(action: str) -> None:
        g.pop("_login_user", None)
        for path in (f"/conferences/series/{series.id}/calendar", "/profile/calendar"):
            assert client.post(path, data={"action": action}).status_code < 500, (path, action)

    post()
