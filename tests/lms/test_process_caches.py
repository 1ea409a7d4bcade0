"""What each process keeps of quizzes and certifications, and when it reads it afresh.

Quiz rules, certification terms and the quizzes modules hold are kept per content version
(:mod:`content.items.fragments`); saving settings or a certification, or placing an item,
bumps the version, so every process reads them afresh. Tests read the version at every
use (``PAGE_CACHE_CHECK_SECONDS = 0``); production within that many seconds.
"""

from __future__ import annotations

import dataclasses
import re
from decimal import Decimal

import pytest

from content.extensions import db
from content.items import operations as items
from content.workflow.operations import transition
from lms.certification import operations as certifications
from lms.courses.modules import quizzes_in_modules
from lms.quizzes.attempts import operations

pytestmark = pytest.mark.db


def test_saved_settings_reach_the_kept_rules(create_quiz):
    quiz = create_quiz(pass_percent=Decimal(60))
    group = quiz.translation_group
    rules = operations.quiz_rules(group)
    assert rules.pass_percent == Decimal(60)
    assert operations.quiz_rules(group) is rules  # kept, not read again
    with pytest.raises(dataclasses.FrozenInstanceError):
        rules.pass_percent = Decimal(0)  # type: ignore[misc]

    settings = operations.quiz_settings(group)
    settings.pass_percent = Decimal(75)
    operations.save_settings(settings, {d.category_id: d.count for d in settings.draws})
    db.session.commit()

    assert operations.quiz_rules(group).pass_percent == Decimal(75)
    assert [(d.category_id, d.count) for d in operations.quiz_rules(group).draws] == [
        (d.category_id, d.count) for d in settings.draws
    ]


def test_a_quiz_without_settings_has_the_default_rules(app):
    rules = operations.quiz_rules("no-such-quiz")
    assert rules.draws == ()
    assert rules.pass_percent == operations.default_settings("no-such-quiz").pass_percent


def test_a_changed_certification_reaches_the_kept_terms(create_quiz):
    exam = create_quiz()
    certification = certifications.create_certification(
        "kept-terms",
        titles={"en": "Basics", "fr": "Bases"},
        module_groups=["m-1"],
        exam_quiz_group=exam.translation_group,
    )
    db.session.commit()
    (terms,) = [t for t in certifications.certification_terms() if t.code == "kept-terms"]
    assert terms.id == certification.id
    assert terms.module_groups == ("m-1",)
    assert terms.title("fr") == "Bases"
    assert terms.title("nl") == "Basics"

    certifications.update_certification(
        certification, module_groups=["m-1", "m-2"], min_score_percent=90
    )
    db.session.commit()

    (terms,) = [t for t in certifications.certification_terms() if t.code == "kept-terms"]
    assert terms.module_groups == ("m-1", "m-2")
    assert terms.min_score_percent == 90


def test_a_quiz_placed_in_a_module_is_known_at_once(create_module, create_quiz, content_admin):
    module = create_module(quizzes=["Toets"])
    (held,) = [child for child in module.children if child.type == "quiz"]
    alone = create_quiz()
    assert held.translation_group in quizzes_in_modules()
    assert alone.translation_group not in quizzes_in_modules()

    placed = items.create_item(module, "quiz", title="Later", body="-", actor=content_admin)
    transition(placed, "publish", actor=content_admin)
    db.session.commit()

    assert placed.translation_group in quizzes_in_modules()


def test_the_quiz_page_shows_saved_settings_and_a_new_revision(
    auth, client, create_quiz, content_admin
):
    """The page's title, instructions and rules are kept; saving either shows at once."""
    auth.login_as(None, locale="nl")
    quiz = create_quiz(pass_percent=Decimal(60), title="Eerste titel")
    url = f"/nl/quizzes/{quiz.translation_group}"
    page = client.get(url).get_data(as_text=True)
    assert "Eerste titel" in page
    assert re.search(r"60\s?%", page)
    assert not re.search(r"75\s?%", page)

    settings = operations.quiz_settings(quiz.translation_group)
    settings.pass_percent = Decimal(75)
    operations.save_settings(settings, {d.category_id: d.count for d in settings.draws})
    db.session.commit()
    assert re.search(r"75\s?%", client.get(url).get_data(as_text=True))

    items.save_revision(
        quiz,
        base_number=quiz.latest_revision_number,
        title="Tweede titel",
        description="",
        body="Nieuwe uitleg.",
        actor=content_admin,
    )
    transition(quiz, "publish", actor=content_admin)
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "Tweede titel" in page
    assert "Nieuwe uitleg." in page
    assert "Eerste titel" not in page


def test_the_draw_pool_follows_every_change_of_the_bank(create_quiz, add_quiz_category):
    """Kept per content version: new, edited (in place), retired and moved questions count."""
    from lms.quizzes.bank import operations as bank
    from lms.quizzes.bank.models import BankQuestion
    from lms.quizzes.bank.pool import draw_pool
    from tests.fixtures.lms_quizzes import single_choice

    quiz = create_quiz()
    (draw,) = operations.quiz_rules(quiz.translation_group).draws
    pool = draw_pool(draw.category_id, "nl")
    assert len(pool) == 3
    assert draw_pool(draw.category_id, "nl") is pool  # kept, not read again
    category = db.session.get(bank.Category, draw.category_id)

    added = bank.create_question(category, "nl", single_choice(7))
    db.session.commit()
    assert [d.version_id for d in draw_pool(draw.category_id, "nl")][-1] == (
        added.current_version.id
    )

    bank.edit_question(added, dataclasses.replace(single_choice(7), mark=Decimal(3)))
    db.session.commit()  # never asked: edited in place, same version id, new mark
    assert draw_pool(draw.category_id, "nl")[-1].mark == Decimal(3)

    bank.retire_question(added)
    db.session.commit()
    assert len(draw_pool(draw.category_id, "nl")) == 3

    first = db.session.scalars(
        BankQuestion.__table__.select().where(BankQuestion.category_id == draw.category_id)
    ).first()
    bank.move_question(db.session.get(BankQuestion, first), add_quiz_category())
    db.session.commit()
    assert len(draw_pool(draw.category_id, "nl")) == 2


def test_the_attempt_pages_show_a_renamed_quiz_at_once(auth, client, create_quiz, content_admin):
    """The attempt page's title is kept per content version; a saved revision shows."""
    auth.login_as(None, locale="nl")
    quiz = create_quiz(title="Eerste titel")
    url = f"/nl/quizzes/{quiz.translation_group}"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url).text).group(1)
    attempt_url = client.post(f"{url}/start", data={"csrf_token": token}).headers["Location"]
    assert re.search(r"<title>[^<]*Eerste titel", client.get(attempt_url).text)

    items.save_revision(
        quiz,
        base_number=quiz.latest_revision_number,
        title="Tweede titel",
        description="",
        body="-",
        actor=content_admin,
    )
    db.session.commit()
    # The draft's title, as before (the sections menu shows the published one).
    assert re.search(r"<title>[^<]*Tweede titel", client.get(attempt_url).text)
