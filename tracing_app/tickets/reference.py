"""Ticket references that are easy to read over the phone: ``TR-7K3M-9QXD``.

Eight symbols of Crockford's base 32 (digits and letters without I, L, O and U): seven
random ones and a check character, in two groups of four after the ``TR-`` prefix. The
check character is ISO 7064 MOD 37-2 (python-stdnum's ``mod_37_2``), which catches every
single wrong character and every swap of two neighbours. Its alphabet has 37 symbols, so
references whose check character would fall outside Crockford's 32 (I, L, O, U or ``*``)
are never issued: about one draw in seven is thrown away.

ISO 7064 MOD 37,36 was tried first and rejected: its wrap-around lets some neighbour
swaps through (``M9H4QTSG`` and ``M9H4QSTG`` both pass).

Seven random symbols are 35 bits (about 3·10^10 references): enough to keep collisions
rare, not enough to be a secret. The reference identifies a ticket; it never proves who
is calling. The database's unique constraint decides, and a collision draws again.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

from stdnum.iso7064 import mod_37_2

from tracing_app.protection.blind_index import register_kind

#: Crockford's base 32 symbols, in value order.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
PREFIX = "TR"
RANDOM_SYMBOLS = 7
#: Symbols of a reference after its prefix: the random ones and the check character.
LENGTH = RANDOM_SYMBOLS + 1
GROUP_SIZE = 4

# Crockford's decoding: letters mistaken for digits are read as those digits.
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_./]+")
_MAX_DRAWS = 1000


class InvalidReferenceError(ValueError):
    """Text that is not a ticket reference."""


def new_reference(random_source: Callable[[int], int] = secrets.randbelow) -> str:
    """Draw a new reference, e.g. ``TR-7K3M-9QXD``.

    :param random_source: returns a whole number from 0 to n - 1 for n; the default is
        :func:`secrets.randbelow`. Tests pass ``random.Random(seed).randrange``.
    :raise RuntimeError: the random source gave no usable reference in many draws.
    """
    for _draw in range(_MAX_DRAWS):
        body = "".join(ALPHABET[random_source(len(ALPHABET))] for _ in range(RANDOM_SYMBOLS))
        check = mod_37_2.calc_check_digit(body)
        if check in ALPHABET:
            return _format(body + check)
    raise RuntimeError("the random source keeps giving references without a usable check")


def normalize_reference(text: str) -> str:
    """Return a reference as typed or heard in its printed form ``TR-XXXX-XXXX``.

    Case, spaces, hyphens, dots and slashes do not matter, the ``TR`` prefix may be left
    out, and O is read as 0, I and L as 1.

    :raise InvalidReferenceError: wrong length, a symbol outside the alphabet, or a check
        character that does not match (a mistyped or misheard reference).
    """
    if not isinstance(text, str):
        raise InvalidReferenceError("a reference is text")
    compact = _SEPARATORS.sub("", text).upper()
    if len(compact) == len(PREFIX) + LENGTH and compact.startswith(PREFIX):
        compact = compact[len(PREFIX) :]
    compact = compact.translate(_LOOKALIKES)
    if len(compact) != LENGTH:
        raise InvalidReferenceError(f"a reference has {LENGTH} symbols after {PREFIX}-")
    if any(symbol not in ALPHABET for symbol in compact):
        raise InvalidReferenceError("a reference has digits and letters other than I, L, O, U")
    if not mod_37_2.is_valid(compact):
        raise InvalidReferenceError("the check character does not match: mistyped or misheard")
    return _format(compact)


def is_valid_reference(text: str) -> bool:
    """Tell whether text reads as a valid reference (see :func:`normalize_reference`)."""
    try:
        normalize_reference(text)
    except InvalidReferenceError:
        return False
    return True


def _format(compact: str) -> str:
    groups = [compact[i : i + GROUP_SIZE] for i in range(0, LENGTH, GROUP_SIZE)]
    return "-".join([PREFIX, *groups])


#: The blind-index kind of a ticket reference (the reference itself is a plain column;
#: the kind lets the lookup form treat it like the other searchable values).
REFERENCE = "reference"
register_kind(REFERENCE, normalize_reference)
