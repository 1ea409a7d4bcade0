"""Hostile titles, texts, names and cohorts stay harmless on every courses page."""

from __future__ import annotations

import pytest

from content.extensions import db
from content.items import operations as items
from lms.courses import operations as courses
from tests.content.test_xss_routes import page_problems
from tests.content.xss_corpus import PAYLOADS

SAMPLE = dict(list(PAYLOADS.items())[::6])  # a spread of the corpus: every page, many tricks


@pytest.mark.parametrize("payload", list(SAMPLE.values()), ids=list(SAMPLE))
def test_payload_in_module_lesson_name_and_cohort_stays_harmless(
    auth, client, create_module, create_user, content_admin, payload
):
    module = create_module(lessons=["Safe"])
    lesson = module.children[0]
    for item in (module, lesson):
        items.save_revision(
            item,
            base_number=item.latest_revision_number,
            title=payload[:300],
            description=payload[:1000],
            body=payload,
            actor=content_admin,
        )
        item.live_revision_number = item.latest_revision_number  # published as is
    learner = create_user(display_name=payload[:120])
    courses.enrol(learner, module.translation_group, actor=content_admin, cohort=payload[:100])
    db.session.commit()
    trainer = auth.login_as("admin")
    courses.enrol(trainer, module.translation_group)
    db.session.commit()
    base = f"/nl/learn/modules/{module.id}"
    client.get(f"{base}/lessons/{lesson.id}")  # the resume entry of the catalogue
    pages = {
        "catalogue": client.get("/nl/learn/"),
        "module": client.get(base),
        "lesson": client.get(f"{base}/lessons/{lesson.id}"),
        "manage": client.get("/nl/learn/trainer/modules"),
        "settings": client.get(f"/nl/learn/trainer/modules/{module.id}"),
        "enrol": client.get("/nl/learn/trainer/enrol"),
        "progress": client.get("/nl/learn/trainer/progress"),
    }
    problems = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        found = page_problems(response.get_data(as_text=True))
        # The page's own chart and ordering script, one each: anything more came from a payload.
        if name == "progress":
            found.remove("<svg>")
        if name == "settings":
            found.remove("<script>")
        if found:
            problems[name] = found
    assert problems == {}
