"""Names as they sound: folded forms, particles and phonetic keys for tolerant lookup.

A Belgian last name reaches an agent by phone, often spelt in another language's way:
*Müller* as *Mueller*, *Claeys* as *Claes*, *Van den Bosch* for *Vandenbossche*. Each
name gets two forms, the whole name (particles kept, spaces dropped) and its core (the
separate leading particles dropped: *De Smet* -> *smet*), and each form a phonetic key:
jellyfish's Metaphone of the form after a few spelling folds that Metaphone, made for
English, does not know (``ij``/``y``, ``ae``/``ue``/``oe`` for umlauts, ``dt``, ``ckx``,
``gh``, ``cq``, French ``eau``/``aux``…). See docs/personal-data.md, "Tolerant lookup",
for why Metaphone.
"""

from __future__ import annotations

import re

import jellyfish
from rapidfuzz.distance import DamerauLevenshtein

from tracing_app.protection.blind_index import normalize_name

#: Dutch, French and German particles that may precede a last name as separate words.
PARTICLES = frozenset(
    (
        "van", "von", "vom", "vander", "vanden", "vande", "der", "den", "de", "del", "della",
        "di", "da", "du", "des", "le", "la", "les", "l", "d", "t", "ter", "ten", "te",
        "op", "in", "het", "zu", "zur",
    )
)  # fmt: skip
# Spelling variants folded before Metaphone, in this order (longest first where they overlap).
_FOLDS = (
    ("eaux", "o"),
    ("eau", "o"),
    ("aux", "o"),
    ("auw", "au"),
    ("ouw", "ou"),
    ("ckx", "x"),
    ("cx", "x"),
    ("kx", "x"),
    ("ks", "x"),
    ("ij", "y"),
    ("ae", "a"),
    ("ue", "u"),
    ("oe", "o"),
    ("ey", "ei"),
    ("y", "i"),
    ("dt", "t"),
    ("th", "t"),
    ("dh", "d"),
    ("gh", "g"),
    ("cq", "k"),
    ("qu", "k"),
    ("q", "k"),
    ("ph", "f"),
    ("bv", "v"),
    ("z", "s"),
)
_WORDS = re.compile(r"[\s\-'’`]+")


def name_forms(last_name: str) -> tuple[str, ...]:
    """Return the folded whole name and, when it differs, its core without particles.

    "Van den Bossche" -> ("vandenbossche", "bossche"); "Peeters" -> ("peeters",).
    """
    whole = normalize_name(last_name)
    if not whole:
        return ()
    words = [normalize_name(word) for word in _WORDS.split(last_name)]
    words = [word for word in words if word]
    while len(words) > 1 and words[0] in PARTICLES:
        words.pop(0)
    core = "".join(words)
    return (whole,) if core == whole else (whole, core)


def spelling_fold(form: str) -> str:
    """Fold spelling variants of one folded name form (see the module docstring)."""
    for old, new in _FOLDS:
        form = form.replace(old, new)
    return form


def sound_key(form: str) -> str:
    """Return the phonetic key of one folded name form (Metaphone after the folds)."""
    return jellyfish.metaphone(spelling_fold(form)).replace(" ", "") or form[:1].upper()


def sound_keys(last_name: str) -> tuple[str, ...]:
    """Return the distinct phonetic keys of a name's forms (whole first)."""
    keys: list[str] = []
    for form in name_forms(last_name):
        key = sound_key(form)
        if key not in keys:
            keys.append(key)
    return tuple(keys)


def name_distance(heard: str, registered: str) -> int | None:
    """How far a name as heard is from the registered one: 0 same, 1 same sound, 2+ typos.

    Compares form with form (whole with whole, core with core, and across); returns None
    when no pair is close: equal after folding, equal sound keys, or at most one edit
    (two for forms of 7+ letters) between the spelling-folded forms.
    """
    heard_forms, registered_forms = name_forms(heard), name_forms(registered)
    if not heard_forms or not registered_forms:
        return None
    if set(heard_forms) & set(registered_forms):
        return 0
    if set(sound_keys(heard)) & set(sound_keys(registered)):
        return 1
    best = None
    for one in heard_forms:
        for other in registered_forms:
            a, b = spelling_fold(one), spelling_fold(other)
            allowed = 2 if min(len(a), len(b)) >= 7 else 1
            edits = DamerauLevenshtein.distance(a, b, score_cutoff=allowed)
            if edits <= allowed and (best is None or edits + 1 < best):
                best = edits + 1
    return best
