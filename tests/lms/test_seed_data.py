"""The demo training module's data files: complete, valid GIFT, the same exam in four languages.

No database: these tests read ``lms/seed/training/`` the way the installer does.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from lms.quizzes import (
    MatchingQuestion,
    MultipleChoiceQuestion,
    NumericQuestion,
    ShortTextQuestion,
    SingleChoiceQuestion,
    TrueFalseQuestion,
    grade,
    parse_gift,
)
from lms.seed.answers import right_response, wrong_response
from lms.seed.training import TRAINING_DIRECTORY, load, read_text

LANGUAGES = ("nl", "fr", "en", "de")
#: Glossary terms (shared/GLOSSARY.md) each language's lessons must use, exactly.
GLOSSARY = {
    "nl": ["contactopsporing", "hoogrisicocontact", "laagrisicocontact", "rijksregisternummer",
           "belscript", "quarantaineattest", "testvoorschrift", "indexpatiënt", "escaleer",
           "specialist", "supervisor", "gezondheidsinstituut"],
    "fr": ["suivi des contacts", "contact à haut risque", "contact à bas risque",
           "numéro de registre national", "script d'appel", "certificat de quarantaine",
           "prescription de test", "cas index", "escaladez", "spécialiste", "superviseur",
           "institut de santé publique"],
    "en": ["contact tracing", "high-risk contact", "low-risk contact",
           "national register number", "call script", "quarantine certificate",
           "test prescription", "index case", "escalate", "specialist", "supervisor",
           "public-health institute"],
    "de": ["Kontaktnachverfolgung", "Hochrisikokontakt", "Niedrigrisikokontakt",
           "Nationalregisternummer", "Gesprächsleitfaden", "Quarantänebescheinigung",
           "Testverordnung", "Indexfall", "Eskalieren", "Fachkraft", "Supervisor",
           "Gesundheitsinstitut"],
}  # fmt: skip
#: What the quarantine lesson must say before any advice, per language.
NOT_MEDICAL_ADVICE = {
    "nl": "geen medisch advies",
    "fr": "pas un avis médical",
    "en": "not medical advice",
    "de": "keine medizinische Beratung",
}


@pytest.fixture(scope="module")
def module():
    return load()


def words(markdown: str) -> int:
    return len(re.findall(r"\w+", markdown))


def test_every_language_has_the_module_its_lessons_and_the_exam(module):
    assert module.languages == LANGUAGES
    assert module.source_language == "nl"
    for language in LANGUAGES:
        texts = module.texts[language]
        assert 4 <= len(texts.lessons) <= 5
        assert len({lesson.slug for lesson in texts.lessons}) == len(texts.lessons)
        for lesson in texts.lessons:
            assert 150 <= words(lesson.body) <= 330, (language, lesson.slug, words(lesson.body))
        assert texts.module.title
        assert texts.exam.title


@pytest.mark.parametrize("language", LANGUAGES)
def test_lessons_use_the_glossary_terms(module, language):
    lessons = " ".join(lesson.body for lesson in module.texts[language].lessons)
    missing = [term for term in GLOSSARY[language] if term.lower() not in lessons.lower()]
    assert missing == []
    quarantine = module.texts[language].lessons[3].body
    assert NOT_MEDICAL_ADVICE[language] in quarantine.split("\n\n")[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_exam_file_is_valid_gift_with_every_question_type(language):
    text = (TRAINING_DIRECTORY / "contact-tracing-basics" / language / "exam.gift").read_text()
    questions = parse_gift(text)
    assert 12 <= len(questions) <= 15
    assert {q.category for q in questions} == {"Contact tracing basics"}
    kinds = {type(question) for question in questions}
    assert kinds == {
        SingleChoiceQuestion,
        MultipleChoiceQuestion,
        TrueFalseQuestion,
        NumericQuestion,
        ShortTextQuestion,
        MatchingQuestion,
    }
    # partial credit is stated in the file: some multiple-choice options carry a weight
    multiple = [q for q in questions if isinstance(q, MultipleChoiceQuestion)]
    assert all(0 < option.fraction < 1 for q in multiple for option in q.options[:2])


def structure(question) -> tuple:
    """What must be equal in every language: the type, weights, keys; never the wording."""
    if isinstance(question, SingleChoiceQuestion | MultipleChoiceQuestion):
        return (question.kind, tuple(option.fraction for option in question.options))
    if isinstance(question, TrueFalseQuestion):
        return (question.kind, question.answer)
    if isinstance(question, NumericQuestion):
        return (question.kind, tuple((a.value, a.tolerance) for a in question.answers))
    if isinstance(question, MatchingQuestion):
        return (question.kind, len(question.pairs), len(question.distractors))
    return (question.kind, max(answer.fraction for answer in question.answers))


def test_the_four_exams_ask_the_same_questions(module):
    source = [(q.name, structure(q)) for q in module.source.questions]
    for language in LANGUAGES:
        assert [(q.name, structure(q)) for q in module.texts[language].questions] == source
        texts = [q.text for q in module.texts[language].questions]
        assert len(set(texts)) == len(texts)  # no copy-paste left untranslated
    english = {q.text for q in module.texts["en"].questions}
    for language in ("nl", "fr", "de"):
        assert english.isdisjoint(q.text for q in module.texts[language].questions)


@pytest.mark.parametrize("language", LANGUAGES)
def test_answer_key_grades_full_and_zero(module, language):
    for question in module.texts[language].questions:
        assert grade(question, right_response(question)).fraction == 1, question.name
        assert grade(question, wrong_response(question)).fraction == 0, question.name


def test_manifest_states_the_exam_and_certification_rules(module):
    settings = module.exam_settings
    assert settings["pass_mark"] == 80
    assert settings["attempt_limit"] == 3
    assert settings["waiting_minutes"] == 0
    assert settings["time_limit_minutes"] == 20
    assert settings["review_when"] == "immediately"
    assert sum(settings["draws"].values()) <= len(module.question_names)
    assert module.certification["code"] == "contact-tracing-basics"
    assert module.certification["validity_days"] == 365
    assert module.certification["grants"] == "workspace"
    assert set(module.certification["titles"]) == set(LANGUAGES)
    assert Decimal(module.certification["minimum_grade"]) == Decimal(settings["pass_mark"])


def test_a_file_without_front_matter_is_refused_by_name(tmp_path):
    path = tmp_path / "lesson.md"
    path.write_text("# Just a title\n\nBody.\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"lesson\.md: no front matter"):
        read_text(path)
