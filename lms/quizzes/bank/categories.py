"""Categories of the question bank: names, paths, and the categories a GIFT file asks for.

Operations flush but never commit: the view or command commits once at the edge.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import func, select

from content.extensions import db
from content.i18n import _l
from lms.quizzes.bank.errors import BankError
from lms.quizzes.bank.models import Category
from lms.quizzes.formats.gift import category_names, gift_categories
from lms.quizzes.formats.problems import Problem, QuestionImportError

logger = logging.getLogger(__name__)

#: The length of ``lms_question_categories.name``.
NAME_LENGTH = 200


def _name_problem(name: str):
    """Return what is wrong with a category name (whitespace already collapsed), or None."""
    if not name:
        return _l("A category needs a name.")
    if "/" in name:
        # Paths are written with "/" (GIFT $CATEGORY, the bank page): a name cannot hold one.
        return _l("A category name cannot contain “/”.")
    if len(name) > NAME_LENGTH:
        return _l("A category name has at most %(num)d characters.", num=NAME_LENGTH)
    return None


def _check_category_name(name: str, parent: Category | None, exclude: Category | None) -> str:
    name = " ".join(name.split())
    if (problem := _name_problem(name)) is not None:
        raise BankError(problem, "name")
    siblings = select(Category.id).where(
        func.lower(Category.name) == name.lower(),
        Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id,
    )
    if exclude is not None:
        siblings = siblings.where(Category.id != exclude.id)
    if db.session.scalar(siblings.limit(1)) is not None:
        raise BankError(_l("There is already a category with this name here."), "name")
    return name


def create_category(name: str, parent: Category | None = None, description: str = "") -> Category:
    """Add a category (below ``parent``); names are unique among siblings, case ignored.

    :raise BankError: empty or taken name.
    """
    category = Category(
        name=_check_category_name(name, parent, None),
        parent=parent,
        description=description.strip(),
    )
    db.session.add(category)
    db.session.flush()
    logger.info("question category %s created", category.id)
    return category


def update_category(
    category: Category, name: str, parent: Category | None, description: str = ""
) -> Category:
    """Rename or move a category; it cannot move below itself.

    :raise BankError: empty or taken name, or a parent inside the category itself.
    """
    ancestor = parent
    while ancestor is not None:
        if ancestor.id == category.id:
            raise BankError(_l("A category cannot be moved inside itself."), "parent_id")
        ancestor = ancestor.parent
    category.name = _check_category_name(name, parent, category)
    category.parent = parent
    category.description = description.strip()
    db.session.flush()
    return category


def category_by_path(path: str, *, create: bool = False) -> Category | None:
    """Return the category at ``path`` (names joined by ``/``, case ignored).

    :param create: create the missing categories of the path instead of returning None.
    :raise BankError: an empty path.
    """
    names = [" ".join(name.split()) for name in path.split("/")]
    if not any(names) or not all(names):
        raise BankError(_l("A category needs a name."), "category")
    return category_by_names(names, create=create)


def category_by_names(names: Sequence[str], *, create: bool = False) -> Category | None:
    """Return the category with these names from the top (case ignored), or None.

    :param create: create the missing categories instead of returning None.
    :raise BankError: a name the bank cannot hold (only when one is created).
    """
    parent = None
    for name in names:
        found = db.session.scalar(
            select(Category).where(
                func.lower(Category.name) == name.lower(),
                Category.parent_id.is_(None) if parent is None else Category.parent_id == parent.id,
            )
        )
        if found is None:
            if not create:
                return None
            found = create_category(name, parent)
        parent = found
    return parent


def delete_category(category: Category) -> None:
    """Delete an empty category.

    :raise BankError: it still holds subcategories or questions (retired ones too: their
        versions may prove past results).
    """
    if category.children or category.questions:
        raise BankError(_l("Only an empty category can be deleted."))
    db.session.delete(category)
    db.session.flush()


def file_category_names(text: str) -> dict[str | None, list[str]]:
    """Return the names each ``$CATEGORY:`` path of a GIFT file leads to, from the top.

    Paths are read with Moodle's rules (:func:`~lms.quizzes.formats.gift.category_names`);
    nothing is looked up or created here.

    :raise QuestionImportError: names the bank cannot hold, with their lines.
    """
    paths: dict[str | None, list[str]] = {None: []}
    problems = []
    for line, path in gift_categories(text):
        names = [" ".join(name.split()) for name in category_names(path or "")]
        problems += [
            Problem(line, "bad-category", message)
            for message in map(_name_problem, names)
            if message is not None
        ]
        paths[path] = names
    if problems:
        raise QuestionImportError(problems)
    return paths


def file_categories(paths: dict[str | None, list[str]], chosen: Category) -> dict:
    """Return the category of each path of :func:`file_category_names`, created if missing.

    A path with no name left (``$CATEGORY:`` alone, ``$course$/top``) means ``chosen``, the
    category the user chose, as do the questions before the first ``$CATEGORY:`` line.
    """
    return {
        path: category_by_names(names, create=True) if names else chosen
        for path, names in paths.items()
    }
