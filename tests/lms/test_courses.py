"""Learners: catalogue per language, enrolment and prerequisites, lessons, resume, completion."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from content.extensions import db
from lms import signals
from lms.courses import modules
from lms.courses import operations as courses
from lms.courses.models import Enrolment, LessonProgress
from tests.fixtures.web import post_form, translated


def _text(response) -> str:
    return response.get_data(as_text=True)


def _sign_in(auth, user):
    response = auth.login(user.email)
    assert response.status_code == 302


def _lesson_url(module, lesson, lang="nl"):
    return f"/{lang}/learn/modules/{module.id}/lessons/{lesson.id}"


def test_catalogue_lists_the_published_modules_of_the_learners_language(
    auth, client, create_module
):
    create_module(title="Basisopleiding", language="nl")
    create_module(title="Formation de base", language="fr")
    auth.login_as(None)
    dutch = _text(client.get("/nl/learn/"))
    french = _text(client.get("/fr/learn/"))
    assert "Basisopleiding" in dutch
    assert "Formation de base" not in dutch
    assert "Formation de base" in french
    assert "Basisopleiding" not in french


def test_unpublished_module_is_neither_listed_nor_reachable(auth, client, create_module):
    module = create_module(title="Secret module")
    module.live_revision_number = None
    module.state = "private"
    db.session.commit()
    auth.login_as(None)
    assert "Secret module" not in _text(client.get("/nl/learn/"))
    assert client.get(f"/nl/learn/modules/{module.id}").status_code == 404


def test_learner_enrols_reads_lessons_in_order_and_completes_the_module(
    auth, client, create_module, learner
):
    module = create_module(title="Basis", lessons=["Waarom", "Hoe"])
    first, second = module.children
    completed = []

    def receiver(sender, user, module_group):
        completed.append((user.id, module_group))

    signals.module_completed.connect(receiver)
    try:
        _sign_in(auth, learner)
        page = _text(client.get(f"/nl/learn/modules/{module.id}"))
        assert "Waarom" in page
        assert "Hoe" in page
        # Lessons stay closed until the learner enrols.
        assert client.get(_lesson_url(module, first)).status_code == 302
        post_form(client, f"/nl/learn/modules/{module.id}/enrol", {})
        lesson = _text(client.get(_lesson_url(module, first)))
        assert "Text of Waarom." in lesson
        assert translated("nl", "Mark as done and continue") in lesson
        response = post_form(client, _lesson_url(module, first) + "/done", {})
        assert response.location.endswith(_lesson_url(module, second))
        assert completed == []
        response = post_form(client, _lesson_url(module, second) + "/done", {})
        assert response.location.endswith(f"/nl/learn/modules/{module.id}")
    finally:
        signals.module_completed.disconnect(receiver)
    assert completed == [(learner.id, module.translation_group)]
    assert courses.module_completed(learner, module.translation_group)
    assert courses.completed_module_groups(learner) == {module.translation_group}
    assert translated("nl", "Completed") in _text(client.get(f"/nl/learn/modules/{module.id}"))


def test_enrolment_is_refused_until_the_prerequisites_are_completed(
    auth, client, create_module, learner, content_admin
):
    from lms.courses import trainers

    basics = create_module(title="Basis", lessons=["Eén"])
    advanced = create_module(title="Gevorderd")
    trainers.save_settings(
        advanced,
        is_required_order=False,
        is_self_enrolment=True,
        required=[basics.translation_group],
    )
    db.session.commit()
    _sign_in(auth, learner)
    refusal = translated("nl", "Complete these modules first: %(titles)s.", titles="Basis")
    assert refusal in _text(client.get("/nl/learn/"))
    assert refusal in _text(client.get(f"/nl/learn/modules/{advanced.id}"))
    response = post_form(
        client, f"/nl/learn/modules/{advanced.id}/enrol", {}, follow_redirects=True
    )
    assert refusal in _text(response)
    assert courses.enrolment(learner, advanced.translation_group) is None

    courses.enrol(learner, basics.translation_group)
    row = courses.enrolment(learner, basics.translation_group)
    entry = courses.items_with_progress(learner, basics)[0]
    courses.mark_done(learner, row, entry)
    db.session.commit()
    post_form(client, f"/nl/learn/modules/{advanced.id}/enrol", {})
    assert courses.enrolment(learner, advanced.translation_group) is not None


def test_prerequisites_cannot_form_a_circle(create_module):
    from lms.courses import trainers

    first, second = create_module(), create_module()
    trainers.save_settings(
        second, is_required_order=False, is_self_enrolment=True, required=[first.translation_group]
    )
    with pytest.raises(modules.CourseError):
        trainers.save_settings(
            first,
            is_required_order=False,
            is_self_enrolment=True,
            required=[second.translation_group],
        )


def test_lesson_done_in_french_counts_for_the_dutch_module(
    auth, client, create_module, translate_module, learner
):
    dutch = create_module(title="Basis", lessons=["Waarom", "Hoe"])
    french = translate_module(dutch, "fr", titles=["Pourquoi", "Comment"])
    french_first = french.children[0]
    _sign_in(auth, learner)
    post_form(client, f"/fr/learn/modules/{french.id}/enrol", {})
    assert "Pourquoi" in _text(client.get(_lesson_url(french, french_first, "fr")))
    post_form(client, _lesson_url(french, french_first, "fr") + "/done", {})

    dutch_page = _text(client.get(f"/nl/learn/modules/{dutch.id}"))
    # Enrolled once, in every language; the first lesson is done in Dutch too.
    assert translated("nl", "%(done)d of %(total)d done", done=1, total=2) in dutch_page
    done = re.search(r"Waarom</a>.*?<span class=\"state ([\w -]+)\">", dutch_page, re.S)
    assert done
    assert "state-published" in done.group(1)
    dutch_second = dutch.children[1]
    post_form(client, _lesson_url(dutch, dutch_second) + "/done", {})
    assert courses.module_completed(learner, dutch.translation_group)


def test_lessons_of_a_required_order_module_open_one_after_the_other(
    auth, client, create_module, learner
):
    from lms.courses import trainers

    module = create_module(lessons=["Eerst", "Daarna"])
    trainers.save_settings(module, is_required_order=True, is_self_enrolment=True, required=[])
    courses.enrol(learner, module.translation_group)
    db.session.commit()
    _sign_in(auth, learner)
    first, second = module.children
    response = client.get(_lesson_url(module, second), follow_redirects=True)
    assert translated("nl", "Finish “%(title)s” first.", title="Eerst") in _text(response)
    post_form(client, _lesson_url(module, first) + "/done", {})
    assert "Text of Daarna." in _text(client.get(_lesson_url(module, second)))


def test_catalogue_and_module_offer_to_continue_where_the_learner_left_off(
    auth, client, create_module, learner
):
    module = create_module(title="Basis", lessons=["Een", "Twee", "Drie"])
    courses.enrol(learner, module.translation_group)
    db.session.commit()
    _sign_in(auth, learner)
    second = module.children[1]
    client.get(_lesson_url(module, second))
    catalogue = _text(client.get("/nl/learn/"))
    assert translated("nl", "Continue where you left off") in catalogue
    assert translated("nl", "%(done)d of %(total)d done", done=0, total=3) in catalogue
    response = client.get(f"/nl/learn/modules/{module.id}/resume")
    assert response.location.endswith(_lesson_url(module, second))
    post_form(client, _lesson_url(module, second) + "/done", {})
    # Resuming after a lesson done goes on with the next one not done.
    response = client.get(f"/nl/learn/modules/{module.id}/resume")
    assert response.location.endswith(_lesson_url(module, module.children[2]))


def test_time_spent_is_measured_between_page_views_and_capped(
    auth, client, create_module, learner, app
):
    module = create_module(lessons=["Een", "Twee"])
    courses.enrol(learner, module.translation_group)
    db.session.commit()
    _sign_in(auth, learner)
    first, second = module.children
    client.get(_lesson_url(module, first))
    row = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == learner.id))
    row.last_seen_dt = row.last_seen_dt - timedelta(minutes=3)
    db.session.commit()
    client.get(_lesson_url(module, second))
    row = db.session.scalar(db.select(Enrolment).where(Enrolment.user_id == learner.id))
    row.last_seen_dt = row.last_seen_dt - timedelta(hours=5)  # the tab stayed open
    db.session.commit()
    client.get(_lesson_url(module, first))
    db.session.expire_all()
    spent = {
        p.lesson_group: p.seconds_spent
        for p in db.session.scalars(
            db.select(LessonProgress).where(LessonProgress.user_id == learner.id)
        )
    }
    assert 180 <= spent[first.translation_group] < 190
    cap = app.config.get("LMS_VIEW_TIME_CAP_SECONDS", courses.DEFAULT_VIEW_TIME_CAP_SECONDS)
    assert spent[second.translation_group] == cap


def test_module_url_falls_back_to_another_language(app, create_module):
    module = create_module(language="fr")
    with app.test_request_context():
        assert courses.module_url(module.translation_group, "nl") == (
            f"/fr/learn/modules/{module.id}"
        )
        assert courses.module_url("no-such-group", "nl") is None


@pytest.mark.db
def test_enrolling_twice_keeps_one_enrolment(create_module, learner):
    module = create_module()
    first = courses.enrol(learner, module.translation_group)
    again = courses.enrol(learner, module.translation_group)
    db.session.commit()
    assert first.id == again.id
    assert db.session.scalar(db.select(db.func.count(Enrolment.id))) == 1


def test_language_switcher_of_a_lesson_leads_to_the_same_lesson_translated(
    auth, client, create_module, translate_module, learner
):
    dutch = create_module(lessons=["Waarom"])
    french = translate_module(dutch, "fr", titles=["Pourquoi"])
    courses.enrol(learner, dutch.translation_group)
    db.session.commit()
    _sign_in(auth, learner)
    page = _text(client.get(_lesson_url(dutch, dutch.children[0])))
    assert f'href="{_lesson_url(french, french.children[0], "fr")}"' in page


@pytest.mark.db
def test_enrolment_racing_a_parallel_request_keeps_the_first_one(
    create_module, learner, monkeypatch
):
    """A double click: the other request enrolled between our check and our insert."""
    module = create_module()
    first = courses.enrol(learner, module.translation_group)
    db.session.commit()
    real = courses.enrolment
    calls = []

    def not_yet_seen(user, group):
        calls.append(group)
        return None if len(calls) == 1 else real(user, group)

    monkeypatch.setattr(courses, "enrolment", not_yet_seen)
    again = courses.enrol(learner, module.translation_group)
    db.session.commit()
    assert again.id == first.id
    assert db.session.scalar(db.select(db.func.count(Enrolment.id))) == 1


def test_module_without_self_enrolment_waits_for_a_trainer(
    auth, client, create_module, learner, content_admin
):
    from lms.courses import trainers

    module = create_module(title="Op uitnodiging")
    trainers.save_settings(module, is_required_order=False, is_self_enrolment=False, required=[])
    db.session.commit()
    _sign_in(auth, learner)
    assert "A trainer enrols learners in this module." in _text(
        client.get(f"/en/learn/modules/{module.id}")
    )
    post_form(client, f"/nl/learn/modules/{module.id}/enrol", {})
    assert courses.enrolment(learner, module.translation_group) is None
    courses.enrol(learner, module.translation_group, actor=content_admin, cohort="Gent")
    db.session.commit()
    assert courses.enrolment(learner, module.translation_group).cohort == "Gent"
