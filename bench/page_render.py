"""A published CMS page against a bare Flask view returning the same HTML from memory.

Both run in this process over the WSGI test client, so the ratio shows what the CMS
adds on top of Flask. Anonymous readers are answered from the page cache
(content/items/page_cache.py); the uncached figure is what a signed-in reader or a cache
miss costs (URL resolution, database, Markdown, templates, sessions, hooks).
Target: the CMS page within 2x of the bare baseline.

Writes bench/results/page_render.json. Run: .venv/bin/python bench/page_render.py
"""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

from content.extensions import db
from content.items import operations as items
from content.users.operations import create_user
from content.workflow.operations import transition
from tracing_app import create_app

REQUESTS = 500
RESULTS = Path(__file__).parent / "results" / "page_render.json"

SECTION = """
## {n}. Contacten opsporen

Een **hoogrisicocontact** is iemand die langer dan 15 minuten binnen 1,5 meter van de
indexpatiënt was, zonder mondmasker. Vraag altijd naar:

- huisgenoten en partners;
- collega's met wie de persoon een bureau deelt;
- contacten tijdens sport, feesten of [reizen](/nl/opleiding/reizen).

| Soort contact | Risico | Quarantaine |
|---|---|---|
| Huisgenoot | hoog | 10 dagen |
| Collega op 1 m | hoog | 10 dagen |
| Winkelbezoek | laag | geen |

!!! warning "Let op"
    Geef nooit de naam van de indexpatiënt door aan de contacten.

```text
Belscript, stap {n}: "Goedendag, u spreekt met het callcenter contactopsporing."
```

![Schema van de contacten](/media/1/schema.png)
"""


def realistic_body(sections: int = 13) -> str:
    """Return about 1,500 words of training Markdown."""
    return "# Opleiding contactopsporing\n" + "".join(
        SECTION.format(n=n) for n in range(1, sections + 1)
    )


def requests_per_second(client, url: str, count: int = REQUESTS) -> tuple[float, float]:
    """Return (median seconds per request, requests per second) for GETs of ``url``."""
    for _ in range(20):
        client.get(url)  # warm-up: templates compiled, caches filled
    samples = []
    start = time.perf_counter()
    for _ in range(count):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append(time.perf_counter() - t0)
        assert response.status_code == 200
    total = time.perf_counter() - start
    return statistics.median(samples), count / total


def main() -> None:
    body = realistic_body()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp})
        with app.app_context():
            upgrade(revision="heads")
            items.ensure_language_roots()
            admin = create_user("bench@example.org", "a long enough password", roles=["admin"])
            folder = items.create_item(
                items.language_root("nl"), "folder", title="Opleiding", actor=admin
            )
            page = items.create_item(
                folder, "page", title="Contacten opsporen", body=body, actor=admin
            )
            transition(folder, "publish", actor=admin)
            transition(page, "publish", actor=admin)
            db.session.commit()
            url = "/nl/" + page.path.split("/", 1)[1]
        cms_client = app.test_client()
        html = cms_client.get(url).get_data()

        bare = Flask("bare")
        bare.add_url_rule("/page", "page", lambda: html)
        bare_client = bare.test_client()

        bare_median, bare_rps = requests_per_second(bare_client, "/page")
        cms_median, cms_rps = requests_per_second(cms_client, url)
        # The same page for a reader the cache cannot serve (signed in, or a cache miss).
        app.config["PAGE_CACHE_SIZE"] = 0
        uncached_median, uncached_rps = requests_per_second(cms_client, url, count=REQUESTS // 5)
        with app.app_context():
            db.engine.dispose()

    figures = {
        "body_words": len(body.split()),
        "html_bytes": len(html),
        "requests": REQUESTS,
        "bare_ms": round(bare_median * 1000, 3),
        "cms_ms": round(cms_median * 1000, 3),
        "bare_requests_per_second": round(bare_rps),
        "cms_requests_per_second": round(cms_rps),
        "ratio_cms_to_bare": round(cms_median / bare_median, 2),
        "uncached_cms_ms": round(uncached_median * 1000, 3),
        "uncached_requests_per_second": round(uncached_rps),
        "ratio_uncached_to_bare": round(uncached_median / bare_median, 1),
        "target_ratio": 2.0,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
