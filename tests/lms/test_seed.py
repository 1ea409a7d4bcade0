"""The demo curriculum installed by ``init --demo``: what a learner and a trainer find.

The installer runs twice in every test: a second ``init --demo`` must change nothing.
"""

from __future__ import annotations

import io
import itertools
import re
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from content.extensions import db
from content.gates import access_denied as gate_reasons
from content.items import operations as items
from content.items.models import ContentItem
from content.media.models import MediaFile
from content.multilingual.operations import translations_of_group
from content.revisions.models import Revision
from lms.certification import operations as certification_operations
from lms.courses import modules
from lms.courses import operations as courses
from lms.courses.models import ModulePrerequisite, ModuleSettings
from lms.quizzes.attempts import operations as quizzes
from lms.quizzes.bank.models import BankQuestion, QuestionVersion
from lms.quizzes.settings.models import QuizDraw, QuizSettings
from lms.seed.answers import right_response, wrong_response
from lms.seed.install import exempt_demo_accounts, install_demo_training
from lms.seed.training import curriculum, load

LANGUAGES = ("nl", "fr", "en", "de")
#: Every table the installer writes to: a second run must leave each count as it was.
COUNTED = (ContentItem, Revision, BankQuestion, QuestionVersion, QuizSettings, QuizDraw,
           ModuleSettings, ModulePrerequisite, MediaFile)  # fmt: skip


def counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


@pytest.fixture
def installed(app):
    """The demo module installed twice, committed; the lines of both runs."""
    first = install_demo_training()
    db.session.commit()
    before = counts()
    second = install_demo_training()
    db.session.commit()
    assert counts() == before
    return first, second


def module_in(language: str, name: str = "contact-tracing-basics") -> ContentItem:
    return items.item_by_path(f"{language}/{load(name).texts[language].module.slug}")


def complete_module(learner, module: ContentItem) -> bool:
    """Enrol (as the learner), read every lesson and pass every quiz; return completion."""
    enrolment = courses.enrol(learner, module.translation_group)
    for entry in modules.module_items(module):
        if entry.is_quiz:
            attempt = quizzes.start_attempt(learner, entry.item)
            responses = {
                row.slot: right_response(quizzes.question_of(row)) for row in attempt.questions
            }
            quizzes.submit_attempt(attempt, responses)
        else:
            courses.mark_done(learner, enrolment, entry)
    db.session.commit()
    return courses.module_completed(learner, module.translation_group)


@pytest.mark.db
def test_second_run_creates_nothing(installed):
    first, second = installed
    assert second == []
    assert any(line.startswith("module") for line in first)
    assert any("certification contact-tracing-basics" in line for line in first)
    # five modules per language: the basics (five lessons and an exam) and four modules of
    # three lessons and a test each; no duplicate anywhere
    assert db.session.scalar(select(func.count()).where(ContentItem.type == "module")) == 5 * 4
    lessons = (5 + 4 * 3) * 4
    assert db.session.scalar(select(func.count()).where(ContentItem.type == "lesson")) == lessons
    assert db.session.scalar(select(func.count()).where(ContentItem.type == "quiz")) == 5 * 4
    assert db.session.scalar(select(func.count()).select_from(ModulePrerequisite)) == 4


def test_french_learner_finds_the_module_with_its_lessons_in_order(installed, create_user):
    catalogue = modules.catalogue("fr")
    assert [revision.title for _module, revision in catalogue] == [  # in site (path) order
        "Appels entrants et mise à jour des tickets",
        "Conversations difficiles",
        "Suivi des contacts : les bases",
        "Travailler dans l'espace d'appels",
        "Vie privée et confidentialité",
    ]
    module = module_in("fr")
    assert module.is_live
    found = modules.module_items(module)
    assert [entry.revision.title for entry in found] == [
        "Ce qu'est le suivi des contacts et pourquoi nous le faisons",
        "Contacts à haut risque et contacts à bas risque",
        "L'appel : présentation, vie privée et identité",
        "Conseils de quarantaine et de test",
        "Appels difficiles et escalade",
        "Examen : suivi des contacts, les bases",
    ]
    assert {entry.item.language for entry in found} == {"fr"}
    assert [entry.is_quiz for entry in found] == [False] * 5 + [True]
    learner = create_user(locale="fr")
    courses.enrol(learner, module.translation_group)  # self-enrolment is open


@pytest.mark.parametrize("name", [module.name for module in curriculum()])
def test_every_item_is_published_and_linked_to_its_dutch_source(installed, name):
    source = module_in("nl", name)
    group = translations_of_group(source.translation_group)
    assert sorted(group) == sorted(LANGUAGES)
    children = len(load(name).source.lessons) + 1  # the lessons and the exam
    for language, module in group.items():
        assert module.is_live
        assert module.parent.is_root
        assert module.language == language
        assert all(child.is_live for child in module.children)
        sources = [child.translation_source_id for child in module.children]
        if language == "nl":
            assert sources == [None] * children
        else:  # no missing and no outdated translation
            assert sources == [child.id for child in source.children]
            assert not module.needs_translation
            assert not any(child.needs_translation for child in module.children)


def test_the_modules_form_a_prerequisite_chain(installed, create_user):
    names = [module.name for module in curriculum()]
    groups = [module_in("nl", name).translation_group for name in names]
    for before, after in itertools.pairwise(groups):
        assert modules.prerequisites(after) == [before]
    assert modules.prerequisites(groups[0]) == []
    learner = create_user(locale="de")
    with pytest.raises(courses.CourseError):  # the second module needs the first
        courses.enrol(learner, groups[1])
    assert complete_module(learner, module_in("de", names[0]))
    courses.enrol(learner, groups[1])  # now open


def test_the_tests_of_the_chain_count_for_completion_not_for_a_certificate(installed):
    for training in curriculum()[1:]:
        quiz = module_in("fr", training.name).children[-1]
        settings = db.session.get(QuizSettings, quiz.translation_group)
        assert not settings.is_exam  # so it must be passed to complete its module
        assert settings.pass_percent == Decimal(80)
        assert settings.attempt_limit is None
        [draw] = settings.draws
        assert draw.count == len(training.question_names) == 10


def test_lesson_pages_are_public_cms_pages_in_their_language(installed, client):
    module = module_in("de")
    lesson = module.children[1]
    response = client.get(f"/{lesson.path}")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Hochrisikokontakte und Niedrigrisikokontakte" in page
    assert "<table" in page  # the Markdown table of the lesson is rendered


@pytest.mark.parametrize("language", LANGUAGES)
def test_workspace_lessons_show_the_screenshots_of_their_language(installed, client, language):
    lesson = module_in(language, "using-the-workspace").children[0]
    page = client.get(f"/{lesson.path}").get_data(as_text=True)
    sources = re.findall(r'<img [^>]*src="(/media/\d+/[^"]+)"', page)
    assert [source.rsplit("/", 1)[1] for source in sources] == ["my-calls.png", "call-page.png"]
    folder = load("using-the-workspace").texts[language].lessons[0].media[0].parent
    for source in sources:
        response = client.get(source)  # public: the lesson is published
        data = response.get_data()
        response.close()  # the file it streamed
        assert response.status_code == 200
        assert response.mimetype == "image/png"
        with (
            Image.open(io.BytesIO(data)) as shown,
            Image.open(folder / source.rsplit("/", 1)[1]) as original,
        ):  # this language's screenshot, pixel for pixel
            assert shown.convert("RGB").tobytes() == original.convert("RGB").tobytes()
    assert "](media/" not in items.live(lesson).body


def test_exam_settings_draws_and_question_bank(installed):
    exam = module_in("en").children[-1]
    settings = db.session.get(QuizSettings, exam.translation_group)
    assert settings.is_exam
    assert settings.pass_percent == Decimal(80)
    assert settings.attempt_limit == 3
    assert settings.wait_minutes == 0
    assert settings.time_limit_minutes == 20
    assert settings.grading_method == "highest"
    assert settings.review_when == "immediately"
    assert settings.review_answers
    assert settings.review_feedback
    [draw] = settings.draws
    assert draw.count == 12
    questions = db.session.scalars(
        select(BankQuestion).where(BankQuestion.category_id == draw.category_id)
    ).all()
    assert len(questions) == 15 * 4
    by_group: dict[str, set[str]] = {}
    for question in questions:
        by_group.setdefault(question.translation_group, set()).add(question.language)
    assert len(by_group) == 15
    assert all(languages == set(LANGUAGES) for languages in by_group.values())


def test_french_attempt_draws_twelve_french_questions(installed, create_user):
    learner = create_user(locale="fr")
    exam = module_in("fr").children[-1]
    attempt = quizzes.start_attempt(learner, exam, seed=4)
    assert len(attempt.questions) == 12
    assert {row.version.question.language for row in attempt.questions} == {"fr"}
    shown = quizzes.public_questions(attempt)
    french = {question.text for question in load().texts["fr"].questions}
    assert all(entry["view"]["text"] in french for entry in shown)


def test_certification_requires_the_module_and_the_exam_and_opens_the_workspace(installed):
    certification = certification_operations.certification_by_code("contact-tracing-basics")
    assert certification.grants_gate == "workspace"
    assert certification.min_score_percent == 80
    assert certification.validity_days == 365
    assert certification.module_groups == [  # the whole chain
        module_in("nl", training.name).translation_group for training in curriculum()
    ]
    assert certification.exam_quiz_group == module_in("nl").children[-1].translation_group
    assert certification.title("fr") == "Suivi des contacts : les bases"
    assert certification.title("de") == "Kontaktnachverfolgung: die Grundlagen"


@pytest.mark.db
def test_init_demo_twice_through_the_command(app, runner, tmp_path, monkeypatch):
    # init writes a secret key into the instance folder: keep the session's app untouched
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.setitem(app.config, "SECRET_KEY", app.config["SECRET_KEY"])
    first = runner.invoke(args=["init", "--demo"])
    assert first.exit_code == 0, first.output
    assert "certification contact-tracing-basics" in first.output
    before = counts()
    second = runner.invoke(args=["init", "--demo"])
    assert second.exit_code == 0, second.output
    assert "contact-tracing-basics" not in second.output
    assert counts() == before


@pytest.mark.db
def test_the_whole_chain_and_the_exam_issue_the_certificate_that_opens_the_workspace(
    app, installed, create_user
):
    def access_denied(user, gate):
        with app.test_request_context("/nl/"):  # the refusal links to the training
            return gate_reasons(user, gate)

    learner = create_user(locale="nl", roles=["agent"])
    assert access_denied(learner, "workspace")  # closed before the training
    module = module_in("nl")
    enrolment = courses.enrol(learner, module.translation_group)
    found = modules.module_items(module)
    completed = [courses.mark_done(learner, enrolment, entry) for entry in found[:-1]]
    assert completed == [False] * 5  # the module is complete once its exam is passed
    exam = found[-1].item

    def take(answer) -> None:
        attempt = quizzes.start_attempt(learner, exam)
        responses = {row.slot: answer(quizzes.question_of(row)) for row in attempt.questions}
        quizzes.submit_attempt(attempt, responses)
        db.session.commit()

    take(wrong_response)
    assert certification_operations.valid_certificate(learner, "contact-tracing-basics") is None
    assert access_denied(learner, "workspace")
    assert not courses.module_completed(learner, module.translation_group)
    take(right_response)
    assert courses.module_completed(learner, module.translation_group)
    # the exam is passed, but the rest of the chain is not done: still closed
    assert certification_operations.valid_certificate(learner, "contact-tracing-basics") is None
    assert access_denied(learner, "workspace")
    for training in curriculum()[1:]:
        assert complete_module(learner, module_in("nl", training.name))
    certificate = certification_operations.valid_certificate(learner, "contact-tracing-basics")
    assert certificate is not None
    assert certificate.exam_grade == Decimal(100)
    assert access_denied(learner, "workspace") == []


def test_demo_agents_can_be_exempted_once(app, installed, create_user):
    agent = create_user(email="demo-agent@example.org", roles=["agent"], locale="fr")
    with app.test_request_context("/fr/"):
        assert gate_reasons(agent, "workspace")
    emails = ["demo-agent@example.org", "nobody@example.org"]
    assert exempt_demo_accounts(emails) == [
        "exemption contact-tracing-basics for demo-agent@example.org"
    ]
    db.session.commit()
    assert exempt_demo_accounts(emails) == []  # already holds a valid certificate
    certificate = certification_operations.valid_certificate(agent, "contact-tracing-basics")
    assert certificate.is_exempt
    assert certificate.exemption_reason == "Demo account (init --demo)"
    with app.test_request_context("/fr/"):
        assert gate_reasons(agent, "workspace") == []
