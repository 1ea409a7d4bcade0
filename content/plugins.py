"""The plugin manager: loads ``content``, the configured plugins and entry-point plugins."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from typing import TypeVar

import pluggy
from flask import Flask

from content import hookspecs

ENTRY_POINT_GROUP = "tracing_app.plugins"
CORE_PLUGIN = "content.plugin"

logger = logging.getLogger(__name__)

T = TypeVar("T")


def create_plugin_manager(
    plugin_modules: list[str], *, load_entry_points: bool
) -> pluggy.PluginManager:
    """Return a plugin manager with the core plugin and the named plugin modules registered.

    :param plugin_modules: dotted module paths, in the order their hooks should run.
    :param load_entry_points: also load third-party plugins from ``tracing_app.plugins``.
    :raise ImportError: when a configured plugin module cannot be imported.
    """
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    ordered = [CORE_PLUGIN, *[m for m in plugin_modules if m != CORE_PLUGIN]]
    # pluggy calls the last registered plugin first: register in reverse so that hook
    # results come in configuration order, the core's first.
    for name in reversed(ordered):
        pm.register(importlib.import_module(name), name=name)
    if load_entry_points:
        loaded = pm.load_setuptools_entrypoints(ENTRY_POINT_GROUP)
        if loaded:
            logger.info("Loaded %d plugin(s) from entry points", loaded)
    pm.check_pending()
    return pm


def plugin_manager(app: Flask) -> pluggy.PluginManager:
    """Return the app's plugin manager."""
    return app.extensions["tracing.plugins"]


def hook(app: Flask):
    """Return the hook caller of the app's plugin manager."""
    return plugin_manager(app).hook


def by_name(results: Iterable[Iterable[T]], what: str) -> dict[str, T]:
    """Flatten what a list-returning hook answered into a dict by each entry's ``name``.

    :raise ValueError: when two plugins declare the same name (``what`` says of what).
    """
    named: dict[str, T] = {}
    for found in results:
        for entry in found:
            if entry.name in named:
                raise ValueError(f"{what} {entry.name!r} is declared twice")
            named[entry.name] = entry
    return named
