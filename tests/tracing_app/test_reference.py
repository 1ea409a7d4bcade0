"""Ticket references: format, reading them back, and the errors the check character catches."""

from __future__ import annotations

import random
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tracing_app.tickets.reference import (
    ALPHABET,
    InvalidReferenceError,
    is_valid_reference,
    new_reference,
    normalize_reference,
)

PROPERTIES = settings(database=None, derandomize=True, max_examples=200, deadline=None)


FORMAT = re.compile(r"TR-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}")


def sample(count: int, seed: int = 2024) -> list[str]:
    """Return a reproducible sample of references."""
    draw = random.Random(seed).randrange  # noqa: S311 -- a reproducible sample, not a secret
    return [new_reference(draw) for _ in range(count)]


def symbols(reference: str) -> str:
    return reference[3:].replace("-", "")


def test_new_references_have_the_printed_format():
    references = sample(2000)
    assert all(FORMAT.fullmatch(reference) for reference in references)
    assert all(is_valid_reference(reference) for reference in references)
    assert len(set(references)) == len(references)
    assert FORMAT.fullmatch(new_reference())  # the default source: secrets


def test_alphabet_is_crockfords():
    assert len(ALPHABET) == 32
    assert not set("ILOU") & set(ALPHABET)


def test_the_same_random_source_gives_the_same_references():
    assert sample(5, seed=1) == sample(5, seed=1)
    assert sample(5, seed=1) != sample(5, seed=2)


@PROPERTIES
@given(source=st.randoms(use_true_random=False))
def test_every_new_reference_is_valid_and_already_normal(source):
    reference = new_reference(source.randrange)
    assert normalize_reference(reference) == reference
    assert normalize_reference(f" {symbols(reference).lower()} ") == reference


def test_how_an_agent_may_type_a_reference():
    reference = next(r for r in sample(500) if "0" in symbols(r) and "1" in symbols(r))
    body = symbols(reference)
    for typed in (
        reference.lower(),
        body,
        f"tr {body[:4]} {body[4:]}",
        f"TR.{body[:4]}.{body[4:]}",
        f"TR/{body}",
        reference.replace("0", "O").replace("1", "I"),
        reference[:3] + reference[3:].replace("0", "o").replace("1", "l"),
    ):
        assert normalize_reference(typed) == reference, typed


@pytest.mark.parametrize(
    "text",
    ["", "TR-", "TR-1234-567", "TR-1234-56789", "TR-ABCD-EFGU", "TR-ABCD-EF#H", "XX-ABCD-EFGH"],
)
def test_malformed_references_are_refused(text):
    assert not is_valid_reference(text)
    with pytest.raises(InvalidReferenceError):
        normalize_reference(text)


def test_every_single_wrong_symbol_is_caught():
    for reference in sample(300):
        body = symbols(reference)
        for position, right in enumerate(body):
            for wrong in ALPHABET.replace(right, ""):
                typo = body[:position] + wrong + body[position + 1 :]
                assert not is_valid_reference(typo), (reference, typo)


def test_every_swap_of_neighbours_is_caught():
    for reference in sample(2000):
        body = symbols(reference)
        for position in range(len(body) - 1):  # the check character included
            if body[position] != body[position + 1]:
                swapped = (
                    body[:position] + body[position + 1] + body[position] + body[position + 2 :]
                )
                assert not is_valid_reference(swapped), (reference, swapped)


def test_a_source_that_never_gives_a_usable_check_fails_loudly():
    # "4444444" has the check character "L", which is not in Crockford's alphabet.
    with pytest.raises(RuntimeError):
        new_reference(lambda n: ALPHABET.index("4"))


def test_non_text_is_not_a_reference():
    assert not is_valid_reference(None)
