"""Hostile uploads: the cost of refusing a workbook bomb, and a long fuzz run of every importer.

1. The workbook of issue #12 (a few hundred KB zipped, ~150 MB of XML, 200,000 rows) and
   one of 200,000 small rows, read by the call-script reader in a fresh subprocess each:
   time to refuse, peak Python allocations (tracemalloc) and peak resident memory
   (ru_maxrss). Baseline: the same workbook read without limits, as main did (openpyxl
   read-only over every row), in its own subprocess.
2. The fuzz targets of ``tests/fuzz`` with many random examples each (``FUZZ_MAX_EXAMPLES``,
   new inputs every run): inputs tried per target and failures.

Writes bench/results/fuzz_importers.json.
Run: .venv/bin/python bench/fuzz_importers.py [--examples 4000] [--no-baseline]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).parent / "results" / "fuzz_importers.json"

#: Runs in a fresh interpreter: reads the file given, prints its figures as JSON.
MEASURE = """
import io, json, resource, sys, time, tracemalloc, warnings
mode, path = sys.argv[1], sys.argv[2]
data = open(path, "rb").read()
from tracing_app import create_app
app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
import openpyxl
from tracing_app.scripts import xlsform_read
with app.test_request_context("/en/"):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    tracemalloc.start()
    start = time.perf_counter()
    if mode == "bounded":
        _sheets, problems = xlsform_read.read_sheets(data, "script.xlsx")
        outcome = [str(p.message) for p in problems]
    else:  # main before issue #12: every row, padded to the declared size
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            rows = [list(row) for row in book.worksheets[0].iter_rows(values_only=True)]
        outcome = [f"{len(rows)} rows read"]
    elapsed = time.perf_counter() - start
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({
    "seconds": round(elapsed, 3),
    "tracemalloc_peak_mb": round(peak / 2**20, 1),
    "maxrss_mb": round(after / 1024, 1),
    "maxrss_growth_mb": round((after - before) / 1024, 1),
    "outcome": outcome,
}))
"""


def measure(mode: str, data: bytes) -> dict:
    """Read ``data`` in a fresh subprocess and return its figures."""
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as file:
        file.write(data)
        file.flush()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        output = subprocess.run(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", MEASURE, mode, file.name],
            capture_output=True,
            text=True,
            check=True,
            env=env,
            cwd=ROOT,
        ).stdout
    return json.loads(output.strip().splitlines()[-1])


def workbooks(baseline: bool) -> dict:
    sys.path.insert(0, str(ROOT))
    from tests.fuzz.workbooks import huge_sheet, workbook

    bomb = huge_sheet()
    rows = workbook((n, [(1, "text")]) for n in range(1, 200_001))
    figures = {
        "bomb_zipped_bytes": len(bomb),
        "bomb_unpacked_bytes": _unpacked(bomb),
        "bomb_refused": measure("bounded", bomb),
        "small_rows_zipped_bytes": len(rows),
        "small_rows_unpacked_bytes": _unpacked(rows),
        "small_rows_refused": measure("bounded", rows),
    }
    if baseline:
        figures["bomb_read_without_limits"] = measure("unbounded", bomb)
        figures["ratio_time_unbounded_to_refused"] = round(
            figures["bomb_read_without_limits"]["seconds"]
            / max(figures["bomb_refused"]["seconds"], 1e-6),
            1,
        )
    return figures


def _unpacked(data: bytes) -> int:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(member.file_size for member in archive.infolist())


class _Outcomes:
    """pytest plugin: which fuzz tests failed."""

    def __init__(self) -> None:
        self.failed: list[str] = []
        self.passed = 0

    def pytest_runtest_logreport(self, report):
        if report.when == "call":
            if report.failed:
                self.failed.append(report.nodeid)
            elif report.passed:
                self.passed += 1


def fuzz(examples: int) -> dict:
    import pytest

    os.environ["FUZZ_MAX_EXAMPLES"] = str(examples)
    os.environ["FUZZ_RANDOM"] = "1"
    sys.path.insert(0, str(ROOT))
    from tests.fuzz import TRIED

    outcomes = _Outcomes()
    start = time.perf_counter()
    pytest.main(
        ["tests/fuzz", "-q", "-p", "no:cacheprovider", "-k", "not postgresql"], plugins=[outcomes]
    )
    return {
        "examples_per_target": examples,
        "seconds": round(time.perf_counter() - start, 1),
        "inputs_tried": dict(sorted(TRIED.items())),
        "inputs_tried_total": sum(TRIED.values()),
        "targets_passed": outcomes.passed,
        "targets_failed": outcomes.failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=4000, help="examples per fuzz target")
    parser.add_argument("--no-baseline", action="store_true", help="skip the unbounded read")
    parser.add_argument("--no-fuzz", action="store_true", help="only the workbook figures")
    args = parser.parse_args()
    os.chdir(ROOT)
    results = {"workbooks": workbooks(not args.no_baseline)}
    print(json.dumps(results["workbooks"], indent=2))
    if not args.no_fuzz:
        results["fuzz"] = fuzz(args.examples)
        print(json.dumps(results["fuzz"], indent=2))
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
