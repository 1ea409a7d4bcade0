"""The simulated agents' client side, shared by bench/agent_workload.py and bench/shift_start.py.

Not a benchmark itself. A ``Recorder`` times every request on its own (redirects are not
followed) and files it under the period that was current when it was sent; an answer
with an unexpected status, a timeout or a broken connection counts as an error of its
type. ``work_calls`` is an agent's call loop, as the agent's screens do it:

    claim (POST /calls/next) → view_call (the call desktop, GET)
    → open_script (POST) → script_page (GET: the desktop again, now with the script panel)
    → autosave ×2 (JSON POST) → save (POST "Save and check") → outcome (POST "reached")

with think time before every step (the one desktop per call of issue #16: the script is
a panel of the call's page, saved at ``/orders/<id>/script/save``). ``probe`` asks
``/healthz`` (one query) twice a second: the baseline under the same load, in the same
process.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import resource
import time
from collections import defaultdict

import aiohttp
from yarl import URL

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
REVISION = re.compile(r'name="_revision" value="(\d+)"')
AUTOSAVE = re.compile(r'data-autosave-url="([^"]+)"')
#: Status each request type must answer with (anything else is an error).
EXPECTED = {
    "claim": 302,
    "view_call": 200,
    "open_script": 302,
    "script_page": 200,
    "autosave": 200,
    "save": 200,
    "outcome": 302,
    "baseline_healthz": 200,
    # Signing in with both factors (bench/shift_start.py).
    "login_page": 200,
    "password": 302,
    "pending_redirect": 302,
    "second_factor_page": 200,
    "totp": 302,
    "calls_page": 200,
}
REQUEST_TIMEOUT = 30


class Recorder:
    """Samples of every request: type, seconds, whether it was right, and the period."""

    def __init__(self, started: float):
        self.started = started
        #: Index of the current period (a stage of agents, the ramp or after it).
        self.stage = 0
        self.samples: list[tuple[str, float, bool, int]] = []
        self.statuses: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.load_samples: list[float] = []

    async def request(self, session, kind: str, method: str, url: str, **options):
        """Send one request without following redirects; record it; return (status, text)."""
        stage = self.stage  # the period the request was sent in
        start = time.perf_counter()
        try:
            async with session.request(method, url, allow_redirects=False, **options) as response:
                text = await response.text()
                status = response.status
                location = response.headers.get("Location", "")
        except (aiohttp.ClientError, TimeoutError) as exc:
            self.samples.append((kind, time.perf_counter() - start, False, stage))
            self.statuses[kind][type(exc).__name__] += 1
            return None, "", ""
        except asyncio.CancelledError:
            # Still waiting when the run ended: an error too (it took longer than the rest).
            self.samples.append((kind, time.perf_counter() - start, False, stage))
            self.statuses[kind]["unfinished_at_end"] += 1
            raise
        self.samples.append((kind, time.perf_counter() - start, status == EXPECTED[kind], stage))
        self.statuses[kind][str(status)] += 1
        return status, text, location


def agent_session(base: str, connector) -> aiohttp.ClientSession:
    """A browser of one agent: its own cookies, the shared connection pool."""
    return aiohttp.ClientSession(
        base_url=base,
        cookie_jar=aiohttp.CookieJar(unsafe=True),
        connector=connector,
        connector_owner=False,
        timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT),
        # As browsers send it: Flask-WTF checks the Referer of form posts over HTTPS.
        headers={"Referer": f"{base}/"},
    )


def connection_pool(ssl_context) -> aiohttp.TCPConnector:
    """The agents' shared connections (idle ones dropped after 30 s, before the server's 75)."""
    return aiohttp.TCPConnector(
        limit=400, limit_per_host=400, keepalive_timeout=30, ssl=ssl_context or True
    )


async def work_calls(session, recorder: Recorder, token: str, pause) -> None:
    """Claim and work calls until ``pause()`` (the think time) says the run is over."""
    while await pause():
        status, _, location = await recorder.request(
            session, "claim", "POST", "/en/calls/next", data={"csrf_token": token}
        )
        if status != 302 or "/orders/" not in location:
            continue  # nothing due (or an error): think, then try again
        order_url = URL(location).path
        await recorder.request(session, "view_call", "GET", order_url)
        if not await pause():
            break
        status, _, location = await recorder.request(
            session, "open_script", "POST", f"{order_url}/script", data={"csrf_token": token}
        )
        if status != 302 or URL(location).path != order_url:
            continue
        status, page, _ = await recorder.request(session, "script_page", "GET", order_url)
        autosave_url = AUTOSAVE.search(page) if status == 200 else None
        if autosave_url is None:
            continue
        revision = int(REVISION.search(page).group(1))
        answers = {"called_name": "Bench Citizen", "consent": "yes"}
        for extra in ({}, {"full_name": "Bench Citizen", "postcode": "1000"}):
            if not await pause():
                break
            answers.update(extra)
            status, text, _ = await recorder.request(
                session,
                "autosave",
                "POST",
                autosave_url.group(1),
                json={"answers": answers, "revision": revision},
                headers={"X-CSRFToken": token},
            )
            if status == 200:
                revision = json.loads(text).get("revision", revision)
        if not await pause():
            break
        await recorder.request(
            session,
            "save",
            "POST",
            f"{order_url}/script/save",
            data={**answers, "_action": "save", "_revision": revision, "csrf_token": token},
        )
        if not await pause():
            break
        await recorder.request(
            session,
            "outcome",
            "POST",
            f"{order_url}/outcome",
            data={"outcome": "reached", "callback_by": "me", "note": "", "csrf_token": token},
        )


def think_pause(think, rng, stop: float):
    """An awaitable pause of one think time (cut at ``stop``); it says whether to go on."""

    async def pause() -> bool:
        await asyncio.sleep(min(think(rng), max(0.0, stop - time.monotonic())))
        return time.monotonic() < stop

    return pause


async def probe(base: str, recorder: Recorder, stop: float, connector) -> None:
    """Request /healthz twice a second: the baseline under the same load."""
    async with aiohttp.ClientSession(
        base_url=base, connector=connector, connector_owner=False
    ) as session:
        while time.monotonic() < stop:
            await recorder.request(session, "baseline_healthz", "GET", "/healthz")
            await asyncio.sleep(0.5)


async def sample_load(stop: float, samples: list[float]) -> None:
    """Note the 1-minute load average every 5 s until the run ends."""
    while time.monotonic() < stop:
        samples.append(os.getloadavg()[0])
        await asyncio.sleep(5)


async def delayed(seconds: float, coroutine):
    """Run ``coroutine`` after ``seconds``."""
    await asyncio.sleep(seconds)
    await coroutine


def own_cpu_seconds() -> float:
    """User + system CPU seconds of this process (the load generator) so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
