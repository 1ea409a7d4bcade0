"""Rows of the permission matrix, one module per feature (``ROWS = {endpoint: (perm, who)}``).

Each module of this package adds the endpoints of one feature, so features built side by
side do not edit the same table. ``tests/test_permission_matrix.py`` merges them.
"""

from __future__ import annotations

import importlib
import pkgutil

from tests.fixtures.users import ROLES

ANONYMOUS = "anonymous"
LEARNER = "learner"  # signed in, no role
EVERYONE_SIGNED_IN = {LEARNER, *ROLES}

# Trainers write modules, lessons and quizzes (CMS items): lms/plugin.py grants them
# content.edit and content.view_drafts.
EDITORS = {"editor", "admin", "trainer"}
DRAFT_READERS = {"editor", "reviewer", "admin", "trainer"}
TRAINERS = {"trainer", "admin"}


def feature_rows() -> dict:
    """Return the rows of every module of this package; an endpoint may appear once."""
    rows: dict = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        duplicated = set(rows) & set(module.ROWS)
        assert not duplicated, f"{info.name} repeats {duplicated}"
        rows.update(module.ROWS)
    return rows
