"""A real deployment on loopback: nginx (Debian's) in front of gunicorn hosts.

The hosts share one PostgreSQL schema, one instance folder (secret key, data keys) and
Redis, as app hosts do in production. nginx runs deploy/nginx/*.conf, rewritten only
where a test must differ (addresses, certificate, code path); a rewrite that finds
nothing to replace fails, so the test follows the deploy files.
"""

from __future__ import annotations

import datetime as dt
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

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
NGINX = "/usr/sbin/nginx"
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


def _replace(text: str, old: str, new: str) -> str:
    assert old in text, f"deploy file changed: {old!r} not found"
    return text.replace(old, new)


def nginx_config(folder: Path, ports: list[int], https_port: int, http_port: int,
                 cert: Path, key: Path) -> Path:  # fmt: skip
    """Write nginx.conf for the test from deploy/nginx; return its path."""
    site = (DEPLOY / "nginx" / "tracing.conf").read_text()
    upstream = re.findall(r"^\s*server 10\.0\.0\.\d+:8000 (.*);$", site, flags=re.MULTILINE)
    assert upstream, "deploy/nginx/tracing.conf has no upstream servers"
    site = re.sub(r"^\s*server 10\.0\.0\.\d+:8000 .*;\n", "", site, flags=re.MULTILINE)
    servers = "".join(f"    server 127.0.0.1:{port} {upstream[0]};\n" for port in ports)
    site = _replace(site, "    keepalive 32;", servers + "    keepalive 32;")
    site = _replace(site, "listen 80;", f"listen 127.0.0.1:{http_port};")
    site = _replace(site, "listen [::]:80;\n", "")
    site = _replace(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = _replace(site, "listen [::]:443 ssl http2;\n", "")
    site = re.sub(r"ssl_certificate .*;", f"ssl_certificate {cert};", site)
    site = re.sub(r"ssl_certificate_key .*;", f"ssl_certificate_key {key};", site)
    site = _replace(site, "/opt/tracing/app/deploy/nginx", str(folder))
    site = _replace(site, "/var/log/nginx/tracing.access.log", str(folder / "access.log"))
    # The included files: includes point at the test folder, static folders at this checkout.
    locations = (DEPLOY / "nginx" / "tracing-locations.conf").read_text()
    locations = _replace(locations, "/opt/tracing/app/deploy/nginx", str(folder))
    (folder / "tracing-locations.conf").write_text(
        _replace(locations, "/opt/tracing/app", str(ROOT))
    )
    (folder / "tracing-proxy.conf").write_text(
        (DEPLOY / "nginx" / "tracing-proxy.conf").read_text()
    )
    config = folder / "nginx.conf"
    config.write_text(f"""
{"user root;" if os.getuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
{site}
}}
""")
    return config


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """Write a certificate for 127.0.0.1 and its key; return their paths."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    loopback = x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))])
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
        .add_extension(loopback, critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ))  # fmt: skip
    return cert_path, key_path


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
