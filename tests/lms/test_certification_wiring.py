"""Certification with the real courses and quizzes: a module done and an exam passed."""

from __future__ import annotations

import pytest

from content.extensions import db
from lms.certification import operations
from lms.courses import operations as courses
from lms.quizzes.attempts import operations as quizzes
from tests.fixtures.lms_certification import expire


def _answers(attempt, *, right: bool) -> dict:
    responses = {}
    for attempt_question in attempt.questions:
        question = quizzes.question_of(attempt_question)
        options = [o for o in question.options if (o.fraction == 1) == right]
        responses[attempt_question.slot] = options[0].id
    return responses


@pytest.fixture
def training(create_module, create_quiz):
    """A one-lesson module and a separate exam, and the certification requiring both."""
    module = create_module(lessons=["Why we trace"])
    exam = create_quiz(title="Exam", attempt_limit=2, wait_minutes=0, is_exam=True)
    certification = operations.create_certification(
        "basics",
        titles={"en": "Basics"},
        module_groups=[module.translation_group],
        exam_quiz_group=exam.translation_group,
        min_score_percent=80,
        grants_gate="workspace",
    )
    db.session.commit()
    return module, exam, certification


def _take_exam(learner, exam, *, right: bool):
    attempt = quizzes.start_attempt(learner, exam)
    quizzes.submit_attempt(attempt, _answers(attempt, right=right))
    return attempt


@pytest.mark.db
def test_the_module_and_the_exam_issue_the_certificate_with_its_exam_version(training, create_user):
    module, exam, certification = training
    learner = create_user(locale="nl")
    row = courses.enrol(learner, module.translation_group)
    (lesson,) = courses.module_items(module)
    courses.mark_done(learner, row, lesson)
    assert operations.user_certificates(learner) == []
    _take_exam(learner, exam, right=False)
    assert operations.user_certificates(learner) == []
    attempt = _take_exam(learner, exam, right=True)
    db.session.commit()
    certificate = operations.valid_certificate(learner, certification.code)
    assert certificate is not None
    assert certificate.exam_attempt_id == attempt.id
    assert certificate.exam_grade == 100
    versions = [str(q.question_version_id) for q in attempt.questions]
    assert certificate.exam_question_versions == ",".join(versions)
    assert operations.exam_version(certificate) == f"A{attempt.id}-Q" + ".".join(versions)


def test_a_retake_archives_the_real_attempts(training, create_user):
    module, exam, certification = training
    learner = create_user()
    row = courses.enrol(learner, module.translation_group)
    (lesson,) = courses.module_items(module)
    courses.mark_done(learner, row, lesson)
    _take_exam(learner, exam, right=True)
    _take_exam(learner, exam, right=False)  # the limit of 2 attempts is now reached
    certificate = operations.valid_certificate(learner, certification.code)
    expire(certificate)
    operations.start_recertification(certificate, actor=learner)
    assert quizzes.quiz_grade(learner, exam.translation_group) is None
    assert quizzes.current_attempts(learner, exam.translation_group) == []
    _take_exam(learner, exam, right=True)
    assert operations.valid_certificate(learner, certification.code) is not None


@pytest.mark.db
def test_the_exams_result_page_links_to_the_certificate_it_issued(
    training, create_user, auth, client
):
    module, exam, certification = training
    learner = create_user(locale="nl")
    row = courses.enrol(learner, module.translation_group)
    (lesson,) = courses.module_items(module)
    courses.mark_done(learner, row, lesson)
    failed = _take_exam(learner, exam, right=False)
    passed = _take_exam(learner, exam, right=True)
    db.session.commit()
    certificate = operations.valid_certificate(learner, certification.code)
    auth.login(learner.email)
    page = client.get(f"/nl/quizzes/attempts/{passed.id}/review").get_data(as_text=True)
    assert f"/nl/certificates/{certificate.id}/certificate.pdf" in page
    assert "/nl/certificates/" in page
    earlier = client.get(f"/nl/quizzes/attempts/{failed.id}/review").get_data(as_text=True)
    assert "certificate.pdf" not in earlier
