"""Signed-in pages over HTTP under gunicorn, against a bare-Flask floor serving the same HTML.

Issue #14. The site runs under gunicorn (2 sync workers, as the issue measured; with
``--workers 4 --threads 8`` gthread workers, as deploy/gunicorn.conf.py runs them on this
2-core machine) on PostgreSQL (and SQLite with ``--backends sqlite,postgresql``); ``wrk``
(``apt-get install wrk``) hammers it with 16 connections for ``--seconds``, each request
signed in as one of ``--learners`` learners in turn (a Lua script rotates their session
cookies). Two pages: a published CMS page with a ~1,450-word Markdown body in a section
(the reader is an agent, who sees no drafts), and a lesson of the demo training module
the learners are enrolled in (the first view of each learner records progress; re-opened
within a minute it writes nothing). The floor: a bare Flask app under the same gunicorn
settings returning the very HTML the site answered, in the same run. Figures:
requests/s, latency p50/p99 per wrk, non-2xx answers, the ratio to the floor, and the
1-minute load average before each run (a shared machine).

Writes bench/results/signed_in_pages.json (``--out`` elsewhere). To measure older code
with this script: ``--code-root`` a checkout of it, and run with ``PYTHONPATH`` there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

from flask import Flask

RESULTS = Path(__file__).parent / "results" / "signed_in_pages.json"
POSTGRES_URL = os.environ.get(
    "TRACING_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
PASSWORD = "bench learner password"  # noqa: S105 - throwaway accounts of the bench
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LUA = """
cookies = {%s}
counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", "%s", {["Cookie"] = cookies[(counter %% #cookies) + 1]})
end
"""


def floor_app() -> Flask:
    """The floor: the saved HTML of each page, from memory (gunicorn ``…:floor_app()``)."""
    folder = Path(os.environ["BENCH_FLOOR_DIR"])
    pages = {path.stem: path.read_bytes() for path in folder.glob("*.html")}
    app = Flask("floor")

    @app.get("/<name>")
    def page(name: str):
        return pages[name]

    return app


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_for(backend: str, instance: str) -> tuple[dict[str, str], str | None]:
    """Environment of the served site (and of the setup); the PostgreSQL schema made."""
    settings = {
        "TRACING_INSTANCE_PATH": instance,
        "TRACING_SECRET_KEY": uuid.uuid4().hex,
        "TRACING_SESSION_COOKIE_SECURE": "false",  # plain http on 127.0.0.1
        "TRACING_ARGON2_TIME_COST": "1",
        "TRACING_ARGON2_MEMORY_COST_KIB": "1024",
        "TRACING_ARGON2_PARALLELISM": "1",
        # Readers are signed in with both factors; the second factor is not measured here.
        "TRACING_SECOND_FACTOR_REQUIRED_ROLES": "[]",
    }
    if backend == "sqlite":
        settings["DATABASE_URL"] = f"sqlite:///{instance}/bench.db"
        return settings, None
    import psycopg

    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    settings["DATABASE_URL"] = POSTGRES_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    options = {"connect_args": {"options": f"-csearch_path={schema}"}}
    settings["TRACING_SQLALCHEMY_ENGINE_OPTIONS"] = json.dumps(options)
    return settings, schema


def seed(settings: dict[str, str], learners: int) -> dict:
    """Site, page, demo training, enrolled learners; return URLs, HTML and cookies."""
    os.environ.update(settings)
    from flask_migrate import upgrade
    from page_render import realistic_body
    from sqlalchemy import select

    from content.extensions import db
    from content.items import operations as items
    from content.items.models import ContentItem
    from content.users.operations import create_user
    from content.workflow.operations import transition
    from lms.courses import operations as courses
    from lms.seed.install import install_demo_training
    from tracing_app import create_app
    from tracing_app.protection.audit_key import generate_audit_key_file
    from tracing_app.protection.audit_key import key_file_path as audit_key_path
    from tracing_app.protection.keyfile import generate_key_file, key_file_path

    instance = settings["TRACING_INSTANCE_PATH"]
    generate_key_file(key_file_path(instance))
    generate_audit_key_file(audit_key_path(instance))
    app = create_app()
    with app.app_context():
        upgrade(revision="heads")
        items.ensure_language_roots()
        admin = create_user("editor@bench.example.org", PASSWORD, roles=["admin"])
        folder = items.create_item(
            items.language_root("en"), "folder", title="Training", actor=admin
        )
        page = items.create_item(
            folder, "page", title="Tracing", body=realistic_body(), actor=admin
        )
        transition(folder, "publish", actor=admin)
        transition(page, "publish", actor=admin)
        install_demo_training()
        modules = db.session.scalars(
            select(ContentItem).where(ContentItem.type == "module", ContentItem.language == "en")
        )
        # The first module of the chain: the others redirect to their prerequisites.
        module = next(m for m in modules if not courses.prerequisites(m.translation_group))
        lesson = next(child for child in module.children if child.type == "lesson")
        emails = [f"learner{n:04d}@bench.example.org" for n in range(learners)]
        for email in emails:
            user = create_user(email, PASSWORD, roles=["agent"], locale="en")
            courses.enrol(user, module.translation_group)
        db.session.commit()
        urls = {
            "page": "/en/" + page.path.split("/", 1)[1],
            "lesson": f"/en/learn/modules/{module.id}/lessons/{lesson.id}",
        }
    cookie_name = app.config["SESSION_COOKIE_NAME"]
    cookies, clients = [], []
    for email in emails:
        client = app.test_client()
        clients.append(client)
        token = CSRF.search(client.get("/en/login").get_data(as_text=True)).group(1)
        response = client.post(
            "/en/login", data={"email": email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.status_code
        cookies.append(f"{cookie_name}={client.get_cookie(cookie_name).value}")
    html = {}
    for name, url in urls.items():
        response = clients[0].get(url)
        assert response.status_code == 200, (url, response.status_code, response.location)
        html[name] = response.get_data()
    with app.app_context():
        db.engine.dispose()
    return {"urls": urls, "html": html, "cookies": cookies}


#: gunicorn's workers: ``(workers, threads)``; threads > 1 means gthread workers.
WORKERS = (2, 1)


def start(target: str, env: dict[str, str], port: int, root: Path) -> subprocess.Popen:
    """Start gunicorn (``WORKERS``) on 127.0.0.1:port; return once it answers."""
    workers, threads = WORKERS
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--timeout", "120", target]
    if threads > 1:
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    log = subprocess.DEVNULL
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
        command,
        env={**os.environ, **env},
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=log,  # the site logs every request: never a pipe nobody reads
        start_new_session=True,
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5):
                return process
        except urllib.error.HTTPError:
            return process  # the floor answers 404 there: it is up
        except OSError:
            time.sleep(0.5)
    stop(process)
    raise RuntimeError("gunicorn did not answer within 120 s")


def stop(process: subprocess.Popen) -> None:
    """Stop gunicorn (its own process group) and wait for it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wrk(port: int, path: str, cookies: list[str], seconds: int, workdir: str) -> dict:
    """Run wrk -t2 -c16 against the path, rotating cookies; return its figures."""
    script = Path(workdir) / f"wrk-{uuid.uuid4().hex[:6]}.lua"
    script.write_text(LUA % (", ".join(json.dumps(c) for c in cookies), path))
    url = f"http://127.0.0.1:{port}{path}"
    warm_up = ["wrk", "-t2", "-c16", "-d2s", "-s", str(script), url]
    # wrk from the PATH (Debian's package), fixed arguments; the warm-up compiles templates
    # and fills the caches.
    subprocess.run(warm_up, capture_output=True, check=True)  # noqa: S603
    load = os.getloadavg()[0]
    command = ["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)

    def latency(label: str) -> str | None:
        found = re.search(rf"\s{label}\s+([\d.]+\w+)", output)
        return found.group(1) if found else None

    return {
        "requests_per_second": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency("50%"),
        "p99": latency("99%"),
        "non_2xx": int(non_2xx.group(1)) if non_2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
        "load_average_1m_before": round(load, 2),
    }


def run(backend: str, args) -> dict:
    root = Path(args.code_root).resolve()
    with tempfile.TemporaryDirectory() as instance:
        settings, schema = settings_for(backend, instance)
        try:
            site = seed(settings, args.learners)
            floor_dir = Path(instance) / "floor"
            floor_dir.mkdir()
            for name, html in site["html"].items():
                (floor_dir / f"{name}.html").write_bytes(html)
            figures = {}
            for name, url in site["urls"].items():
                port = free_port()
                server = start("tracing_app:create_app()", settings, port, root)
                try:
                    measured = wrk(port, url, site["cookies"], args.seconds, instance)
                finally:
                    stop(server)
                port = free_port()
                floor = start(
                    "signed_in_pages:floor_app()",
                    {"BENCH_FLOOR_DIR": str(floor_dir)},
                    port,
                    Path(__file__).parent,
                )
                try:
                    bare = wrk(port, f"/{name}", site["cookies"], args.seconds, instance)
                finally:
                    stop(floor)
                figures[name] = {
                    "html_bytes": len(site["html"][name]),
                    "site": measured,
                    "floor": bare,
                    "ratio_to_floor": round(
                        measured["requests_per_second"] / bare["requests_per_second"], 3
                    ),
                }
                print(backend, name, json.dumps(figures[name]), flush=True)
            return figures
        finally:
            if schema:
                import psycopg

                with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
                    conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="postgresql")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--learners", type=int, default=32)
    parser.add_argument("--code-root", default=str(Path(__file__).resolve().parents[1]))
    parser.add_argument("--label", default="this branch")
    parser.add_argument("--out", default=str(RESULTS))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1, help="more than 1: gthread workers")
    args = parser.parse_args()
    global WORKERS
    WORKERS = (args.workers, args.threads)
    kind = f"gthread workers x {args.threads} threads" if args.threads > 1 else "sync workers"
    results = {
        "code": args.label,
        "server": f"gunicorn, {args.workers} {kind}, 127.0.0.1; wrk -t2 -c16",
        "cpus": os.cpu_count(),
        "seconds_per_run": args.seconds,
        "learners": args.learners,
    }
    for backend in args.backends.split(","):
        results[backend] = run(backend, args)
    Path(args.out).parent.mkdir(exist_ok=True)
    Path(args.out).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
