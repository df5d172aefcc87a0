"""Browser tests: Playwright drives Debian's /usr/bin/chromium against the app served from a thread."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = Path("/usr/bin/chromium")
# Flags for a closed network: no background calls home, no first-run UI.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _fresh_tables(app_context: None) -> None:
    """Every browser test starts from empty tables too."""


@pytest.fixture(scope="session")
def live_server(app: Flask) -> Iterator[str]:
    """The app on a free loopback port, in a background thread, for the whole session."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian chromium (never a browser downloaded by Playwright)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: run `make test`, which installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser, app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[Page]:
    """A fresh browser context and page, with CSRF protection on as in production; a Content-Security-Policy
    violation on any page (an inline script, a foreign resource) fails the test."""
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    context = browser.new_context()
    context.set_default_timeout(10_000)
    tab = context.new_page()
    blocked: list[str] = []
    tab.on(
        "console", lambda message: blocked.append(message.text) if "Content Security Policy" in message.text else None
    )
    yield tab
    context.close()
    assert blocked == [], blocked


def sign_in(page: Page, base_url: str, username: str, password: str = "correct-horse-battery") -> None:
    """Fill the real login form."""
    page.goto(f"{base_url}/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
