"""Where bench/agent_workload.py sends its agents: one gunicorn host, or nginx and two.

Not a benchmark itself. ``one``: the agents talk plain HTTP to one gunicorn host.
``nginx2``: they talk HTTPS to nginx running deploy/nginx (rendered for loopback by
tests/fixtures/nginx.py, as the several-hosts harness does), which balances over two
gunicorn hosts sharing the PostgreSQL schema, the instance folder and Redis.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The suite's nginx set-up is reused: run as `.venv/bin/python bench/…` from a checkout.
sys.path.insert(0, str(ROOT))

from tests.fixtures.nginx import NGINX, nginx_config, self_signed_certificate  # noqa: E402

TOPOLOGIES = ("one", "nginx2")


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Topology:
    """A running topology: the agents' base URL, TLS context, and its processes' groups."""

    name: str
    url: str
    description: str
    ssl_context: ssl.SSLContext | bool = False
    process_groups: list[int] = field(default_factory=list)

    def server_cpu_seconds(self) -> float:
        """CPU seconds used so far by every process of the topology (gunicorn, nginx)."""
        return process_group_cpu(set(self.process_groups))


def process_group_cpu(groups: set[int]) -> float:
    """User + system CPU seconds of the processes in the given process groups.

    Live processes count their own; a worker that ended (gunicorn recycles them after
    ``max_requests``) counts in its parent's, once the parent has reaped it.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        # After the command name: state, ppid, pgrp, ..., utime (12th), stime (13th),
        # then the reaped children's cutime and cstime.
        if int(fields[2]) in groups:
            total += sum(int(field) for field in fields[11:15])
    return total / ticks


def start_server(settings: dict[str, str], port: int, workers: int, threads: int, log: Path):
    """Start gunicorn serving the site on 127.0.0.1:port; return the process once it answers.

    :param log: where its stderr goes (the app's JSON log lines, one per request): a file,
        never a pipe nobody reads, whose full buffer would stop the workers mid-run.
    """
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        # Production's settings and hooks (deploy/gunicorn.conf.py); the options after it
        # override its address, processes and timeouts.
        "--config",
        str(ROOT / "deploy" / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--timeout",
        "120",
        # Longer than the idle time of the client (30 s) and of nginx's upstream keep-alive
        # (60 s): no kept-alive connection is closed under a request (deploy says 75 too).
        "--keep-alive",
        "75",
        "--backlog",
        "4096",
        "tracing_app:create_app()",
    ]
    with log.open("ab") as stderr:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            command,
            env={**os.environ, **settings},
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,
        )
    # The master listens before its workers have loaded the app: wait for a real answer.
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(log.read_text()[-2000:])
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return process
        except OSError:
            time.sleep(0.5)
    stop_server(process)
    raise RuntimeError("gunicorn did not answer within 120 s")


def stop_server(process) -> None:
    """Stop a process started in its own group (gunicorn, nginx) and wait for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextlib.contextmanager
def one_host(
    settings: dict[str, str], workers: int, threads: int, folder: Path
) -> Iterator[Topology]:
    """One gunicorn host, asked directly over plain HTTP."""
    port = free_port()
    server = start_server(settings, port, workers, threads, folder / "host-0.log")
    try:
        yield Topology(
            "one",
            f"http://127.0.0.1:{port}",
            f"one gunicorn host ({workers} workers x {threads} threads), plain HTTP",
            process_groups=[server.pid],
        )
    finally:
        stop_server(server)


@contextlib.contextmanager
def nginx_two_hosts(
    settings: dict[str, str], workers: int, threads: int, folder: Path
) -> Iterator[Topology]:
    """Two gunicorn hosts of ``workers`` each, behind nginx (deploy/nginx, TLS)."""
    if not os.path.exists(NGINX):
        raise RuntimeError(f"{NGINX} missing (apt-get install nginx-light)")
    # Behind one proxy: the hosts take the client address and scheme from nginx's headers.
    settings = {**settings, "TRACING_TRUSTED_PROXIES": "1"}
    servers = []
    nginx = None
    try:
        ports = [free_port(), free_port()]
        for number, port in enumerate(ports):
            log = folder / f"host-{number}.log"
            servers.append(start_server(settings, port, workers, threads, log))
        cert, key = self_signed_certificate(folder)
        https_port = free_port()
        # One nginx worker per core; room for the agents' connections and the upstream's.
        config = nginx_config(
            folder, ports, https_port, free_port(), cert, key,
            worker_processes="auto", worker_connections=4096,
        )  # fmt: skip
        checked = subprocess.run(  # noqa: S603 - Debian's nginx, our config
            [NGINX, "-t", "-c", str(config)], capture_output=True, text=True, check=False
        )
        if checked.returncode:
            raise RuntimeError(checked.stderr)
        with (folder / "nginx.log").open("ab") as log:
            nginx = subprocess.Popen(  # noqa: S603 - Debian's nginx, our config
                [NGINX, "-c", str(config)], stderr=log, start_new_session=True
            )
        url = f"https://127.0.0.1:{https_port}"
        context = ssl.create_default_context(cafile=str(cert))
        _wait_for(f"{url}/healthz", context)
        yield Topology(
            "nginx2",
            url,
            f"nginx (deploy/nginx, HTTPS) in front of 2 gunicorn hosts "
            f"({workers} workers x {threads} threads each)",
            ssl_context=context,
            process_groups=[nginx.pid, *(s.pid for s in servers)],
        )
    finally:
        if nginx is not None:
            stop_server(nginx)
        for server in servers:
            stop_server(server)


def _wait_for(url: str, context: ssl.SSLContext) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5, context=context) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"nginx did not answer {url} within 30 s")
