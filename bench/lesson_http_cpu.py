"""CPU of gunicorn's processes per lesson request under wrk, and of the floor's, PostgreSQL.

The lesson of ``signed_in_pages.py`` (same seeding, gunicorn 2 sync workers, wrk -c16
rotating 32 learners) with the CPU time (utime + stime from /proc) of the server's
process group over the measured run divided by the requests served: a proxy robust to
other load where requests per second are not (PostgreSQL's own CPU not counted).

    PYTHONPATH=<checkout> .venv/bin/python bench/lesson_http_cpu.py <checkout> [seconds]
"""

import json
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import signed_in_pages as b  # noqa: E402 - after the path above

tree = Path(sys.argv[1]).resolve()
seconds = int(sys.argv[2]) if len(sys.argv) > 2 else 5

TICK = os.sysconf("SC_CLK_TCK")


def cpu(pgid):
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid:  # field 5 (pgrp) is index 2 after ')'
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICK


def measure(server, port, path, cookies, workdir):
    b.wrk(port, path, cookies, 2, workdir)  # warm-up too (its own warm-up + 2 s)
    before = cpu(server.pid)
    got = b.wrk(port, path, cookies, seconds, workdir)
    used = cpu(server.pid) - before
    requests = got["requests_per_second"] * seconds
    return {
        "rps": got["requests_per_second"],
        "cpu_ms_per_request": round(used / requests * 1000, 3),
        "load": got["load_average_1m_before"],
    }


with tempfile.TemporaryDirectory() as instance:
    settings, schema = b.settings_for("postgresql", instance)
    try:
        site = b.seed(settings, 32)
        floor_dir = Path(instance) / "floor"
        floor_dir.mkdir()
        (floor_dir / "lesson.html").write_bytes(site["html"]["lesson"])
        port = b.free_port()
        server = b.start("tracing_app:create_app()", settings, port, tree)
        try:
            lesson = measure(server, port, site["urls"]["lesson"], site["cookies"], instance)
        finally:
            b.stop(server)
        port = b.free_port()
        floor = b.start(
            "signed_in_pages:floor_app()", {"BENCH_FLOOR_DIR": str(floor_dir)}, port, HERE
        )
        try:
            bare = measure(floor, port, "/lesson", site["cookies"], instance)
        finally:
            b.stop(floor)
        print(
            json.dumps(
                {
                    "tree": str(tree),
                    "lesson": lesson,
                    "floor": bare,
                    "cpu_ratio_floor_to_site": round(
                        bare["cpu_ms_per_request"] / lesson["cpu_ms_per_request"], 3
                    ),
                }
            )
        )
    finally:
        import psycopg

        with psycopg.connect(b.POSTGRES_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
