"""Every entry of the workspace asks the same gate and shows the same training page."""

from __future__ import annotations

import pytest

from tests.fixtures.lms_certification import MODULE

ENTRIES = [
    "/fr/workspace/forms/",  # call scripts
    "/fr/calls/",  # next call
    "/fr/tickets/lookup",  # inbound callbacks
]


@pytest.mark.parametrize("url", ENTRIES)
def test_without_certificate_each_entry_names_the_training(
    client, auth, create_certification, certify, url
):
    certification = create_certification()
    agent = auth.login_as("agent", locale="fr")
    response = client.get(url)
    assert response.status_code == 403
    assert f'href="/fr/learn/m/{MODULE}"' in response.get_data(as_text=True)
    certify(agent, certification)
    assert client.get(url).status_code == 200
