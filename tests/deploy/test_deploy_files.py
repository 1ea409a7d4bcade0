"""The deploy files agree with the app: body limit, static folders, gunicorn settings.

And the nginx config rendered from them for loopback is one nginx accepts.
"""

from __future__ import annotations

import os
import re
import runpy
import subprocess
from pathlib import Path

import pytest

from content.config import DefaultConfig
from tests.deploy.cluster import DEPLOY, ROOT
from tests.fixtures.nginx import NGINX, nginx_config, self_signed_certificate
from tests.fixtures.settings import TEST_CONFIG
from tracing_app import create_app

LOCATIONS = (DEPLOY / "nginx" / "tracing-locations.conf").read_text()


def test_nginx_refuses_bodies_exactly_above_the_apps_limit():
    (size,) = re.findall(r"client_max_body_size (\d+)k;", LOCATIONS)
    assert int(size) * 1024 == DefaultConfig.MAX_CONTENT_LENGTH


def test_nginx_serves_every_static_folder_of_the_site(tmp_path):
    app = create_app({**TEST_CONFIG, "INSTANCE_PATH": str(tmp_path)})
    served = {
        rule.rule.removesuffix("/<path:filename>"): Path(
            app.static_folder
            if rule.endpoint == "static"
            else app.blueprints[rule.endpoint.split(".")[0]].static_folder
        )
        for rule in app.url_map.iter_rules()
        if rule.endpoint.endswith("static")
    }
    aliases = dict(
        re.findall(r"location (/[\w-]+)/ \{\s*alias /opt/tracing/app/(\S+)/;", LOCATIONS)
    )
    assert set(aliases) == set(served)
    for prefix, folder in aliases.items():
        assert (ROOT / folder).resolve() == served[prefix].resolve()


def test_gunicorn_settings_are_production_ones(monkeypatch):
    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert settings["wsgi_app"] == "tracing_app:create_app()"
    assert settings["worker_class"] == "gthread"
    assert settings["preload_app"] is False
    assert settings["graceful_timeout"] < settings["timeout"]
    # nginx waits longer for an answer than gunicorn lets a request run.
    (read_timeout,) = re.findall(
        r"proxy_read_timeout (\d+)s;", (DEPLOY / "nginx" / "tracing-proxy.conf").read_text()
    )
    assert int(read_timeout) > settings["timeout"]


def test_a_worker_freezes_what_it_built_before_serving():
    # A full garbage collection walked the app's ~200,000 objects: ~0.1 s with every
    # thread of the worker stopped. Frozen once the app is built, they are never walked.
    import gc

    settings = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    try:
        settings["post_worker_init"](None)
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()


def test_the_config_rendered_for_the_bench_is_accepted_by_nginx(tmp_path):
    """bench/agent_workload.py --topology nginx2 renders deploy/nginx with this helper."""
    if not os.path.exists(NGINX):
        pytest.skip(f"{NGINX} missing (apt-get install nginx-light)")
    cert, key = self_signed_certificate(tmp_path)
    config = nginx_config(
        tmp_path, [18001, 18002], 18443, 18080, cert, key,
        worker_processes="auto", worker_connections=4096,
    )  # fmt: skip
    checked = subprocess.run([NGINX, "-t", "-c", str(config)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    text = config.read_text()
    assert "worker_processes auto;" in text
    assert "worker_connections 4096;" in text
    servers = re.findall(r"server 127\.0\.0\.1:(\d+) max_fails", text)
    assert servers == ["18001", "18002"]
    assert "listen 127.0.0.1:18443 ssl http2;" in text
