"""``tracing-app lms import-questions|export-questions``: the question bank from files.

:mod:`lms.quizzes.cli` adds these commands to the LMS's command group.
"""

from __future__ import annotations

from collections import Counter

import click
from flask import current_app

from content.extensions import db
from content.i18n import _
from lms.quizzes.bank import operations
from lms.quizzes.formats.problems import QuestionImportError


def _language_option(function):
    return click.option(
        "--language",
        default=None,
        help="Language of the questions (default: the site's default language).",
    )(function)


def _language(language: str | None) -> str:
    language = language or current_app.config["BABEL_DEFAULT_LOCALE"]
    if language not in current_app.config["LANGUAGES"]:
        raise click.BadParameter(
            _("choose one of %(languages)s", languages=", ".join(current_app.config["LANGUAGES"])),
            param_hint="--language",
        )
    return language


@click.command("import-questions")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--category",
    "category_path",
    required=True,
    help="Category path, e.g. 'Exam/Quarantine' (created when missing).",
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice(sorted(operations.IMPORT_FORMATS)),
    default=None,
    help="File format (default: aiken for files ending in .aiken, else gift).",
)
@click.option(
    "--categories-from-file",
    is_flag=True,
    help="Put the questions below a GIFT $CATEGORY: line in that category, as Moodle does "
    "(created when missing); the others go to --category.",
)
@_language_option
def import_command(
    path: str,
    category_path: str,
    file_format: str | None,
    language: str | None,
    categories_from_file: bool,
) -> None:
    """Import every question of a GIFT or Aiken file, or none and list every problem."""
    language = _language(language)
    try:
        with open(path, encoding="utf-8-sig") as file:
            text = file.read()
    except UnicodeDecodeError as error:
        raise click.ClickException(_("The file is not UTF-8 text.")) from error
    file_format = file_format or ("aiken" if path.lower().endswith(".aiken") else "gift")
    try:
        category = operations.category_by_path(category_path, create=True)
        added = operations.import_questions(
            category,
            text,
            file_format=file_format,
            language=language,
            categories_from_file=categories_from_file,
        )
    except QuestionImportError as error:
        db.session.rollback()
        for problem in error.problems:
            click.echo(
                _("line %(line)d: %(message)s", line=problem.line, message=problem.message),
                err=True,
            )
        raise click.ClickException(
            _("%(num)d problem(s); nothing was imported.", num=len(error.problems))
        ) from error
    except operations.BankError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from error
    db.session.commit()
    # One line per category that received questions (several with --categories-from-file).
    counts = Counter(row.category for row in added) or Counter({category: 0})
    for target, num in counts.items():
        click.echo(
            _(
                "%(num)d question(s) imported into %(category)s (%(language)s).",
                num=num,
                category=target.path,
                language=language,
            )
        )


@click.command("export-questions")
@click.option("--category", "category_path", required=True, help="Category path.")
@_language_option
@click.option(
    "--output",
    type=click.File("w", encoding="utf-8"),
    default="-",
    help="File to write (default: standard output).",
)
def export_command(category_path: str, language: str | None, output) -> None:
    """Write a category's current questions in one language as GIFT."""
    language = _language(language)
    try:
        category = operations.category_by_path(category_path)
        if category is None:
            raise click.ClickException(_("No such category: %(path)s", path=category_path))
        output.write(operations.export_category(category, language))
    except operations.BankError as error:
        raise click.ClickException(str(error.message)) from error
