"""Call-order files as they come from the real world: encodings, line endings, bad dates.

Each test here failed on main before issue #12 (a traceback on the CLI, a 500 on the
supervisor's import page or on ``POST /api/v1/call-orders``).
"""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import func, select

from content.extensions import db
from tests.fixtures.exchange import bearer
from tests.fixtures.web import post_form
from tracing_app.calls.models import CallOrder
from tracing_app.tickets.models import Ticket
from tracing_app.tickets.operations import decrypt_ticket

pytestmark = pytest.mark.db

ROWS = ["last_name,first_name,phone", "Dubois,Hélène,0470 12 34 56", "Peeters,Jan,0471 23 45 67"]
#: A national number with wrong check digits (85.07.30-033.28 is the right one).
WRONG_CHECK_DIGITS = "85073003399"


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _web_import(client, campaign, data: bytes, name: str = "orders.csv", lang: str = "en"):
    return post_form(
        client,
        f"/{lang}/calls/campaigns/{campaign.id}/import",
        {"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


@pytest.mark.parametrize(
    ("label", "data"),
    [
        ("bare CR (old Mac/Excel)", "\r".join(ROWS).encode("utf-8") + b"\r"),
        ("CRLF", "\r\n".join(ROWS).encode("utf-8")),
        ("UTF-8 with BOM", "\n".join(ROWS).encode("utf-8-sig")),
        ("UTF-16 with BOM, CRLF", "\r\n".join(ROWS).encode("utf-16")),
        ("Windows-1252, bare CR", "\r".join(ROWS).encode("cp1252")),
    ],
)
def test_the_cli_imports_every_encoding_and_line_ending(
    make_campaign, runner, tmp_path, label, data
):
    make_campaign(name="Cases")
    path = tmp_path / "orders.csv"
    path.write_bytes(data)
    result = runner.invoke(args=["calls", "import", str(path), "--campaign", "Cases"])
    assert result.exception is None or isinstance(result.exception, SystemExit), label
    assert "Traceback" not in result.output
    assert result.exit_code == 0, result.output
    assert _count(CallOrder) == 2
    names = sorted(
        (decrypt_ticket(t).first_name, decrypt_ticket(t).phone)
        for t in db.session.scalars(select(Ticket))
    )
    assert names == [("Hélène", "+32470123456"), ("Jan", "+32471234567")]


def test_the_import_page_reads_a_bare_cr_file(client, auth, make_campaign):
    campaign = make_campaign()
    auth.login_as("supervisor")
    response = _web_import(client, campaign, "\r".join(ROWS).encode("cp1252"))
    assert response.status_code == 200
    assert _count(CallOrder) == 2


def test_a_file_that_is_not_text_is_named_and_nothing_imported(client, auth, make_campaign):
    campaign = make_campaign()
    auth.login_as("supervisor")
    # UTF-16 without its byte-order mark: NUL bytes everywhere.
    response = _web_import(client, campaign, "\n".join(ROWS).encode("utf-16-le"), lang="fr")
    assert response.status_code == 400
    assert "Le fichier n&#39;est pas du texte" in response.get_data(as_text=True)
    assert _count(CallOrder) == 0


def test_a_quoted_field_over_a_bare_cr_line_break_stays_one_row(make_campaign, runner, tmp_path):
    make_campaign(name="Cases")
    path = tmp_path / "orders.csv"
    path.write_bytes(b'last_name,phone\r"Van den\rBossche",0470 12 34 56\rPeeters,0471 23 45 67\r')
    result = runner.invoke(args=["calls", "import", str(path), "--campaign", "Cases"])
    assert result.exit_code == 0, result.output
    assert _count(CallOrder) == 2


@pytest.mark.parametrize(
    ("national_number", "birth_date", "fields"),
    [
        (WRONG_CHECK_DIGITS, "1985-07-30", ["national_number"]),
        ("", "1990-02-30", ["birth_date"]),
        (WRONG_CHECK_DIGITS, "1990-02-30", ["national_number", "birth_date"]),
    ],
)
def test_the_import_page_names_row_and_field_of_a_bad_number_or_date(
    client, auth, make_campaign, national_number, birth_date, fields
):
    campaign = make_campaign()
    auth.login_as("supervisor")
    data = (
        "last_name,phone,national_number,birth_date\n"
        "Good,0470 12 34 56,,\n"
        f"Bad,0471 23 45 67,{national_number},{birth_date}\n"
    ).encode()
    response = _web_import(client, campaign, data)
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    problems = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", text)
    assert [(row, name) for row, name, _message in problems] == [("3", f) for f in fields]
    assert _count(CallOrder) == 0


@pytest.mark.parametrize(
    ("national_number", "birth_date", "field"),
    [
        (WRONG_CHECK_DIGITS, "1985-07-30", "national_number"),
        ("", "1990-02-30", "birth_date"),
    ],
)
def test_the_api_names_item_and_field_of_a_bad_number_or_date(
    client, create_api_client, make_campaign, national_number, birth_date, field
):
    campaign = make_campaign()
    _client, token = create_api_client()
    orders = [
        {"last_name": "Good", "phone": "0470 12 34 56"},
        {
            "last_name": "Bad",
            "phone": "0471 23 45 67",
            "national_number": national_number,
            "birth_date": birth_date,
        },
    ]
    response = client.post(
        "/api/v1/call-orders",
        json={"batch_id": "b-1", "campaign": campaign.name, "orders": orders},
        headers=bearer(token),
    )
    assert response.status_code == 422, response.get_data(as_text=True)[:300]
    assert {(e["item"], e["field"]) for e in response.json["errors"]} == {(2, field)}
    assert _count(CallOrder) == 0


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 100_000 + b"]" * 100_000,  # deeper than the JSON parser's recursion
        b'{"batch_id": "b", "orders": [' + b"9" * 5000 + b"]}",  # a number too long
        b"\xff\xfe\x00\x00garbage",
    ],
)
def test_the_api_refuses_bodies_that_crash_a_json_parser(client, create_api_client, body):
    _client, token = create_api_client()
    response = client.post(
        "/api/v1/call-orders",
        data=body,
        headers={**bearer(token), "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json["errors"][0]["item"] == 0
