"""The demo curriculum's data files: a chain of modules, complete and alike in four languages.

No database: these tests read ``lms/seed/training/`` the way the installer does. The first
module, "Contact tracing: the basics", has its own tests in test_seed_data.py; here every
module of ``curriculum.yaml`` is checked, the four added by issue #20 in detail.
"""

from __future__ import annotations

import itertools
import re

import pytest
from babel.support import Translations

from content import TRANSLATIONS_DIRECTORY
from lms.quizzes import MultipleChoiceQuestion, grade
from lms.seed.answers import right_response, wrong_response
from lms.seed.training import DEMO_MODULE, curriculum, load, read_text
from tests.lms.test_seed_data import structure

LANGUAGES = ("nl", "fr", "en", "de")
CHAIN = (
    "contact-tracing-basics",
    "privacy-and-confidentiality",
    "using-the-workspace",
    "difficult-conversations",
    "callbacks-and-updates",
)
ADDED = CHAIN[1:]
#: Screens and buttons of the platform each module teaches, by their English msgid: the
#: lessons must name them as the interface shows them in each language (compiled catalogs).
INTERFACE = {
    "privacy-and-confidentiality": ["Next call", "Find a ticket"],
    "using-the-workspace": [
        "Call lists", "My calls", "Calls you hold", "Next call", "Why we call",
        "Earlier attempts", "Open the call script",
        "Continue the script", "Release the call", "How did the call end?", "Reached",
        "No answer", "Busy", "Wrong number", "Refused", "Callback requested", "Note",
        "Call back at", "Call back by", "Me", "Any agent", "Save outcome", "Your callbacks",
        "Find a ticket", "Search by", "Reason for the search", "Edit the ticket",
        "Escalate to a specialist",
        "What should the specialist answer or decide?", "My escalations", "Issue a document",
        "Reprint", "Not reached",
    ],
    "difficult-conversations": [
        "Callback requested", "Refused", "Any agent", "Language of the citizen",
        "Escalate to a specialist", "My escalations", "Next call",
    ],
    "callbacks-and-updates": [
        "Find a ticket", "Reason for the search", "Continue the script", "Start the inbound script",
        "Edit the ticket", "Language of the citizen", "open", "in progress", "escalated",
        "closed", "Issue a document", "Reprint", "Escalate to a specialist", "My escalations",
        "Your callbacks", "Next call",
    ],
}  # fmt: skip
#: Terms of shared/GLOSSARY.md every added module's texts use.
GLOSSARY = {
    "nl": ["belscript", "supervisor", "ticket", "specialist"],
    "fr": ["script d'appel", "superviseur", "ticket", "spécialiste"],
    "en": ["call script", "supervisor", "ticket", "specialist"],
    "de": ["Gesprächsleitfaden", "Supervisor", "Ticket", "Fachkraft"],
}
#: What the privacy module must name in each language: the number and the regulation.
PRIVACY_TERMS = {
    "nl": ["rijksregisternummer", "AVG", "Gegevensbeschermingsautoriteit", "auditlogboek"],
    "fr": ["numéro de registre national", "RGPD", "Autorité de protection des données",
           "journal d'audit"],
    "en": ["national register number", "GDPR", "Data Protection Authority", "audit log"],
    "de": ["Nationalregisternummer", "DSGVO", "Datenschutzbehörde", "Prüfprotokoll"],
}  # fmt: skip


def words(markdown: str) -> int:
    """Count the words of the text, images (their alt text and file) left out."""
    return len(re.findall(r"\w+", re.sub(r"!\[[^\]]*\]\([^)]*\)", "", markdown)))


def all_text(module, language: str) -> str:
    texts = module.texts[language]
    return "\n".join(
        [texts.module.body, texts.exam.body, *(lesson.body for lesson in texts.lessons)]
        + [question.text for question in texts.questions]
    )


@pytest.fixture(scope="module")
def modules():
    return {module.name: module for module in curriculum()}


def test_the_curriculum_is_a_chain_that_the_certification_requires(modules):
    assert tuple(modules) == CHAIN
    assert modules[DEMO_MODULE].prerequisites == ()
    for before, after in itertools.pairwise(CHAIN):
        assert modules[after].prerequisites == (before,)
        assert modules[after].certification is None  # one certification, on the basics
    assert tuple(load().certification["modules"]) == CHAIN
    assert load().certification["grants"] == "workspace"


@pytest.mark.parametrize("name", ADDED)
def test_every_language_has_the_module_three_lessons_and_a_test(modules, name):
    module = modules[name]
    assert module.languages == LANGUAGES
    assert module.source_language == "nl"
    for language in LANGUAGES:
        texts = module.texts[language]
        assert len(texts.lessons) == 3
        assert len({lesson.slug for lesson in texts.lessons}) == 3
        for lesson in texts.lessons:
            assert 250 <= words(lesson.body) <= 450, (language, lesson.slug, words(lesson.body))
        assert texts.module.title
        assert texts.exam.title


def test_module_slugs_and_titles_differ_within_each_language(modules):
    for language in LANGUAGES:
        slugs = [module.texts[language].module.slug for module in modules.values()]
        titles = [module.texts[language].module.title for module in modules.values()]
        assert len(set(slugs)) == len(slugs) == len(CHAIN)
        assert len(set(titles)) == len(titles)


@pytest.mark.parametrize("name", ADDED)
def test_the_four_tests_ask_the_same_questions(modules, name):
    module = modules[name]
    source = [(q.name, structure(q)) for q in module.source.questions]
    assert len(source) == 10
    assert {q.category for q in module.source.questions} == {module.category}
    for language in LANGUAGES:
        questions = module.texts[language].questions
        assert [(q.name, structure(q)) for q in questions] == source
        assert {q.category for q in questions} == {module.category}
        texts = [q.text for q in questions]
        assert len(set(texts)) == len(texts)
    english = {q.text for q in module.texts["en"].questions}
    for language in ("nl", "fr", "de"):  # translated, not copied
        assert english.isdisjoint(q.text for q in module.texts[language].questions)
        lessons = {lesson.body for lesson in module.texts[language].lessons}
        assert lessons.isdisjoint(lesson.body for lesson in module.texts["en"].lessons)


def test_question_names_are_unique_across_the_curriculum(modules):
    names = [name for module in modules.values() for name in module.question_names]
    assert len(set(names)) == len(names)
    categories = [module.category for module in modules.values()]
    assert len(set(categories)) == len(categories)


@pytest.mark.parametrize("name", ADDED)
def test_every_test_mixes_question_types_with_feedback(modules, name):
    questions = modules[name].source.questions
    kinds = {question.kind for question in questions}
    assert {"single_choice", "multiple_choice", "true_false", "matching", "short_text"} <= kinds
    multiple = [q for q in questions if isinstance(q, MultipleChoiceQuestion)]
    assert all(0 < option.fraction < 1 for q in multiple for option in q.options[:2])
    for language in LANGUAGES:
        for question in modules[name].texts[language].questions:
            if question.kind in ("single_choice", "multiple_choice"):
                assert all(option.feedback for option in question.options if option.fraction <= 0)


def test_difficult_conversations_asks_scenario_questions(modules):
    scenario = {"nl": "Situatie:", "fr": "Situation :", "en": "Scenario:", "de": "Situation:"}
    for language, word in scenario.items():
        questions = modules["difficult-conversations"].texts[language].questions
        assert sum(q.text.startswith(word) for q in questions) >= 5, language


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ADDED)
def test_answer_key_grades_full_and_zero(modules, name, language):
    for question in modules[name].texts[language].questions:
        assert grade(question, right_response(question)).fraction == 1, question.name
        assert grade(question, wrong_response(question)).fraction == 0, question.name


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", ADDED)
def test_lessons_name_the_screens_as_the_interface_shows_them(modules, name, language):
    catalog = Translations.load(str(TRANSLATIONS_DIRECTORY), [language])
    lessons = " ".join(lesson.body for lesson in modules[name].texts[language].lessons)
    lessons = " ".join(lessons.split())  # a name may wrap across lines
    missing = [msgid for msgid in INTERFACE[name] if f"*{catalog.gettext(msgid)}*" not in lessons]
    assert missing == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_workspace_lessons_show_its_screens_in_their_language(modules, language):
    """The screenshots of tests/e2e/test_seed_screenshots.py, each language its own."""
    texts = modules["using-the-workspace"].texts[language]
    shown = [path for lesson in texts.lessons for path in lesson.media]
    assert [path.name for path in shown] == ["my-calls.png", "call-page.png", "find-a-ticket.png"]
    assert all(path.parent.parent.name == language for path in shown)


def test_a_missing_image_is_refused_by_name(tmp_path):
    path = tmp_path / "lesson.md"
    path.write_text("---\nslug: a\ntitle: A\ndescription: B\n---\n![x](media/nope.png)\n")
    with pytest.raises(ValueError, match=r"lesson\.md: no media/nope\.png"):
        read_text(path)


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_modules_use_the_glossary_terms(modules, language):
    for name in ADDED:
        text = all_text(modules[name], language)
        missing = [term for term in GLOSSARY[language] if term.lower() not in text.lower()]
        assert missing == [], name
    privacy = all_text(modules["privacy-and-confidentiality"], language)
    assert [term for term in PRIVACY_TERMS[language] if term not in privacy] == []


def test_word_counts_per_module_and_language(modules):
    """The figures of docs/lms-seed.md: lessons and module text, per module and language."""
    counts = {
        (name, language): words(module.texts[language].module.body)
        + sum(words(lesson.body) for lesson in module.texts[language].lessons)
        for name, module in modules.items()
        for language in LANGUAGES
    }
    for name in ADDED:
        assert all(1000 <= counts[name, language] <= 1500 for language in LANGUAGES), name
