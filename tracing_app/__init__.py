"""The tracing site: the CMS core with the LMS and the call-centre workspace."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Flask

from content import create_cms

#: Plugins of the full site, in hook order; TRACING_PLUGINS overrides the list.
SITE_PLUGINS = ["lms.plugin", "tracing_app.plugin"]


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build the tracing site.

    :param config: settings for tests; when given, the instance file and environment are
        not read.
    """
    return create_cms(config, defaults={"PLUGINS": SITE_PLUGINS, "SITE_NAME": "Tracing"})
