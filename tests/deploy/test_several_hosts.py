"""Several app hosts behind nginx share everything a user can notice.

Runs with nginx, PostgreSQL and Redis on loopback (tests/deploy/conftest.py); skips with
the reason when one is missing.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from datetime import time as clock

import pytest
import requests

from content.extensions import db
from tests.deploy.cluster import wait_until

pytestmark = pytest.mark.deploy

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


def _user(site, *roles: str) -> str:
    """Create an account on the shared database; return its e-mail address."""
    from content.users.operations import create_user

    email = f"host-{uuid.uuid4().hex[:8]}-{next(_numbers)}@example.org"
    with site.app_context():
        create_user(email, PASSWORD, display_name="Host Test", roles=list(roles), locale="en")
        db.session.commit()
    return email


def _signed_in(cluster, site, *roles):
    browser = cluster.browser()
    email = _user(site, *roles)
    answer = cluster.login(browser, email, PASSWORD)
    assert answer.status_code == 302, answer.text[-500:]
    return browser, email, browser.cookies["tracing_session"]


def _is_signed_in(cluster, host, cookie) -> bool:
    answer = cluster.direct(host, "GET", "/en/dashboard", cookie)
    assert answer.status_code in {200, 302}
    return answer.status_code == 200


def test_a_session_started_on_one_host_works_on_every_host(cluster, site):
    _browser, _email, cookie = _signed_in(cluster, site)
    assert [_is_signed_in(cluster, host, cookie) for host in cluster.hosts] == [True] * 3


def test_nginx_serves_static_files_and_refuses_bodies_over_the_apps_limit(cluster):
    from tests.deploy.cluster import ROOT

    browser = cluster.browser()
    icon = browser.get(f"{cluster.url}/static/favicon.svg", timeout=10)
    assert icon.status_code == 200
    assert icon.content == (ROOT / "content" / "static" / "favicon.svg").read_bytes()
    too_large = browser.post(f"{cluster.url}/en/login", data=b"x" * (11 * 1024 * 1024), timeout=30)
    assert too_large.status_code == 413


def test_logout_on_one_host_ends_the_session_on_every_host(cluster, site):
    _browser, _email, cookie = _signed_in(cluster, site)
    first, *others = cluster.hosts
    token, cookie = cluster.form_token(first, "/en/dashboard", cookie)
    answer = cluster.direct(first, "POST", "/en/logout", cookie, data={"csrf_token": token})
    assert answer.status_code == 302
    assert [_is_signed_in(cluster, host, cookie) for host in others] == [False, False]


def test_deactivation_on_one_host_ends_the_sessions_on_every_host(cluster, site):
    from content.auth.models import User

    _browser, email, victim_cookie = _signed_in(cluster, site)
    admin_browser, _admin, _cookie = _signed_in(cluster, site, "admin")
    with site.app_context():
        victim_id = db.session.scalar(db.select(User.id).where(User.email == email))
    edit = admin_browser.get(f"{cluster.url}/en/admin/users/{victim_id}", timeout=10)
    answer = admin_browser.post(
        f"{cluster.url}/en/admin/users/{victim_id}/deactivate",
        data={"confirm-csrf_token": cluster.csrf(edit.text)},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code == 302
    assert [_is_signed_in(cluster, host, victim_cookie) for host in cluster.hosts] == [False] * 3


def test_the_login_throttle_counts_failures_on_every_host(cluster, site):
    email = _user(site)
    browser = cluster.browser()
    limit = 5  # LOGIN_MAX_FAILURES_PER_ACCOUNT
    for attempt in range(limit):
        host = cluster.hosts[attempt % 3]
        token, cookie = cluster.form_token(host, "/en/login", None)
        answer = cluster.direct(
            host,
            "POST",
            "/en/login",
            cookie,
            data={"csrf_token": token, "email": email, "password": "wrong"},
        )
        assert answer.status_code == 401
    # The right password, through nginx to whichever host: refused all the same.
    answer = cluster.login(browser, email, PASSWORD)
    assert answer.status_code == 429
    assert "Too many failed attempts" in answer.text


def test_a_page_published_on_one_host_is_served_fresh_by_the_others(cluster, site):
    from content.auth.models import User
    from content.items import operations as items
    from content.items.models import ContentItem

    editor_browser, editor_email, _cookie = _signed_in(cluster, site, "admin")
    title = f"Opening hours {uuid.uuid4().hex[:6]}"
    with site.app_context():
        editor = db.session.scalar(db.select(User).where(User.email == editor_email))
        root = db.session.scalar(db.select(ContentItem).where(ContentItem.path == "en"))
        page = items.create_item(root, "page", title=title, body="Old hours", actor=editor)
        db.session.commit()
        page_id, path = page.id, page.path
    first, *others = cluster.hosts
    # Visitors on the other hosts: not there yet (the hosts' page caches hold the answer).
    for host in others:
        assert cluster.direct(host, "GET", f"/{path}", None).status_code == 404

    token, cookie = cluster.form_token(first, f"/{path}", editor_browser.cookies["tracing_session"])
    answer = cluster.direct(
        first,
        "POST",
        f"/en/cms/items/{page_id}/state",
        cookie,
        data={"csrf_token": token, "transition": "publish", "comment": ""},
    )
    assert answer.status_code == 302

    def served_everywhere():
        return all(title in cluster.direct(host, "GET", f"/{path}", None).text for host in others)

    # PAGE_CACHE_CHECK_SECONDS (1 s) is how long a host may keep an old answer.
    wait_until(served_everywhere, 2.5, "the published page on every host")


def test_no_call_is_claimed_twice_across_hosts(cluster, site):
    from tracing_app.calls import operations
    from tracing_app.calls.models import Campaign

    with site.app_context():
        campaign = Campaign(
            name=f"Hosts {uuid.uuid4().hex[:6]}",
            calling_start=clock(0),
            calling_end=clock(0),
            max_live_calls=30,  # each agent keeps what it claims: the test counts claims
        )
        db.session.add(campaign)
        for _ in range(30):
            operations.enqueue(campaign, due_dt=datetime.now(UTC) - timedelta(hours=1))
        db.session.commit()
        campaign_id = campaign.id
    agents = [_signed_in(cluster, site, "agent")[2] for _ in range(6)]
    claimed: list[int] = []
    lock = threading.Lock()

    def work(number, cookie):
        host = cluster.hosts[number % 3]
        mine: set[int] = set()
        token, cookie = cluster.form_token(host, "/en/calls/", cookie)
        while True:
            answer = cluster.direct(
                host, "POST", "/en/calls/next", cookie, data={"csrf_token": token}
            )
            assert answer.status_code == 302
            if "/orders/" not in answer.headers["Location"]:
                return  # nothing left
            order = int(answer.headers["Location"].rsplit("/", 1)[1])
            if order in mine:
                return  # handed back a call this agent holds: it may take no more
            mine.add(order)
            with lock:
                claimed.append(order)

    with ThreadPoolExecutor(len(agents)) as pool:
        list(pool.map(work, range(len(agents)), agents))

    assert len(claimed) == 30
    assert [order for order, times in Counter(claimed).items() if times > 1] == []
    with site.app_context():
        from tracing_app.calls.models import CallOrder

        ids = set(
            db.session.scalars(db.select(CallOrder.id).where(CallOrder.campaign_id == campaign_id))
        )
    assert set(claimed) == ids


def test_metrics_add_up_every_worker_of_a_host_and_logs_are_json(cluster, site):
    from tests.deploy.conftest import METRICS_TOKEN

    host = cluster.hosts[1]
    for _ in range(20):
        assert requests.get(f"{host.url}/healthz", timeout=10).status_code == 200
    scraped = requests.get(
        f"{host.url}/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    ).text
    found = re.search(
        r'^tracing_http_requests_total\{endpoint="core.healthz",method="GET",status="200"\} (\S+)$',
        scraped, flags=re.MULTILINE,
    )  # fmt: skip
    assert found, scraped[:2000]
    assert float(found.group(1)) >= 20  # both workers' counts, from PROMETHEUS_MULTIPROC_DIR
    assert 'tracing_call_orders{state="queued"}' in scraped
    # Through nginx from the monitoring network (loopback here), with the token.
    browser = cluster.browser()
    answer = browser.get(f"{cluster.url}/metrics", timeout=10,
                         headers={"Authorization": f"Bearer {METRICS_TOKEN}"})  # fmt: skip
    assert answer.status_code == 200
    # The hosts' logs are JSON lines; the access lines carry nginx's request id.
    lines = [json.loads(line) for line in host.log.read_text().splitlines() if line.strip()]
    access = [line for line in lines if line.get("logger") == "tracing.access"]
    assert access
    assert all(re.fullmatch(r"[0-9a-f]{32}", line["request_id"]) for line in access)


def test_a_host_killed_under_write_load_loses_no_acknowledged_write(cluster, site):
    """Sign-ins are the writes (a session row each); kill -9 one host in the middle."""
    emails = [_user(site) for _ in range(4)]
    acknowledged: list[str] = []
    failed = Counter()
    stop = threading.Event()
    killed_at: list[float] = []

    def write(email):
        while not stop.is_set():
            browser = cluster.browser()
            try:
                answer = cluster.login(browser, email, PASSWORD)
            except Exception as exc:  # a dropped connection: an unacknowledged write
                failed[type(exc).__name__] += 1
                continue
            if answer.status_code == 302:
                acknowledged.append((time.monotonic(), browser.cookies["tracing_session"]))
            else:
                failed[answer.status_code] += 1

    victim = cluster.hosts[0]
    threads = [threading.Thread(target=write, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    victim.kill_hard()
    killed_at.append(time.monotonic())
    time.sleep(2.5)
    stop.set()
    for thread in threads:
        thread.join(30)

    after_kill = [cookie for at, cookie in acknowledged if at > killed_at[0]]
    assert after_kill, "nginx did not route writes around the dead host"
    # Only posts in flight on the dead host can fail, answered 502 (never acknowledged).
    assert sum(failed.values()) <= len(emails), failed
    survivors = cluster.hosts[1:]
    lost = [
        cookie
        for index, (_at, cookie) in enumerate(acknowledged)
        if not _is_signed_in(cluster, survivors[index % 2], cookie)
    ]
    assert lost == [], f"{len(lost)} of {len(acknowledged)} acknowledged sign-ins lost"

    # Reads go on without an error through nginx while the host is down.
    browser = cluster.browser()
    assert [browser.get(f"{cluster.url}/healthz", timeout=10).status_code for _ in range(6)] == [
        200
    ] * 6

    # Restarted on the same port, the host answers at once (gunicorn reuses the address).
    started = time.monotonic()
    victim.start()
    wait_until(victim.healthy, 30, "the restarted host")
    assert time.monotonic() - started < 30


def test_two_job_runners_on_two_hosts_run_each_job_once(site):
    """Two `tracing-app jobs run` processes at once on the shared database."""
    import subprocess
    import sys

    from content.jobs import declared_jobs
    from content.jobs.models import JobRun

    command = [sys.executable, "-c", "from tracing_app.cli import main; main()", "jobs", "run"]
    env = site.harness["env"]
    runners = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        for _ in range(2)
    ]
    outputs = [runner.communicate(timeout=120)[0].decode() for runner in runners]
    assert [runner.returncode for runner in runners] == [0, 0], outputs
    with site.app_context():
        names = set(declared_jobs(site))
        runs = Counter(
            db.session.scalars(db.select(JobRun.job_name).where(JobRun.manual.is_(False)))
        )
    assert runs == Counter(dict.fromkeys(names, 1))
    assert sum(output.count(": succeeded") for output in outputs) == len(names)
