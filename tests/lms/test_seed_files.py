"""The demo curriculum as content files: exported, imported into an emptied site, the same.

``tracing-app content export`` / ``import`` (docs/content-files.md) carry the modules,
lessons and quizzes with their translation groups, so the LMS's settings, prerequisites,
question draws and certification, which refer to those groups, still apply after the
import.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from content.extensions import db
from content.items import operations as items
from content.items.models import ContentItem
from lms.certification import operations as certification_operations
from lms.courses import modules
from lms.seed.install import install_demo_training
from lms.seed.training import curriculum

LANGUAGES = ("nl", "fr", "en", "de")


@pytest.fixture(autouse=True)
def _english_messages(monkeypatch):
    """Commands speak the shell's language; these tests read English."""
    monkeypatch.setenv("LANG", "en_US.UTF-8")


def tree(folder) -> dict[str, bytes]:
    """Return every file below ``folder`` by relative path, with its bytes."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def empty_site() -> None:
    """Delete every item and make the language roots afresh (the LMS's rows stay)."""
    for root in db.session.scalars(select(ContentItem).where(ContentItem.parent_id.is_(None))):
        db.session.delete(root)
    db.session.commit()
    items.ensure_language_roots()
    db.session.commit()


@pytest.mark.db
def test_the_curriculum_round_trips_as_content_files(app, runner, tmp_path):
    install_demo_training()
    db.session.commit()
    first, second = tmp_path / "first", tmp_path / "second"
    exported = runner.invoke(args=["content", "export", str(first)])
    assert exported.exit_code == 0, exported.output
    for training in curriculum():
        for language in LANGUAGES:
            texts = training.texts[language]
            folder = first / language / texts.module.slug
            assert (folder / "_index.md").is_file()
            for lesson in texts.lessons:
                written = (folder / f"{lesson.slug}.md").read_text()
                for block in lesson.body.split("\n\n"):  # images point at the site's files
                    assert "](media/" in block or block.strip() in written
                for image in lesson.media:  # the screenshots travel with their lesson
                    assert (folder / f"{lesson.slug}.media" / image.name).is_file()
            assert (folder / f"{texts.exam.slug}.md").is_file()

    empty_site()
    assert modules.catalogue("fr") == []
    imported = runner.invoke(args=["content", "import", str(first)])
    assert imported.exit_code == 0, imported.output
    assert runner.invoke(args=["content", "export", str(second)]).exit_code == 0
    assert tree(second) == tree(first)

    # The LMS finds its modules again: the chain and the certification still hold.
    db.session.expire_all()
    groups = []
    for training in curriculum():
        module = items.item_by_path(f"fr/{training.texts['fr'].module.slug}")
        assert module.is_live
        assert len(modules.module_items(module)) == len(training.source.lessons) + 1
        groups.append(module.translation_group)
    assert [modules.prerequisites(group) for group in groups] == [[]] + [[g] for g in groups[:-1]]
    certification = certification_operations.certification_by_code("contact-tracing-basics")
    assert certification.module_groups == groups
