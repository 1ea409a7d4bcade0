"""The CMS core: accounts and roles, languages, the plugin API and the site's frame.

Nothing here holds app state at import time; ``create_cms`` builds an app.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask

__all__ = ["create_cms"]

logger = logging.getLogger(__name__)

#: gettext catalogs of every layer (one domain, ``messages``).
TRANSLATIONS_DIRECTORY = Path(__file__).resolve().parent.parent / "translations"


def create_cms(
    config: Mapping[str, Any] | None = None,
    *,
    defaults: Mapping[str, Any] | None = None,
) -> Flask:
    """Build a site from the CMS core and the plugins its configuration names.

    :param config: settings that replace the instance file and the environment (tests).
    :param defaults: the site's defaults, applied over the core's and under everything else.
    :return: the configured Flask app.
    """
    from content import models, signals  # noqa: F401 - models: every table is known
    from content.auth import passwords, throttle
    from content.auth.access import init_access
    from content.auth.cookies import KeptCookieSessionInterface
    from content.auth.roles import PermissionRegistry
    from content.config import apply_plugin_defaults, load_config
    from content.db import configure_database, init_database
    from content.items.types import init_content_types
    from content.observability import init_observability
    from content.plugins import create_plugin_manager
    from content.web import init_web

    instance_path = os.environ.get("TRACING_INSTANCE_PATH") if config is None else None
    app = Flask("content", instance_path=instance_path, instance_relative_config=True)
    if config is not None and "INSTANCE_PATH" in config:
        app.instance_path = config["INSTANCE_PATH"]
    load_config(app, config, defaults or {})

    pm = create_plugin_manager(
        list(app.config["PLUGINS"]),
        load_entry_points=app.config["LOAD_ENTRY_POINTS"] and not app.testing,
    )
    app.extensions["tracing.plugins"] = pm
    apply_plugin_defaults(app, pm.hook.tracing_config_defaults())
    app.permanent_session_lifetime = timedelta(hours=app.config["SESSION_MAX_HOURS"])
    app.session_interface = KeptCookieSessionInterface(app.config["SESSION_COOKIES_KEPT"])

    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    configure_database(app)
    init_database(app)
    _init_extensions(app)
    app.extensions["tracing.permissions"] = PermissionRegistry.from_hooks(
        pm.hook.tracing_roles(), pm.hook.tracing_permissions()
    )
    init_content_types(app, pm.hook.tracing_content_types())
    passwords.init_hasher(app)
    throttle.init_throttle(app)
    for blueprints in pm.hook.tracing_blueprints(app=app):
        for blueprint in blueprints:
            app.register_blueprint(blueprint)
    init_access(app)
    init_web(app)
    init_observability(app)
    pm.hook.tracing_cli_commands(cli=app.cli)
    signals.app_ready.send(app)
    return app


def _init_extensions(app: Flask) -> None:
    from content.auth.sessions import load_session_user
    from content.chrome import page_chrome
    from content.extensions import babel, csrf, db, login_manager, migrate
    from content.i18n import install_template_gettext, select_locale
    from content.items import page_cache
    from content.migrations_config import MIGRATIONS_DIRECTORY

    migrate.init_app(app, db, directory=MIGRATIONS_DIRECTORY)
    login_manager.init_app(app)
    login_manager.user_loader(load_session_user)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(TRANSLATIONS_DIRECTORY),
    )
    install_template_gettext(app)
    csrf.init_app(app)
    # Kept pages of signed-in readers hold placeholders where these go (items/page_cache).
    # Flask-WTF offers csrf_token() both as a global and from a context processor: both.
    app.jinja_env.globals.update(
        csrf_token=page_cache.csrf_token, reader_name=page_cache.reader_name
    )
    app.context_processor(lambda: {"csrf_token": page_cache.csrf_token})
    # The frame of every page (base.html), kept with holes per process.
    app.jinja_env.globals["page_chrome"] = page_chrome
