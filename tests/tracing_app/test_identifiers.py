"""Checking and normalizing the identifiers agents type: numbers, phones, e-mail, dates."""

from __future__ import annotations

import datetime

import pytest
from flask_babel import force_locale

from content.extensions import db
from tracing_app import create_app
from tracing_app.identifiers import (
    BIRTH_DATE,
    DATE,
    EMAIL,
    NATIONAL_NUMBER,
    PHONE,
    POSTCODE,
    validate,
)

TODAY = datetime.date(2024, 6, 1)


@pytest.fixture(scope="module", autouse=True)
def english():
    """An app context in English: errors are translated messages."""
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context(), force_locale("en"):
        yield
    with app.app_context():
        db.engine.dispose()


def national_number(birth: datetime.date, serial: int) -> str:
    """Return the national register number of someone born on ``birth``.

    The check digits are 97 minus the first nine digits modulo 97; for people born in
    2000 or later a 2 is put before those digits first.
    """
    digits = f"{birth:%y%m%d}{serial:03d}"
    base = int(f"2{digits}") if birth.year >= 2000 else int(digits)
    return f"{digits}{97 - base % 97:02d}"


def test_national_number_helper_matches_known_numbers():
    assert national_number(datetime.date(1985, 7, 30), 33) == "85073003328"
    assert national_number(datetime.date(2017, 7, 30), 33) == "17073003384"
    assert national_number(datetime.date(1990, 1, 1), 123) == "90010112395"
    assert national_number(datetime.date(2005, 3, 15), 42) == "05031504251"


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("85073003328", "85073003328"),
        ("85.07.30-033.28", "85073003328"),
        (" 85 07 30 033 28 ", "85073003328"),
        ("90.01.01-123.95", "90010112395"),
        ("05031504251", "05031504251"),  # born in 2005: checked with a 2 in front
        ("05031504222", "05031504222"),  # the same digits without it: born in 1905
        (national_number(TODAY, 2), "24060100258"),  # born today
    ],
)
def test_valid_national_numbers(value, normalized):
    assert validate(NATIONAL_NUMBER, value, today=TODAY) == (normalized, None)


@pytest.mark.parametrize(
    "value",
    [
        "85073003329",  # wrong check digits
        "8507300332",  # too short
        "850730033281",  # too long
        "85O73003328",  # a letter O
        national_number(datetime.date(2024, 6, 2), 1),  # born after "today"
    ],
)
def test_invalid_national_numbers(value):
    assert validate(NATIONAL_NUMBER, value, today=TODAY) == (
        value.strip(),
        "This is not a valid national register number.",
    )


def test_month_thirteen_with_valid_check_digits():
    digits = "851330033"
    value = f"{digits}{97 - int(digits) % 97:02d}"
    assert validate(NATIONAL_NUMBER, value, today=TODAY) == (
        value,
        "This is not a valid national register number.",
    )


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("+32 470 12 34 56", "+32470123456"),
        ("0470/12.34.56", "+32470123456"),
        ("0032 470 12 34 56", "+32470123456"),
        ("02 549 49 49", "+3225494949"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("+31 6 12345678", "+31612345678"),
        ("+49 30 1234567", "+49301234567"),
    ],
)
def test_valid_phone_numbers(value, normalized):
    assert validate(PHONE, value, today=TODAY) == (normalized, None)


@pytest.mark.parametrize(
    "value",
    [
        "0470 12 34 5",  # one digit short
        "+32 470 12 34 56 7",  # one digit too many
        "+32 470",
        "12",
        "call me",
    ],
)
def test_invalid_phone_numbers(value):
    assert validate(PHONE, value, today=TODAY) == (value, "This is not a valid phone number.")


@pytest.mark.parametrize(
    ("value", "normalized"),
    [
        ("jan.peeters@example.be", "jan.peeters@example.be"),
        ("Jan.Peeters@Example.BE", "Jan.Peeters@example.be"),
        ("  marie@example.com ", "marie@example.com"),
    ],
)
def test_valid_email_addresses(value, normalized):
    assert validate(EMAIL, value, today=TODAY) == (normalized, None)


@pytest.mark.parametrize("value", ["jan@", "jan peeters@example.be", "jan@example", "@example.be"])
def test_invalid_email_addresses(value):
    assert validate(EMAIL, value, today=TODAY) == (value, "This is not a valid e-mail address.")


@pytest.mark.parametrize(("value", "normalized"), [("1000", "1000"), (" 9999 ", "9999")])
def test_valid_postcodes(value, normalized):
    assert validate(POSTCODE, value, today=TODAY) == (normalized, None)


@pytest.mark.parametrize("value", ["0999", "999", "10000", "B-1000", "1OOO"])
def test_invalid_postcodes(value):
    assert validate(POSTCODE, value, today=TODAY) == (
        value,
        "A Belgian postcode has 4 digits, from 1000 to 9999.",
    )


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("2024-02-29", None),
        ("2030-01-01", None),
        ("2023-02-29", "Enter a date as YYYY-MM-DD."),
        ("29/02/2024", "Enter a date as YYYY-MM-DD."),
        ("20240229", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_dates(value, error):
    assert validate(DATE, value, today=TODAY) == (value, error)


@pytest.mark.parametrize(
    ("value", "error"),
    [
        ("2024-06-01", None),
        ("1900-01-01", None),
        ("2024-06-02", "A date of birth cannot be in the future."),
        ("1899-12-31", "A date of birth cannot be before 1900."),
        ("1 June 1980", "Enter a date as YYYY-MM-DD."),
    ],
)
def test_birth_dates(value, error):
    assert validate(BIRTH_DATE, value, today=TODAY) == (value, error)


@pytest.mark.parametrize("kind", [NATIONAL_NUMBER, PHONE, EMAIL, POSTCODE, DATE, BIRTH_DATE])
def test_empty_answers_are_left_to_required(kind):
    assert validate(kind, "  ", today=TODAY) == ("", None)


def test_unknown_kind():
    with pytest.raises(ValueError, match="unknown identifier kind"):
        validate("iban", "BE68 5390 0754 7034", today=TODAY)
