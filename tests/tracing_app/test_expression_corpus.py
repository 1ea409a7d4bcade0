"""The browser's evaluator gives what the server's gives, case by case (a shared corpus)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.tracing_app.expression_corpus import ANSWER_SETS, CORPUS, evaluate

RUNNER = Path(__file__).with_name("js") / "run_corpus.js"


def _corpus() -> dict:
    return json.loads(CORPUS.read_text(encoding="utf-8"))


def test_the_corpus_is_large_and_covers_every_kind_of_result():
    cases = _corpus()["cases"]
    assert len(cases) >= 500
    kinds = {case["expected"]["type"] for case in cases}
    assert kinds == {"string", "number", "boolean", "syntax-error"}
    assert sum(case["expected"]["type"] == "syntax-error" for case in cases) >= 40


def test_the_server_gives_the_corpus_results():
    for case in _corpus()["cases"]:
        result = evaluate(case["expression"], ANSWER_SETS[case["answers"]], case["current"])
        assert result == case["expected"], case["expression"]


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_browser_evaluator_gives_the_same_results():
    run = subprocess.run(
        ["node", str(RUNNER), str(CORPUS)], capture_output=True, text=True, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    *failures, summary = run.stdout.strip().splitlines()
    assert failures == [], "\n".join(failures[:20])
    totals = json.loads(summary)
    assert totals["failed"] == 0
    # Server-only functions are refused by the browser, never answered differently.
    assert totals["passed"] + totals["server_only"] == len(_corpus()["cases"])
    assert totals["passed"] >= 500
