"""A module is complete once its lessons are done and its quizzes and exam are passed."""

from __future__ import annotations

from decimal import Decimal

from content.extensions import db
from lms import signals
from lms.courses import operations as courses
from lms.quizzes.attempts import operations as quizzes
from tests.fixtures.web import post_form


def _into_module(quiz, module):
    """Put a quiz (created in the language root) at the end of a module."""
    quiz.parent_id = module.id
    quiz.path = f"{module.path}/{quiz.slug}"
    quiz.position = len(module.children)
    db.session.commit()
    db.session.expire_all()
    return quiz


def _finish_lessons(learner, module):
    row = courses.enrol(learner, module.translation_group)
    for entry in courses.items_with_progress(learner, module):
        if not entry.is_quiz:
            courses.mark_done(learner, row, entry)
    db.session.commit()
    return row


def test_passing_the_modules_quiz_completes_it_and_sends_the_signal(
    create_module, create_quiz, learner
):
    module = create_module(lessons=["Een"])
    quiz = _into_module(create_quiz(pass_percent=Decimal(0)), module)
    row = _finish_lessons(learner, module)
    assert row.completed_dt is None  # the quiz is not passed yet
    completed = []

    def receiver(sender, user, module_group):
        completed.append(module_group)

    signals.module_completed.connect(receiver)
    try:
        attempt = quizzes.start_attempt(learner, quiz)
        quizzes.submit_attempt(attempt, {})
        db.session.commit()
    finally:
        signals.module_completed.disconnect(receiver)
    assert completed == [module.translation_group]
    assert courses.module_completed(learner, module.translation_group)


def test_a_failed_quiz_keeps_the_module_open(create_module, create_quiz, learner):
    module = create_module(lessons=["Een"])
    quiz = _into_module(create_quiz(pass_percent=Decimal(50)), module)
    _finish_lessons(learner, module)
    quizzes.submit_attempt(quizzes.start_attempt(learner, quiz), {})
    db.session.commit()
    assert not courses.module_completed(learner, module.translation_group)


def test_the_module_is_complete_only_once_its_exam_is_passed(create_module, create_quiz, learner):
    module = create_module(lessons=["Een"])
    exam = _into_module(create_quiz(is_exam=True, pass_percent=Decimal(0)), module)
    _finish_lessons(learner, module)
    assert not courses.module_completed(learner, module.translation_group)  # lessons only
    quizzes.submit_attempt(quizzes.start_attempt(learner, exam), {})
    db.session.commit()
    assert courses.module_completed(learner, module.translation_group)


def test_module_page_leads_to_the_quiz_and_remembers_it(
    app, auth, client, create_module, create_quiz, learner
):
    module = create_module(lessons=["Een"])
    quiz = _into_module(create_quiz(title="Toets"), module)
    courses.enrol(learner, module.translation_group)
    db.session.commit()
    auth.login(learner.email)
    page = client.get(f"/nl/learn/modules/{module.id}").get_data(as_text=True)
    assert f"/nl/learn/modules/{module.id}/quizzes/{quiz.id}" in page
    response = client.get(f"/nl/learn/modules/{module.id}/quizzes/{quiz.id}")
    with app.test_request_context():
        expected = quizzes.quiz_url(quiz.translation_group, "nl")
    assert response.location == expected
    assert courses.enrolment(learner, module.translation_group).last_item_group == (
        quiz.translation_group
    )
    post_form(client, f"/nl/learn/modules/{module.id}/enrol", {})  # harmless twice
