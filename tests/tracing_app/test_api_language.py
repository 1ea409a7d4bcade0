"""API problem documents: English by default, the Accept-Language's language when given."""

from __future__ import annotations

import pytest

from tests.fixtures.exchange import bearer
from tests.fixtures.web import translated
from tracing_app.exchange import tokens


@pytest.mark.parametrize(
    ("accept", "language"),
    [(None, "en"), ("fr-BE,fr;q=0.9", "fr"), ("de", "de"), ("nl, en;q=0.5", "nl"), ("ja", "en")],
)
def test_problem_documents_speak_the_asked_language(
    client, auth, create_api_client, accept, language
):
    auth.login_as("agent")  # a browser's session (Dutch user) must not decide the API's language
    _client, token = create_api_client(scopes=[tokens.DATA_READ])
    headers = bearer(token) | ({"Accept-Language": accept} if accept else {})
    response = client.get("/api/v1/exports/no-such-feed", headers=headers)
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == translated(language, "No such export.")
