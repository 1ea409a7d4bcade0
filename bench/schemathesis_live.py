"""The long schemathesis run: every check and phase against the API on a live server.

The test suite runs the same with 8 examples per operation
(``tests/tracing_app/test_exchange_live.py``); this run takes many more and records what
it found. Usage: ``.venv/bin/python bench/schemathesis_live.py [MAX_EXAMPLES] [SEED]``
(default 300 examples, a random seed). The site runs on a fresh SQLite file with the demo
call scripts published. Writes ``bench/results/schemathesis_live.json``; the exit code is
schemathesis's (0: no failure).
"""

from __future__ import annotations

import json
import re
import sys
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from content.extensions import db
from tests.fixtures.live import serve
from tests.fixtures.schemathesis_run import run_schemathesis
from tests.fixtures.settings import TEST_CONFIG
from tracing_app import create_app
from tracing_app.exchange import tokens
from tracing_app.seed.scripts import install_demo_scripts

RESULTS = Path(__file__).resolve().parent / "results" / "schemathesis_live.json"


def main() -> int:
    max_examples = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else None
    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {**TEST_CONFIG, "INSTANCE_PATH": instance, "API_RATE_LIMIT_PER_MINUTE": 1_000_000}
        )
        with app.app_context():
            upgrade(revision="heads")
            app.extensions["tracing.plugins"].hook.tracing_init(app=app)
            install_demo_scripts()
            _client, token = tokens.create_client(
                "bench", [tokens.ORDERS_WRITE, tokens.DATA_READ], actor=None
            )
            db.session.commit()
        started = time.perf_counter()
        with serve(app) as origin:
            result = run_schemathesis(origin, token, max_examples=max_examples, seed=seed)
        seconds = time.perf_counter() - started
        with app.app_context():
            db.engine.dispose()
    report = result.stdout + result.stderr
    print(report)
    generated = re.search(r"(\d+) generated", report)
    used_seed = re.search(r"Seed: (\d+)", report)
    figures = {
        "max_examples": max_examples,
        "seed": used_seed and used_seed.group(1),
        "test_cases": int(generated.group(1)) if generated else None,
        "exit_code": result.returncode,
        "failures": 0 if result.returncode == 0 else "see the report",
        "seconds": round(seconds, 1),
    }
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))
    return result.returncode


if __name__ == "__main__":
    sys.exit(main())
