"""Import questions from Moodle's GIFT format, and export them back.

Supported: ``//`` comment lines, ``::title::``, ``$CATEGORY:`` lines, ``[markdown]``/
``[plain]``/``[moodle]`` text markers, single and multiple choice with ``%weight%``,
true/false, short text, numeric (``#3.14:0.01``, ``#1..5``, several ``=`` answers),
matching (``=a -> b``, ``= -> distractor``), ``#feedback``, ``####general feedback``,
the escapes of :mod:`lms.quizzes.formats.gift_syntax`, multi-line questions and missing-word
questions (the answer block inside the text becomes ``_____``). Refused with a problem:
``[html]`` (the site is Markdown only), essays ``{}``, descriptions (no answer block).
"""

from __future__ import annotations

import re

from content.i18n import _l
from lms.quizzes.formats.gift_answers import Reader, read_answers
from lms.quizzes.formats.gift_export import dump_gift
from lms.quizzes.formats.gift_syntax import CATEGORY, blocks, find, unescape
from lms.quizzes.formats.problems import Problem, QuestionImportError
from lms.quizzes.questions.types import Question

__all__ = ["BLANK", "dump_gift", "parse_gift"]

#: What a missing-word question shows where its answer block was.
BLANK = "_____"
_FORMAT = re.compile(r"\s*\[(markdown|plain|moodle|html)\]", re.IGNORECASE)
#: Moodle's length for a name made from the text of an untitled question.
_NAME_LENGTH = 40


def parse_gift(text: str) -> list[Question]:
    """Return the questions of a GIFT file, in file order.

    :raise QuestionImportError: with every problem found; then nothing is imported.
    """
    problems: list[Problem] = []
    questions: list[Question] = []
    category = None
    for block in blocks(text):
        if block.raw.lstrip().startswith(CATEGORY):
            category = block.raw.lstrip()[len(CATEGORY) :].strip() or None
        elif question := _read_question(Reader(block, problems), category):
            questions.append(question)
    if problems:
        raise QuestionImportError(problems)
    return questions


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
    if marker := _FORMAT.match(raw, position):
        if marker[1].lower() == "html":
            message = _l("HTML text is not supported: the site uses Markdown. Use [markdown].")
            return reader.problem(marker.start(1), "html-not-supported", message)
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
        general_feedback = unescape(body[marks + 4 :]).strip()
        body = body[:marks]
    common = {
        "name": name or " ".join(text.split())[:_NAME_LENGTH].rstrip(),
        "text": text,
        "general_feedback": general_feedback,
        "category": category,
    }
    question = read_answers(reader, body, opening + 1, common)
    return question if text else None
