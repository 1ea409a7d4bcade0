"""Trainers: enrolment by e-mail, progress page and CSV with filters, settings, ordering."""

from __future__ import annotations

import csv
import io
import re

from content.extensions import db
from lms.courses import modules
from lms.courses import operations as courses
from tests.fixtures.web import csrf_token, post_form, translated


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_trainer_enrols_several_learners_at_once_as_a_cohort(
    auth, client, create_module, create_user
):
    module = create_module(title="Basis")
    ann = create_user(email="ann@example.org")
    bob = create_user(email="bob@example.org")
    auth.login_as("trainer")
    response = post_form(
        client,
        "/en/learn/trainer/enrol",
        {
            "module": module.translation_group,
            "emails": "ann@example.org,\n BOB@example.org",
            "cohort": "Gent december",
        },
        follow_redirects=True,
    )
    assert "2 learners enrolled." in _text(response)
    for user in (ann, bob):
        row = courses.enrolment(user, module.translation_group)
        assert row.cohort == "Gent december"
        assert row.enrolled_by_id == auth.user.id


def test_one_unknown_address_enrols_nobody_and_says_which(auth, client, create_module, create_user):
    module = create_module()
    ann = create_user(email="ann@example.org")
    auth.login_as("trainer")
    response = post_form(
        client,
        "/en/learn/trainer/enrol",
        {"module": module.translation_group, "emails": "ann@example.org nobody@example.org"},
    )
    assert response.status_code == 400
    page = _text(response)
    assert "No active account has the address nobody@example.org." in page
    assert "ann@example.org nobody@example.org" in page  # the input is kept
    assert courses.enrolment(ann, module.translation_group) is None


def _progress_setup(create_module, create_user, content_admin):
    module = create_module(title="Basis", lessons=["Een", "Twee"])
    dutch = create_user(email="nl@example.org", locale="nl", display_name="Nora")
    french = create_user(email="fr@example.org", locale="fr", display_name="Fanny")
    courses.enrol(dutch, module.translation_group, actor=content_admin, cohort="A")
    courses.enrol(french, module.translation_group, actor=content_admin, cohort="B")
    row = courses.enrolment(dutch, module.translation_group)
    for entry in courses.items_with_progress(dutch, module):
        courses.mark_done(dutch, row, entry)
    db.session.commit()
    return module


def test_progress_page_shows_learners_by_module_with_filters_and_a_chart(
    auth, client, create_module, create_user, content_admin
):
    _progress_setup(create_module, create_user, content_admin)
    auth.login_as("trainer")
    page = _text(client.get("/en/learn/trainer/progress"))
    assert "Nora" in page
    assert "Fanny" in page
    assert "2 of 2 done" in page
    assert "0 of 2 done" in page
    # The chart (inline SVG) and its table: one of the two enrolled completed the module.
    assert re.search(r"<svg role=\"img\"", page)
    assert "50% (1/2)" in page  # English: no space before the sign (nl, fr, de: 50 %)
    assert re.search(r"<th scope=\"row\">Basis</th><td>2</td><td>1</td>", page)

    french_only = _text(client.get("/en/learn/trainer/progress?language=fr"))
    assert "Fanny" in french_only
    assert "Nora" not in french_only
    cohort_a = _text(client.get("/en/learn/trainer/progress?cohort=A"))
    assert "Nora" in cohort_a
    assert "Fanny" not in cohort_a


def test_progress_csv_has_the_same_filters(auth, client, create_module, create_user, content_admin):
    _progress_setup(create_module, create_user, content_admin)
    auth.login_as("trainer")
    response = client.get("/en/learn/trainer/progress.csv?cohort=A")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(_text(response))))
    assert [(r["email"], r["module"], r["items_done"], r["percent"]) for r in rows] == [
        ("nl@example.org", "Basis", "2", "100")
    ]
    assert rows[0]["completed"]
    everyone = list(
        csv.DictReader(io.StringIO(_text(client.get("/en/learn/trainer/progress.csv"))))
    )
    assert {r["email"] for r in everyone} == {"nl@example.org", "fr@example.org"}


def test_csv_cells_cannot_run_as_formulas(auth, client, create_module, create_user, content_admin):
    module = create_module()
    user = create_user(display_name="=HYPERLINK(1)")
    courses.enrol(user, module.translation_group, actor=content_admin)
    db.session.commit()
    auth.login_as("trainer")
    rows = list(csv.DictReader(io.StringIO(_text(client.get("/en/learn/trainer/progress.csv")))))
    assert rows[0]["name"] == "'=HYPERLINK(1)"


def test_trainer_saves_settings_and_prerequisites(auth, client, create_module):
    basics = create_module(title="Basis")
    advanced = create_module(title="Gevorderd")
    auth.login_as("trainer")
    url = f"/nl/learn/trainer/modules/{advanced.id}"
    assert "Basis" in _text(client.get(url))
    response = post_form(
        client, url, {"is_required_order": "y", "prerequisites": basics.translation_group}
    )
    assert response.status_code == 302
    settings = modules.settings_of(advanced.translation_group)
    assert settings.is_required_order
    assert not settings.is_self_enrolment
    assert modules.prerequisites(advanced.translation_group) == [basics.translation_group]


def test_move_buttons_reorder_the_module_in_every_language(
    auth, client, create_module, translate_module
):
    module = create_module(lessons=["Een", "Twee", "Drie"])
    french = translate_module(module, "fr", titles=["Un", "Deux", "Trois"])
    third = module.children[2]
    auth.login_as("trainer")
    post_form(
        client, f"/nl/learn/trainer/modules/{module.id}/items/{third.id}/move", {"offset": "-1"}
    )
    db.session.expire_all()
    assert [c.title for c in _titles(module)] == ["Een", "Drie", "Twee"]
    assert [c.title for c in _titles(french)] == ["Un", "Trois", "Deux"]


def _titles(module):
    from content.items import operations as items

    return [items.latest(child) for child in sorted(module.children, key=lambda c: c.position)]


def test_drag_and_drop_order_is_saved_and_checked(auth, client, create_module):
    module = create_module(lessons=["Een", "Twee"])
    first, second = module.children
    auth.login_as("trainer")
    url = f"/nl/learn/trainer/modules/{module.id}/order"
    token = csrf_token(client)
    response = client.post(url, data={"csrf_token": token, "order": f"{second.id},{first.id}"})
    assert response.status_code == 200
    assert response.json["message"] == translated("nl", "The new order is saved.")
    db.session.expire_all()
    assert [c.title for c in _titles(module)] == ["Twee", "Een"]
    response = client.post(url, data={"csrf_token": token, "order": f"{second.id}"})
    assert response.status_code == 400


def test_trainer_writes_a_lesson_in_a_module(auth, client, create_module):
    module = create_module()
    auth.login_as("trainer")
    response = post_form(
        client,
        f"/nl/cms/new/{module.id}",
        {"type": "lesson", "title": "Nieuwe les", "body": "Tekst."},
    )
    assert response.status_code == 302
    assert [child.type for child in module.children][-1] == "lesson"
    edit = _text(client.get(f"/en/learn/trainer/modules/{module.id}"))
    assert "Nieuwe les" in edit
    assert "Not published" in edit


def test_learner_sees_no_trainer_pages_and_trainer_sees_the_menu_entries(auth, client):
    auth.login_as(None)
    assert client.get("/en/learn/trainer/progress").status_code == 403
    dashboard = _text(client.get("/en/dashboard", follow_redirects=True))
    assert 'href="/en/learn/"' in dashboard
    auth.logout()
    auth.login_as("trainer")
    dashboard = _text(client.get("/en/dashboard", follow_redirects=True))
    assert 'href="/en/learn/trainer/progress"' in dashboard
