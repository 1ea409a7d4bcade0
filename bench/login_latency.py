"""Login latency under the production Argon2id settings, against a page render.

Writes bench/results/login_latency.json. Run: .venv/bin/python bench/login_latency.py
"""

from __future__ import annotations

import json
import re
import statistics
import tempfile
import time
from pathlib import Path

from argon2 import PasswordHasher
from flask_migrate import upgrade

from content.config import DefaultConfig
from content.extensions import db
from content.users.operations import create_user
from tracing_app import create_app

ROUNDS = 20
RESULTS = Path(__file__).parent / "results" / "login_latency.json"


def timed(fn, rounds=ROUNDS, prepare=lambda: None):
    """Return the median time of ``fn(prepared)``; ``prepare`` runs untimed before each."""
    samples = []
    for _ in range(rounds):
        prepared = prepare()
        start = time.perf_counter()
        fn(prepared)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": tmp,
                "LOGIN_MAX_FAILURES_PER_ACCOUNT": 10**6,
                "LOGIN_MAX_FAILURES_PER_ADDRESS": 10**6,
            }
        )
        with app.app_context():
            upgrade(revision="heads")
            create_user("bench@example.org", "a long enough password", roles=["agent"])
            db.session.commit()
        client = app.test_client()

        def token_of(response):
            text = response.get_data(as_text=True)
            return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text).group(1)

        def fresh_token():
            """Sign out if signed in (untimed), then return the login form's token."""
            response = client.get("/en/login", follow_redirects=True)
            if response.request.path != "/en/login":
                client.post("/en/logout", data={"csrf_token": token_of(response)})
                response = client.get("/en/login")
            return token_of(response)

        def post_login(email, password, expected_status):
            def run(token):
                response = client.post(
                    "/en/login", data={"email": email, "password": password, "csrf_token": token}
                )
                assert response.status_code == expected_status, response.status_code

            return run

        baseline = timed(lambda _: client.get("/en/login"))
        login = timed(
            post_login("bench@example.org", "a long enough password", 302), prepare=fresh_token
        )
        # Alternate the two failure kinds so that machine noise hits both alike.
        wrong_samples, unknown_samples = [], []
        for _ in range(ROUNDS):
            wrong_samples.append(
                timed(post_login("bench@example.org", "wrong", 401), 1, fresh_token)
            )
            unknown_samples.append(
                timed(post_login("nobody@example.org", "wrong", 401), 1, fresh_token)
            )
        wrong, unknown = statistics.median(wrong_samples), statistics.median(unknown_samples)
        with app.app_context():
            db.engine.dispose()

    hasher = PasswordHasher(
        time_cost=DefaultConfig.ARGON2_TIME_COST,
        memory_cost=DefaultConfig.ARGON2_MEMORY_COST_KIB,
        parallelism=DefaultConfig.ARGON2_PARALLELISM,
    )
    stored = hasher.hash("a long enough password")
    figures = {
        "argon2": {
            "time_cost": DefaultConfig.ARGON2_TIME_COST,
            "memory_cost_kib": DefaultConfig.ARGON2_MEMORY_COST_KIB,
            "parallelism": DefaultConfig.ARGON2_PARALLELISM,
            "hash_ms": round(timed(lambda _: hasher.hash("a long enough password")) * 1000, 1),
            "verify_ms": round(
                timed(lambda _: hasher.verify(stored, "a long enough password")) * 1000, 1
            ),
        },
        "baseline_login_page_ms": round(baseline * 1000, 2),
        "login_ms": round(login * 1000, 1),
        "wrong_password_ms": round(wrong * 1000, 1),
        "unknown_user_ms": round(unknown * 1000, 1),
        "login_ratio_to_page": round(login / baseline, 1),
        "unknown_to_wrong_password_ratio": round(unknown / wrong, 2),
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
