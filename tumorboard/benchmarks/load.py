"""Real HTTP against the app under gunicorn: a server launcher and a physician's browser (cookies, CSRF, form posts).

Used by the concurrent-voting test and by the load benchmark; plain urllib so it adds no dependency.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TOKEN = re.compile(r'name="csrf_token"[^>]*?value="([^"]+)"')


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(database_url: str, log: Path, workers: int = 4, reports_dir: Path | None = None) -> Iterator[str]:
    """The app under gunicorn with `workers` processes on `database_url`; yields its base URL and stops it after."""
    port = free_port()
    env = {**os.environ, "TUMORBOARD_ENV": "development", "SECRET_KEY": "c" * 32, "DATABASE_URL": database_url}
    if reports_dir is not None:
        env["REPORTS_DIR"] = str(reports_dir)
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill_hard takes the master and its workers
        )
    base = f"http://127.0.0.1:{port}"
    SERVERS[base] = server
    try:
        _wait_for(base, server, log, "gunicorn")
        yield base
    finally:
        SERVERS.pop(base, None)
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=20)


SERVERS: dict[str, subprocess.Popen] = {}  # base URL -> the gunicorn master serving it


def kill_hard(base: str) -> None:
    """SIGKILL the gunicorn master at `base` and all its workers at once (a machine lost, no graceful shutdown)."""
    server = SERVERS[base]
    os.killpg(server.pid, signal.SIGKILL)
    server.wait(timeout=20)


@contextmanager
def haproxy(backends: list[str], work_dir: Path) -> Iterator[str]:
    """Debian's HAProxy in front of `backends` (base URLs), round robin with health checks; yields its base URL.

    A request whose connection to a server fails is sent to another (`retry-on conn-failure`, `option redispatch`);
    one a server took and then lost (killed mid-request) is answered 502, never replayed: the client decides.
    """
    port = free_port()
    servers = "\n".join(f"    server app{n} {url.removeprefix('http://')} check inter 300ms fall 1 rise 2"
                         for n, url in enumerate(backends))
    config = work_dir / "haproxy.cfg"
    config.write_text(f"""global
    maxconn 2000
defaults
    mode http
    timeout connect 2s
    timeout client 60s
    timeout server 60s
    retries 3
    retry-on conn-failure
    option redispatch
frontend tumorboard
    bind 127.0.0.1:{port}
    default_backend app
backend app
    balance roundrobin
    option httpchk GET /healthz
{servers}
""")
    log = work_dir / "haproxy.log"
    with log.open("wb") as output:
        proxy = subprocess.Popen([HAPROXY, "-db", "-f", str(config)], stdout=output, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, proxy, log, "haproxy")
        yield base
    finally:
        proxy.terminate()
        proxy.wait(timeout=20)


HAPROXY = "/usr/sbin/haproxy"


def _wait_for(base: str, process: subprocess.Popen, log: Path, name: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            # Our own server on http://127.0.0.1, started just before.
            urllib.request.urlopen(f"{base}/healthz", timeout=5).read()  # nosec B310
            return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError(f"{name} did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.2)


def state_url(case_page: str) -> str:
    """What the case page `/room/<conference>/case/<presentation>` polls."""
    return case_page.replace("/case/", "/state.json?case=")


class _Unredirected(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args: object, **_kwargs: object) -> None:
        return None  # the 30x reaches the caller as an HTTPError


class Physician:
    """One physician's browser: cookies, CSRF tokens, form posts."""

    def __init__(self, base: str, username: str, password: str) -> None:
        self.base, self.username, self.password = base, username, password
        cookies = urllib.request.HTTPCookieProcessor(CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        self.no_redirect = urllib.request.build_opener(cookies, _Unredirected)

    def get(self, path: str) -> str:
        """The page's text."""
        return self.opener.open(self.base + path, timeout=60).read().decode()

    def post(self, path: str, token: str, **fields: str) -> int:
        """Submit a form; the final status after redirects."""
        body = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        return self.opener.open(self.base + path, data=body, timeout=60).status

    def post_once(self, path: str, token: str, **fields: str) -> tuple[int, str]:
        """Submit a form without following its redirect: the status and where it sends the browser."""
        body = urllib.parse.urlencode({"csrf_token": token, **fields}).encode()
        try:
            with self.no_redirect.open(self.base + path, data=body, timeout=60) as response:
                return response.status, ""
        except urllib.error.HTTPError as answer:
            return answer.code, answer.headers.get("Location", "")

    def token(self, path: str) -> str:
        """The CSRF token of the page at `path`."""
        return TOKEN.search(self.get(path)).group(1)

    def plan_version(self, case_page: str) -> str:
        """The version of the consensus plan the case page shows (a vote names it)."""
        return str(self.state(case_page)["case"]["plan_version"])

    def state(self, case_page: str) -> dict:
        """The room's state as the case page's poll reads it."""
        return json.loads(self.get(state_url(case_page)))

    def sign_in(self) -> None:
        """Sign in through the login form."""
        self.post("/login", self.token("/login"), username=self.username, password=self.password)
