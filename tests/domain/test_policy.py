"""Password policy and the growing wait after failed logins."""

from datetime import UTC, datetime, timedelta

import pytest

from tumorboard.auth.policy import MAX_WAIT, effective_failures, password_problems, wait_after_failures


@pytest.mark.parametrize(
    ("password", "username", "problem"),
    [
        ("short", "", "at least 12"),
        ("x" * 129, "", "at most 128"),
        ("skim-password-2026", "skim", "username"),
        ("password1234", "", "too easy"),
        ("aaaaaaaaaaaaaaaa", "", "too easy"),
        ("123412341234", "", "too easy"),
        ("Password2024", "", "too easy"),
        ("tumorboard-demo", "", "too easy"),  # the README's demo password
        ("qwertyuiop[]", "", "too easy"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, username, problem):
    assert any(problem in message for message in password_problems(password, username))


@pytest.mark.parametrize("password", ["SarahKim-2026!", "kim sarah kim sarah", "sarah.kim@riverside"])
def test_the_users_own_names_are_refused(password):
    assert any(
        "your name" in message
        for message in password_problems(password, "skim", "Sarah Kim", "sarah.kim@riverside.example.org")
    )


@pytest.mark.parametrize("password", ["correct-horse-battery", "Tumor board on Tuesday 7am", "violet-anchor-sleeps-42"])
def test_good_passwords_pass(password):
    assert password_problems(password, "skim", "Sarah Kim", "skim@riverside.example.org") == []


@pytest.mark.parametrize(
    ("failures", "wait_seconds"),
    [(0, 0), (4, 0), (5, 2), (6, 4), (7, 8), (10, 64), (30, MAX_WAIT.total_seconds())],
)
def test_wait_doubles_after_the_free_attempts_and_is_capped(failures, wait_seconds):
    assert wait_after_failures(failures, free_attempts=5).total_seconds() == wait_seconds


def test_failures_are_forgotten_after_a_quiet_half_hour():
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert effective_failures(7, now - timedelta(minutes=10), now) == 7
    assert effective_failures(7, now - timedelta(minutes=31), now) == 0
