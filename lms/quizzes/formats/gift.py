"""Import questions from Moodle's GIFT format, and export them back.

Supported: ``//`` comment lines, ``::title::``, ``$CATEGORY:`` lines, ``[markdown]``/
``[plain]``/``[moodle]`` format tags before a question text, an answer or a feedback
(:func:`~lms.quizzes.formats.gift_answers.read_text`), single and multiple choice with ``%weight%``,
true/false, short text, numeric (``#3.14:0.01``, ``#1..5``, several ``=`` answers),
matching (``=a -> b``, ``= -> distractor``), ``#feedback``, ``####general feedback``,
the escapes of :mod:`lms.quizzes.formats.gift_syntax`, multi-line questions and missing-word
questions (the answer block inside the text becomes ``_____``). Refused with a problem:
``[html]`` wherever it stands (the site is Markdown only), essays ``{}``, descriptions (no
answer block).
"""

from __future__ import annotations

import re

from content.i18n import _l
from lms.quizzes.formats.gift_answers import HTML_REFUSED, Reader, read_answers, read_text
from lms.quizzes.formats.gift_export import dump_gift
from lms.quizzes.formats.gift_syntax import CATEGORY, FORMAT_TAG, Block, blocks, find, unescape
from lms.quizzes.formats.problems import Problem, QuestionImportError
from lms.quizzes.questions.types import Question

__all__ = ["BLANK", "category_names", "dump_gift", "gift_categories", "parse_gift"]

#: What a missing-word question shows where its answer block was.
BLANK = "_____"
#: Moodle's length for a name made from the text of an untitled question.
_NAME_LENGTH = 40
#: A slash that separates two names of a category path (``//`` is a slash in a name).
_SLASH = re.compile(r"(?<!/)/(?!/)")
#: The context a Moodle export writes first in a category path (``$course$``).
_CONTEXT = re.compile(r"\$[a-z]+\$")


def parse_gift(text: str) -> list[Question]:
    """Return the questions of a GIFT file, in file order.

    :raise QuestionImportError: with every problem found; then nothing is imported.
    """
    problems: list[Problem] = []
    questions: list[Question] = []
    category = None
    for block in blocks(text):
        if _is_category(block):
            category = _category_path(block)
        elif question := _read_question(Reader(block, problems), category):
            questions.append(question)
    if problems:
        raise QuestionImportError(problems)
    return questions


def _is_category(block: Block) -> bool:
    return block.raw.lstrip().startswith(CATEGORY)


def _category_path(block: Block) -> str | None:
    """The path of a ``$CATEGORY:`` line as written (None for an empty one)."""
    return block.raw.lstrip()[len(CATEGORY) :].strip() or None


def gift_categories(text: str) -> list[tuple[int, str | None]]:
    """Return the ``$CATEGORY:`` lines of a GIFT file as (line number, path), in order.

    The paths are those of :attr:`Question.category <lms.quizzes.questions.types.Question>`
    for the questions below each line.
    """
    return [
        (block.first_line, _category_path(block)) for block in blocks(text) if _is_category(block)
    ]


def category_names(path: str) -> list[str]:
    """Return the category names a ``$CATEGORY:`` path leads to, from the top, as Moodle does.

    Moodle splits the path at single slashes (``//`` is a slash inside a name), drops a
    leading context (``$course$``, ``$system$``, ``$module$``…) and its hidden ``top``
    category, and trims every name: ``$course$/top/Default for X/Quarantine`` is
    ``["Default for X", "Quarantine"]``. Empty names stay, for the caller to refuse.
    """
    if not path.strip():
        return []
    names = [name.replace("//", "/").strip() for name in _SLASH.split(path.strip())]
    if names and _CONTEXT.fullmatch(names[0]):
        names.pop(0)
    while names and names[0] == "top":
        names.pop(0)
    return names


def _read_question(reader: Reader, category: str | None) -> Question | None:
    """Read one block: title, format marker, text and the answer block."""
    raw = reader.block.raw
    position = len(raw) - len(raw.lstrip())
    name = ""
    if raw.startswith("::", position):
        end = find(raw, "::", position + 2)
        if end < 0:
            return reader.problem(position, "unclosed-title", _l("The title has no closing ::."))
        name, position = unescape(raw[position + 2 : end]).strip(), end + 2
    if marker := FORMAT_TAG.match(raw, position):
        if marker[1].lower() == "html":
            return reader.problem(marker.start(1), "html-not-supported", HTML_REFUSED)
        position = marker.end()
    opening = find(raw, "{", position)
    if opening < 0:
        message = _l("Items without answers (descriptions) are not supported.")
        return reader.problem(position, "unsupported-type", message)
    closing = find(raw, "}", opening)
    if closing < 0:
        return reader.problem(opening, "unclosed-answers", _l("The answers have no closing }."))
    strays = (find(raw[:opening], "}", position), find(raw, "{", opening + 1))
    strays += (find(raw, "}", closing + 1),)
    if any(stray >= 0 for stray in strays):
        message = _l("One answer block per question; escape other braces as \\{ and \\}.")
        return reader.problem(min(s for s in strays if s >= 0), "stray-brace", message)
    after = raw[closing + 1 :]
    text = unescape(raw[position:opening])
    text = (text + BLANK + unescape(after) if after.strip() else text).strip()
    if not text:
        reader.problem(position, "missing-text", _l("The question has no text."))
    body = raw[opening + 1 : closing]
    general_feedback = ""
    if (marks := find(body, "####")) >= 0:
        general_feedback = read_text(reader, body[marks + 4 :], opening + 1 + marks + 4)
        body = body[:marks]
    common = {
        "name": name or " ".join(text.split())[:_NAME_LENGTH].rstrip(),
        "text": text,
        "general_feedback": general_feedback,
        "category": category,
    }
    question = read_answers(reader, body, opening + 1, common)
    return question if text else None
