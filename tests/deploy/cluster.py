"""A real deployment on loopback: nginx (Debian's) in front of gunicorn hosts.

The hosts share one PostgreSQL schema, one instance folder (secret key, data keys) and
Redis, as app hosts do in production. nginx runs deploy/nginx/*.conf as
tests/fixtures/nginx.py renders it for loopback (shared with bench/agent_workload.py).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.fixtures.nginx import DEPLOY, ROOT

CSRF = re.compile(r'name="(?:[\w-]+-)?csrf_token"[^>]*value="([^"]+)"')


def free_port() -> int:
    """Return a loopback port nobody listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str) -> None:
    """Poll ``predicate`` every 50 ms until true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not within {timeout} s")


@dataclass
class Host:
    """One app host: gunicorn with deploy/gunicorn.conf.py on a loopback port."""

    number: int
    port: int
    env: dict[str, str]
    log: Path
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start master and workers in a process group of their own."""
        env = {**self.env, "TRACING_BIND": f"127.0.0.1:{self.port}"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py")],
                env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log,
                start_new_session=True,
            )  # fmt: skip

    def healthy(self) -> bool:
        """Tell whether /healthz answers 200."""
        try:
            return requests.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except requests.RequestException:
            return False

    def kill_hard(self) -> None:
        """Kill -9 the master and every worker (the whole process group)."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), then hard if it lingers."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.kill_hard()


@dataclass
class Cluster:
    """nginx, the hosts, and helpers to talk to them as a browser would."""

    hosts: list[Host]
    https_port: int
    cert: Path
    folder: Path
    nginx: subprocess.Popen | None = None
    _sessions: list[requests.Session] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def browser(self) -> requests.Session:
        """A client of the site through nginx (TLS checked against the test certificate)."""
        session = requests.Session()
        session.trust_env = False  # no proxy or CA bundle from the environment
        session.verify = str(self.cert)
        # Flask-WTF checks the Referer of HTTPS form posts, as browsers send it.
        session.headers["Referer"] = f"{self.url}/"
        self._sessions.append(session)
        return session

    def login(self, session: requests.Session, email: str, password: str) -> requests.Response:
        """Sign in through nginx with the real form; return the answer (302 when it worked)."""
        token = self.csrf(session.get(f"{self.url}/en/login", timeout=10).text)
        return session.post(
            f"{self.url}/en/login",
            data={"csrf_token": token, "email": email, "password": password},
            allow_redirects=False, timeout=10,
        )  # fmt: skip

    @staticmethod
    def csrf(html: str) -> str:
        match = CSRF.search(html)
        assert match, "no CSRF token on the page"
        return match.group(1)

    def direct(self, host: Host, method: str, path: str, cookie: str | None, **kwargs):
        """Ask one host directly, as nginx would (forwarded headers), with a session cookie."""
        headers = {
            "X-Forwarded-For": "127.0.0.1",
            "X-Forwarded-Proto": "https",
            "X-Forwarded-Host": f"127.0.0.1:{self.https_port}",
            "Referer": f"{self.url}/",
        }
        if cookie:
            headers["Cookie"] = f"tracing_session={cookie}"
        return requests.request(method, f"{host.url}{path}", headers=headers,
                                allow_redirects=False, timeout=10, **kwargs)  # fmt: skip

    def form_token(self, host: Host, path: str, cookie: str | None) -> tuple[str, str]:
        """GET a page of one host; return its CSRF token and the session cookie to post with.

        The page may store a new token in the session, so the cookie can change.
        """
        page = self.direct(host, "GET", path, cookie)
        return self.csrf(page.text), page.cookies.get("tracing_session", cookie)

    def close(self) -> None:
        for session in self._sessions:
            session.close()
