"""Learners' progress kept per process for repeat lesson views (issue #14).

Two app instances on one database stand for two hosts. A learner's own action shows at
their next request on the host that made it; a change made on another host shows within
``LMS_PROGRESS_CHECK_SECONDS``; an entry is only ever answered for its own learner; every
kind of write to enrolments and lesson progress stamps the learner's change row.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import delete, insert, select, update

from content.auth.models import User, utcnow
from content.extensions import db
from lms.courses import operations as courses
from lms.courses.kept_progress import KeptEnrolment, kept_progress
from lms.courses.models import Enrolment, LessonProgress, ProgressChange
from tests.fixtures.settings import TEST_CONFIG
from tests.fixtures.web import AuthActions, post_form, translated
from tracing_app import create_app

pytestmark = pytest.mark.db


def _lesson_url(module, lesson):
    return f"/nl/learn/modules/{module.id}/lessons/{lesson.id}"


def _shows_done(client, module, lesson) -> bool:
    response = client.get(_lesson_url(module, lesson))
    assert response.status_code == 200, response.location
    return translated("nl", "Done") in response.get_data(as_text=True)


@pytest.fixture
def other_host(app):
    """A second app on the same database: another host, with its own kept progress."""
    keys = ("SQLALCHEMY_DATABASE_URI", "SQLALCHEMY_ENGINE_OPTIONS", "INSTANCE_PATH")
    other = create_app({**TEST_CONFIG, **{key: app.config[key] for key in keys}})
    yield other
    with other.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def learning(auth, client, create_module, monkeypatch):
    """An enrolled, signed-in learner who opened the first lesson twice (now kept)."""
    module = create_module(lessons=["Een", "Twee"])
    learner = auth.login_as(None, locale="nl")
    courses.enrol(learner, module.translation_group)
    db.session.commit()
    # Only a commit here makes this host look before the hour is out.
    monkeypatch.setattr(kept_progress(), "check_seconds", 3600)
    first = module.children[0]
    assert not _shows_done(client, module, first)  # the view recorded
    assert not _shows_done(client, module, first)  # read after the record, kept
    return module, learner, first


def _kept(learner, module) -> KeptEnrolment | None:
    found = kept_progress()._learners.get(learner.id, {})
    return found.get(module.translation_group)


def test_the_learners_own_mark_as_done_shows_at_their_next_request(learning, client):
    module, _learner, first = learning
    response = post_form(client, _lesson_url(module, first) + "/done", {})
    assert response.status_code == 302
    assert _shows_done(client, module, first)


def test_a_change_on_another_host_shows_within_the_check_interval(
    app, learning, client, other_host
):
    module, learner, first = learning
    # Nothing of this host's session is used over there (it would bind to that engine).
    (entry,) = [e for e in courses.module_items(module) if e.item.id == first.id]
    enrolment_id, learner_id = _enrolment_id(learner), learner.id
    with other_host.app_context():
        row = db.session.get(Enrolment, enrolment_id)
        courses.mark_done(db.session.get(User, learner_id), row, entry)
        db.session.commit()
    # This host has not looked yet: the kept marks are at most the interval old.
    assert not _shows_done(client, module, first)
    kept_progress().check_seconds = 0.05
    time.sleep(0.06)
    assert _shows_done(client, module, first)


def test_an_enrolment_removed_on_another_host_closes_the_lesson(learning, client, other_host):
    module, learner, first = learning
    learner_id = learner.id
    with other_host.app_context():
        db.session.execute(delete(Enrolment).where(Enrolment.user_id == learner_id))
        db.session.commit()
    kept_progress().check_seconds = 0
    response = client.get(_lesson_url(module, first))
    assert response.status_code == 302
    assert response.location.endswith(f"/learn/modules/{module.id}")


def test_no_learner_is_answered_with_another_learners_progress(app, learning, client, create_user):
    module, learner, first = learning
    post_form(client, _lesson_url(module, first) + "/done", {})
    assert _shows_done(client, module, first)
    assert _shows_done(client, module, first)  # kept, done

    other_client = app.test_client()
    other = AuthActions(other_client, create_user).login_as(None, locale="nl")
    courses.enrol(other, module.translation_group)
    db.session.commit()
    for _ in range(3):
        assert not _shows_done(other_client, module, first)
    assert _shows_done(client, module, first)
    assert _kept(other, module).done == frozenset()
    assert _kept(learner, module).done == {first.translation_group}


def test_what_was_read_before_a_change_seen_meanwhile_is_not_kept(learning, other_host):
    module, learner, first = learning
    kept = kept_progress()
    kept.check_seconds = 0
    read_after = kept.reading()
    stale = KeptEnrolment((first.translation_group,), None, None, frozenset())
    learner_id = learner.id
    with other_host.app_context():
        db.session.execute(
            update(Enrolment).where(Enrolment.user_id == learner_id).values(cohort="B")
        )
        db.session.commit()
    assert kept.get(learner.id, module.translation_group, ()) is None  # looked: forgotten
    kept.put(learner.id, module.translation_group, stale, read_after)
    assert _kept(learner, module) is None


def _enrolment_id(learner) -> int:
    return db.session.scalar(select(Enrolment.id).where(Enrolment.user_id == learner.id))


def _stamp(user_id: int) -> int | None:
    db.session.rollback()
    return db.session.scalar(select(ProgressChange.stamp).where(ProgressChange.user_id == user_id))


def test_every_write_to_enrolments_or_progress_stamps_the_learner(learner, create_module):
    """Triggers on both tables (a batch rebuild of either on SQLite would drop them)."""
    module = create_module(lessons=["Een"])
    group = module.children[0].translation_group
    writes = [
        lambda: courses.enrol(learner, module.translation_group),
        lambda: db.session.execute(
            insert(LessonProgress).values(user_id=learner.id, lesson_group=group)
        ),
        lambda: db.session.execute(
            update(LessonProgress)
            .where(LessonProgress.user_id == learner.id)
            .values(completed_dt=utcnow())
        ),
        lambda: db.session.execute(
            update(Enrolment).where(Enrolment.user_id == learner.id).values(cohort="A")
        ),
        lambda: db.session.execute(
            delete(LessonProgress).where(LessonProgress.user_id == learner.id)
        ),
        lambda: db.session.execute(delete(Enrolment).where(Enrolment.user_id == learner.id)),
    ]
    before = _stamp(learner.id)
    for write in writes:
        write()
        db.session.commit()
        after = _stamp(learner.id)
        assert after is not None
        assert before is None or after > before
        before = after


def test_a_deleted_account_stamps_its_learner(learner, create_module):
    module = create_module(lessons=["Een"])
    courses.enrol(learner, module.translation_group)
    db.session.commit()
    before = _stamp(learner.id)
    db.session.execute(delete(User).where(User.id == learner.id))  # cascades to enrolments
    db.session.commit()
    assert _stamp(learner.id) > before
