"""Rules of the question bank: categories, questions, versions, translations, import.

Operations flush but never commit: the view or command commits once at the edge.

Versioning rule: a version that an attempt has used (a row of ``lms_attempt_questions``
refers to it) is never changed again; editing such a question adds a new version.
A version no attempt has used yet is updated in place, so that authors polishing a
question do not pile up versions nobody ever saw.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import replace

from flask import current_app
from sqlalchemy import select

from content.auth.models import User, utcnow
from content.extensions import db
from content.i18n import _l
from lms.quizzes.bank.categories import (
    category_by_path,
    create_category,
    delete_category,
    file_categories,
    file_category_names,
    update_category,
)
from lms.quizzes.bank.errors import BankError
from lms.quizzes.bank.models import BankQuestion, Category, QuestionVersion, new_translation_group
from lms.quizzes.bank.queries import current_versions, load_question
from lms.quizzes.formats.aiken import parse_aiken
from lms.quizzes.formats.gift import dump_gift, parse_gift
from lms.quizzes.formats.problems import QuestionImportError
from lms.quizzes.questions.serialize import question_to_json
from lms.quizzes.questions.types import Question

# Categories live in categories.py; these names are part of this module's interface too.
__all__ = [
    "IMPORT_FORMATS",
    "BankError",
    "category_by_path",
    "create_category",
    "create_question",
    "delete_category",
    "edit_question",
    "export_category",
    "fingerprint",
    "import_questions",
    "retire_question",
    "translate_question",
    "update_category",
    "version_used",
]

logger = logging.getLogger(__name__)

#: Import formats and their parsers; each raises QuestionImportError with every problem.
IMPORT_FORMATS = {"gift": parse_gift, "aiken": parse_aiken}


# Questions and versions -------------------------------------------------------------------


def _spec(question: Question) -> dict:
    # The bank category is the row's; a GIFT $CATEGORY path in the dataclass would only
    # drift from it.
    return question_to_json(replace(question, category=None))


def _new_version(
    bank_question: BankQuestion, question: Question, user: User | None
) -> QuestionVersion:
    number = (bank_question.current_version.number + 1) if bank_question.versions else 1
    version = QuestionVersion(
        question=bank_question,
        number=number,
        kind=question.kind,
        name=question.name[:255],
        spec_json=json.dumps(_spec(question), ensure_ascii=False),
        created_by=user,
    )
    db.session.add(version)
    return version


def _check_language(language: str) -> None:
    if language not in current_app.config["LANGUAGES"]:
        raise BankError(_l("This language is not one of the site's languages."), "language")


def create_question(
    category: Category,
    language: str,
    question: Question,
    user: User | None = None,
    *,
    translation_group: str | None = None,
) -> BankQuestion:
    """Add a question in ``language`` to ``category``, with its first version.

    :param translation_group: join an existing group as a translation (see
        :func:`translate_question`); a new group by default.
    :raise BankError: unknown language, or the group already has this language.
    """
    _check_language(language)
    group = translation_group or new_translation_group()
    taken = select(BankQuestion.id).where(
        BankQuestion.translation_group == group, BankQuestion.language == language
    )
    if db.session.scalar(taken) is not None:
        raise BankError(_l("This question already exists in this language."), "language")
    bank_question = BankQuestion(category=category, language=language, translation_group=group)
    db.session.add(bank_question)
    _new_version(bank_question, question, user)
    db.session.flush()
    return bank_question


def version_used(version: QuestionVersion) -> bool:
    """Whether an attempt asked this version (then it must never change).

    Reads ``lms_attempt_questions`` when the attempts' tables are known; without them
    every version counts as used, so editing always adds a version (the safe side).
    """
    # The attempts' models (same package) declare the table; imported here, late,
    # because the bank must also work where they are not installed.
    with contextlib.suppress(ImportError):
        from lms.quizzes.attempts import models  # noqa: F401
    table = db.metadata.tables.get("lms_attempt_questions")
    if table is None or version.id is None:
        return version.id is not None
    used = select(table.c.id).where(table.c.question_version_id == version.id).limit(1)
    return db.session.execute(used).first() is not None


def fingerprint(version: QuestionVersion) -> str:
    """Return what identifies a version's content as an author saw it (for the editor)."""
    digest = hashlib.sha256(version.spec_json.encode()).hexdigest()[:16]
    return f"{version.id}:{digest}"


def edit_question(
    bank_question: BankQuestion,
    question: Question,
    user: User | None = None,
    *,
    base: str | None = None,
) -> QuestionVersion:
    """Save new content: a new version when attempts used the current one, else in place.

    Saving the same content again changes nothing.

    :param base: the :func:`fingerprint` of the version the author started from; when
        given and the current version differs, someone else saved in between.
    :raise BankError: the question changed since ``base`` (nothing saved).
    """
    current = bank_question.current_version
    if base is not None and current is not None and base != fingerprint(current):
        raise BankError(
            _l(
                "Someone else saved this question while you were editing it. Your text is "
                "kept below: open the question again in another tab to compare, then save."
            )
        )
    spec_json = json.dumps(_spec(question), ensure_ascii=False)
    if current is not None and current.spec_json == spec_json:
        return current
    if current is None or version_used(current):
        version = _new_version(bank_question, question, user)
    else:
        version = current
        version.kind, version.name, version.spec_json = (
            question.kind,
            question.name[:255],
            spec_json,
        )
        version.created_by, version.created_dt = user, utcnow()
    db.session.flush()
    return version


def restore_version(version: QuestionVersion, user: User | None = None) -> QuestionVersion:
    """Make an older version's content current again (by :func:`edit_question`)."""
    return edit_question(version.question, load_question(version), user)


def translate_question(
    bank_question: BankQuestion, language: str, user: User | None = None
) -> BankQuestion:
    """Start the ``language`` translation of a question: a copy of its current content.

    The copy is linked by the translation group and lives in the same category; the
    author then translates its texts in the editor.

    :raise BankError: unknown language or a translation that already exists.
    """
    return create_question(
        bank_question.category,
        language,
        load_question(bank_question.current_version),
        user,
        translation_group=bank_question.translation_group,
    )


def translations(bank_question: BankQuestion) -> dict[str, BankQuestion]:
    """Return every language of the question's translation group, by language."""
    rows = db.session.scalars(
        select(BankQuestion).where(
            BankQuestion.translation_group == bank_question.translation_group
        )
    )
    return {row.language: row for row in rows}


def move_question(bank_question: BankQuestion, category: Category) -> None:
    """Move a question, with all its translations, to another category."""
    for row in translations(bank_question).values():
        row.category = category
    db.session.flush()


def retire_question(bank_question: BankQuestion, retired: bool = True) -> None:
    """Take a question (all its languages) out of new draws, or bring it back.

    Retired questions stay in the bank: their versions prove the results of attempts.
    """
    for row in translations(bank_question).values():
        row.retired_dt = utcnow() if retired else None
    db.session.flush()


# Import and export -----------------------------------------------------------------------


def import_questions(
    category: Category,
    text: str,
    *,
    file_format: str = "gift",
    language: str,
    user: User | None = None,
    categories_from_file: bool = False,
) -> list[BankQuestion]:
    """Add every question of a GIFT or Aiken file to ``category``, or none.

    The parsers read the whole file and raise with every problem; only a file without
    any problem adds questions (each a new translation group in ``language``).

    :param categories_from_file: as Moodle's "Get category from file": the questions
        below a GIFT ``$CATEGORY:`` line go to that category (created when missing), the
        others to ``category``. Otherwise ``category`` takes them all.
    :raise QuestionImportError: the file's problems, by line; nothing was added.
    :raise BankError: unknown format or language.
    """
    if file_format not in IMPORT_FORMATS:
        raise BankError(_l("Unknown file format."), "file_format")
    _check_language(language)
    # Every problem at once: the file's, then (when asked) its categories', by line.
    problems, questions, paths = [], [], {}
    try:
        questions = IMPORT_FORMATS[file_format](text)
    except QuestionImportError as error:
        problems += error.problems
    if categories_from_file and file_format == "gift":
        try:
            paths = file_category_names(text)
        except QuestionImportError as error:
            problems += error.problems
    if problems:
        raise QuestionImportError(problems)
    targets = file_categories(paths, category)
    added = [
        create_question(targets.get(question.category, category), language, question, user)
        for question in questions
    ]
    logger.info(
        "%d question(s) imported into %d categories (%s)",
        len(added),
        len({row.category_id for row in added}),
        file_format,
    )
    return added


def export_category(category: Category, language: str) -> str:
    """Return the current version of the category's questions in ``language`` as GIFT.

    Only questions that exist in ``language`` (no fallback: a file is in one language, and
    importing it back must not label Dutch text as German); retired ones are left out.

    :raise BankError: a question GIFT cannot express (GIFT's own limits).
    """
    questions: Sequence[Question] = [
        replace(load_question(version), category=category.path)
        for version in current_versions(category.id, language)
        if version.question.language == language
    ]
    try:
        return dump_gift(questions)
    except ValueError as error:
        raise BankError(
            _l("A question cannot be written in GIFT: %(reason)s", reason=str(error))
        ) from error
