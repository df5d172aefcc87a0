"""The hospital's identity provider for the sign-in tests: the certified `oidc-provider` (tests/oidc, installed by
`make test` with npm) run by node on a free loopback port, and a scripted user of its sign-in pages."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from dataclasses import replace
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests

from tumorboard.config import SingleSignOn

HERE = Path(__file__).parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "tumorboard", "test-client-secret-not-for-production"


def free_port() -> int:
    """A loopback port nobody listens on just now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Provider:
    """One running provider: its issuer, the people it knows, and TumorBoard settings pointing at it."""

    def __init__(self, issuer: str, accounts: Path, process: subprocess.Popen) -> None:
        self.issuer, self.accounts, self.process = issuer, accounts, process
        self.people: dict[str, dict] = {}

    def person(self, login: str, email: str, verified: bool = True, groups: tuple[str, ...] = (), **claims: object
               ) -> None:
        """Someone the provider knows (any password signs them in); `sub` is their login unless claims say."""
        self.people[login] = {"email": email, "email_verified": verified, "groups": list(groups),
                              "name": claims.pop("name", login.title()), **claims}
        self.accounts.write_text(json.dumps(self.people))

    def settings(self, **changes: object) -> SingleSignOn:
        """TumorBoard's hospital sign-in settings for this provider."""
        base = SingleSignOn(issuer=self.issuer, client_id=CLIENT_ID, client_secret=CLIENT_SECRET,
                            name="Riverside Health", scopes="openid email profile groups")
        return replace(base, **changes)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start_provider(folder: Path, redirect_bases: list[str], skew_seconds: int = 0) -> Provider:
    """Start a provider that knows TumorBoard (served at any of `redirect_bases`) as a confidential client."""
    if not (HERE / "node_modules" / "oidc-provider").is_dir():
        pytest.fail("tests/oidc/node_modules is missing: run `make test`, which installs the test provider")
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    accounts = folder / f"accounts-{port}.json"
    accounts.write_text("{}")
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{base}/login/sso/callback" for base in redirect_bases],
        "post_logout_redirect_uris": [f"{base}/login" for base in redirect_bases],
    }
    env = {**os.environ, "OIDC_TEST_PORT": str(port), "OIDC_TEST_ISSUER": issuer,
           "OIDC_TEST_CLIENTS": json.dumps([client]), "OIDC_TEST_ACCOUNTS": str(accounts),
           "OIDC_TEST_CLOCK_SKEW": str(skew_seconds), "NODE_NO_WARNINGS": "1"}
    log = folder / f"provider-{port}.log"
    with log.open("w") as output:  # a file, not a pipe: nobody has to keep reading what the provider says
        process = subprocess.Popen(["node", "provider.mjs"], cwd=HERE, env=env, stdout=output, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        if "ready" in log.read_text().split():
            return Provider(issuer, accounts, process)
        time.sleep(0.05)
    process.kill()
    process.wait()
    pytest.fail(f"the test identity provider did not start: {log.read_text()}")


def sign_in_at_provider(authorize_url: str, login: str) -> str:
    """Walk the provider's own pages as the person would (sign in with any password, then consent) and return the
    URL it sends the browser back to (TumorBoard's callback, with the code and state)."""
    parts = urlsplit(authorize_url)
    provider = f"{parts.scheme}://{parts.netloc}/"
    browser = requests.Session()
    response = browser.get(authorize_url, allow_redirects=False, timeout=10)
    for _step in range(10):
        if location := response.headers.get("Location"):
            location = urljoin(response.url, location)
            if not location.startswith(provider):
                return location  # leaving the provider: back to TumorBoard
            response = browser.get(location, allow_redirects=False, timeout=10)
            continue
        action = unescape(re.search(r'<form[^>]*action="([^"]+)"', response.text).group(1))
        prompt = re.search(r'name="prompt" value="([^"]+)"', response.text).group(1)
        fields = {"prompt": prompt} | ({"login": login, "password": "any"} if prompt == "login" else {})
        response = browser.post(urljoin(response.url, action), data=fields, allow_redirects=False, timeout=10)
    raise AssertionError(f"the provider never sent the browser back: {response.status_code} {response.text[:300]}")


def query(url: str) -> dict[str, str]:
    """A URL's query parameters (one value each)."""
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}
