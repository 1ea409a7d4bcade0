"""Routes of quizzes: one ``quizzes`` blueprint that each sub-feature adds its routes to.

The quiz pages are in :mod:`lms.quizzes.views`; attempts, settings, results and the
question bank each have a ``blueprint.py`` with ``add_routes(bp)`` and a ``TEMPLATES``
folder, so no module imports this one back.
"""

from pathlib import Path

from flask import Blueprint
from jinja2 import FileSystemLoader

from lms.quizzes import views
from lms.quizzes.attempts import blueprint as attempts
from lms.quizzes.bank import blueprint as bank
from lms.quizzes.bank import pool
from lms.quizzes.results import blueprint as results
from lms.quizzes.settings import blueprint as settings

FEATURES = (settings, results, attempts, bank)

bp = Blueprint("quizzes", __name__, url_prefix="/<lang_code>/quizzes", template_folder="templates")
# Templates keep their names (``quizzes/…``) wherever their sub-feature keeps them.
bp.jinja_loader = FileSystemLoader(
    [Path(__file__).parent / "templates", *(feature.TEMPLATES for feature in FEATURES)]
)
# The attempt page's autosave script; assets carry no language in their URL.
assets = Blueprint(
    "quizzes_assets",
    __name__,
    static_folder=attempts.STATIC,
    static_url_path="/quizzes-static",
)

bp.context_processor(views.template_helpers)


@bp.record_once
def _watch_bank(state) -> None:
    """Keep the draw pools fresh: a change of the bank bumps the content version."""
    pool.watch_changes()


# Trainers: the quizzes; learners: the quiz's page.
bp.add_url_rule("/", "list_quizzes", views.list_quizzes)
bp.add_url_rule("/<group>", "view_quiz", views.view_quiz)
for feature in FEATURES:
    feature.add_routes(bp)
