"""Call scripts through the web: editors upload and publish, agents fill forms."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from content.extensions import db
from content.hookspecs import hookimpl
from content.plugins import plugin_manager
from tests.fixtures.web import csrf_token, post_form
from tracing_app.scripts.models import FormResponse, ScriptVersion

pytestmark = pytest.mark.db

FIXTURE = Path(__file__).parent / "fixtures" / "contact_tracing.csv"
BROKEN = Path(__file__).parent / "fixtures" / "broken"


def _upload(client, data: bytes, name: str = "contact_tracing.csv"):
    return post_form(
        client,
        "/en/workspace/scripts/",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.fixture
def published(app, create_user):
    """The sample script, uploaded and published by an editor."""
    from tracing_app.scripts import operations

    editor = create_user(email="script-editor@example.org", roles=["editor"])
    version = operations.upload_version(FIXTURE.read_bytes(), FIXTURE.name, actor=editor)
    operations.publish(version)
    db.session.commit()
    return version


def _start(client, version):
    response = post_form(client, f"/fr/workspace/forms/start/{version.id}", {})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return int(response.location.rstrip("/").split("/")[-1])


def _autosave(client, response_id, answers, revision):
    return client.post(
        f"/fr/workspace/forms/{response_id}/autosave",
        json={"answers": answers, "revision": revision},
        headers={"X-CSRFToken": csrf_token(client)},
    )


def test_editor_uploads_a_draft_and_previews_it_in_each_language(client, auth):
    auth.login_as("editor")
    response = _upload(client, FIXTURE.read_bytes())
    assert response.status_code == 302
    version = db.session.query(ScriptVersion).one()
    assert version.state == "draft"
    for language, sentence in [("nl", "Goeiedag"), ("fr", "Bonjour"), ("de", "Guten Tag")]:
        page = client.get(f"/en/workspace/scripts/versions/{version.id}?language={language}")
        assert sentence in page.get_data(as_text=True)


def test_broken_upload_lists_every_problem_and_imports_nothing(client, auth):
    auth.login_as("editor")
    broken = sorted(BROKEN.glob("*.csv"))[0]
    response = _upload(client, broken.read_bytes(), broken.name)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(r"survey, row \d+", text) or "settings" in text
    assert db.session.query(ScriptVersion).count() == 0


def test_preview_check_shows_branching_and_errors(client, auth, published):
    auth.login_as("editor")
    response = post_form(
        client,
        f"/en/workspace/scripts/versions/{published.id}?language=en",
        {"consent": "OK", "national_number": "12345678901", "has_symptoms": "yes"},
    )
    text = response.get_data(as_text=True)
    assert 'id="q-identification" hidden' not in text
    assert "This is not a valid national register number." in text
    assert db.session.query(FormResponse).count() == 0  # a preview saves nothing


def test_agent_fills_a_form_live_and_the_server_decides(client, auth, published):
    auth.login_as("agent")
    response_id = _start(client, published)
    page = client.get(f"/fr/workspace/forms/{response_id}").get_data(as_text=True)
    assert 'id="q-identification" hidden' in page  # no consent yet: identification hidden
    assert "Bonjour, vous parlez avec le centre" in page

    result = _autosave(client, response_id, {"consent": "OK", "full_name": "Jan", "age": "130"}, 0)
    state = result.get_json()
    assert result.status_code == 200
    assert state["visible"]["identification"] is True
    assert state["errors"]["age"] == "Indiquez un âge entre 0 et 120."
    assert state["notes"]["greeting"] == "Merci, Jan."
    assert state["revision"] == 1


def test_autosaved_answers_survive_a_reload(client, auth, published):
    auth.login_as("agent")
    response_id = _start(client, published)
    _autosave(client, response_id, {"consent": "OK", "full_name": "Marie Dupont"}, 0)
    page = client.get(f"/fr/workspace/forms/{response_id}").get_data(as_text=True)
    assert 'value="Marie Dupont"' in page
    assert 'data-revision="1"' in page


def test_a_save_from_a_stale_tab_is_refused(client, auth, published):
    auth.login_as("agent")
    response_id = _start(client, published)
    assert _autosave(client, response_id, {"full_name": "A"}, 0).status_code == 200
    stale = _autosave(client, response_id, {"full_name": "B"}, 0)
    assert stale.status_code == 409
    from tracing_app.scripts import operations

    saved = operations.answers(db.session.get(FormResponse, response_id))
    assert saved["full_name"] == "A"


def test_of_two_saves_of_one_revision_only_the_first_is_written(app, create_user, published):
    """The UPDATE is conditional on the revision read: a save landing in between wins."""
    from sqlalchemy import update

    from tracing_app.scripts import operations

    agent = create_user(email="racing-agent@example.org", roles=["agent"])
    with app.test_request_context("/fr/"):
        form = operations.start_form(published, agent=agent, language="fr")
        db.session.commit()
        operations.save_answers(form, {"full_name": "A"}, base_revision=0)
        db.session.commit()
        read = db.session.get(FormResponse, form.id)
        assert read.revision == 1
        # Another tab's save of revision 1 lands after this request read the form.
        table = FormResponse.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == form.id)
            .values(revision=2, answers_json=operations._encrypted_answers(form.id, {}))
        )
        with pytest.raises(operations.StaleAnswers):
            operations.save_answers(read, {"full_name": "B"}, base_revision=1)
        db.session.rollback()
        saved = db.session.get(FormResponse, form.id)
        assert (saved.revision, operations.answers(saved)) == (1, {"full_name": "A"})
        # The loaded row holds what was written: nothing is left for a flush.
        operations.save_answers(saved, {"full_name": "C"}, base_revision=1)
        assert not db.session.dirty
        db.session.commit()
        db.session.expire_all()
        saved = db.session.get(FormResponse, form.id)
        assert (saved.revision, operations.answers(saved)["full_name"]) == (2, "C")


def test_without_javascript_the_form_saves_checks_and_completes(client, auth, published):
    auth.login_as("agent")
    response_id = _start(client, published)
    url = f"/fr/workspace/forms/{response_id}"
    response = post_form(
        client, url, {"_revision": "0", "_action": "complete", "consent": "OK", "phone": "abc"}
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'value="abc"' in text  # kept
    assert 'aria-invalid="true"' in text
    assert db.session.get(FormResponse, response_id).state == "in_progress"


def test_switching_the_call_language(client, auth, published):
    auth.login_as("agent")
    response_id = _start(client, published)
    post_form(
        client,
        f"/fr/workspace/forms/{response_id}",
        {
            "_revision": "0",
            "_action": "language",
            "_language": "de",
            "consent": "OK",
            "full_name": "Jan",
        },
    )
    page = client.get(f"/fr/workspace/forms/{response_id}").get_data(as_text=True)
    assert "Guten Tag, hier spricht das Callcenter" in page
    assert 'value="Jan"' in page  # what was typed is kept


def test_another_agents_form_is_not_found(app, client, auth, create_user, published):
    from tests.fixtures.web import AuthActions

    auth.login_as("agent")
    response_id = _start(client, published)
    other = app.test_client()
    create_user(email="other-agent@example.org", roles=["agent"])
    AuthActions(other, None).login("other-agent@example.org")
    assert other.get(f"/fr/workspace/forms/{response_id}").status_code == 404


def test_a_form_in_progress_keeps_its_version_when_a_new_one_is_published(client, auth, published):
    from tracing_app.scripts import operations

    auth.login_as("agent")
    response_id = _start(client, published)
    newer = operations.upload_version(FIXTURE.read_bytes(), FIXTURE.name, actor=None)
    operations.publish(newer)
    db.session.commit()
    assert db.session.get(FormResponse, response_id).script_version_id == published.id
    assert db.session.get(ScriptVersion, published.id).state == "retired"
    assert client.get(f"/fr/workspace/forms/{response_id}").status_code == 200


class _NoCertificate:
    @hookimpl
    def tracing_access_denied(self, user, gate):
        return "No valid certificate." if gate == "workspace" else None


def test_the_workspace_gate_keeps_uncertified_agents_out(app, client, auth, published):
    auth.login_as("agent")
    pm = plugin_manager(app)
    pm.register(_NoCertificate(), name="no-certificate")
    try:
        response = client.get("/fr/workspace/forms/")
    finally:
        pm.unregister(name="no-certificate")
    assert response.status_code == 403
    assert client.get("/fr/workspace/forms/").status_code == 200


def test_compare_versions_shows_changed_lines(client, auth, published):
    from tracing_app.scripts import operations

    changed = FIXTURE.read_text().replace("Naam van het contact", "Volledige naam van het contact")
    newer = operations.upload_version(changed.encode(), FIXTURE.name, actor=None)
    db.session.commit()
    auth.login_as("editor")
    text = client.get(f"/en/workspace/scripts/versions/{newer.id}/compare").get_data(as_text=True)
    assert "Volledige naam van het contact" in text
    assert "<del" in text


def test_missing_answers_are_shown_only_when_the_agent_checks(client, auth, published):
    from tests.fixtures.web import translated

    auth.login_as("agent")
    response_id = _start(client, published)
    url = f"/fr/workspace/forms/{response_id}"
    required = translated("fr", "This answer is required.")
    first = client.get(url).get_data(as_text=True)
    assert required not in first
    assert re.search(r'<input type="text" id="f-full_name"[^>]*>', first)
    assert "readonly" not in re.search(r'<input type="text" id="f-full_name"[^>]*>', first).group()

    state = _autosave(client, response_id, {"consent": "OK"}, 0).get_json()
    assert "full_name" not in state["errors"]  # not yet: the agent is on their way

    checked = post_form(client, url, {"_revision": "1", "_action": "save", "consent": "OK"})
    assert required in checked.get_data(as_text=True)


CORPUS = Path(__file__).parent / "xlsform_corpus"


def test_odk_form_uploads_with_its_notes_and_fills_its_metadata(client, auth, create_user):
    from tracing_app.scripts import operations

    auth.login_as("editor")
    source = CORPUS / "metadata.csv"
    response = _upload(client, source.read_bytes(), source.name)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "Note: deviceid is metadata of a phone or tablet" in page
    version = db.session.query(ScriptVersion).one()
    operations.publish(version)
    db.session.commit()
    auth.logout()
    agent = auth.login_as("agent", display_name="Agent Smith")
    response_id = _start(client, version)
    page = client.get(f"/fr/workspace/forms/{response_id}").get_data(as_text=True)
    assert "Hello, my name is Agent Smith" in page
    assert 'name="deviceid"' not in page  # metadata are never fields to fill
    assert 'name="username"' not in page
    state = _autosave(client, response_id, {"username": "forged"}, 0).get_json()
    assert state["notes"]["hello"].startswith("Hello, my name is Agent Smith; the call started")
    saved = db.session.get(FormResponse, response_id)
    assert saved.agent_id == agent.id
    started = saved.created_dt.isoformat(timespec="seconds")
    assert state["notes"]["hello"].endswith(f"the call started at {started}.")
