"""The ``type`` cell of a survey row, read in every spelling pyxform accepts.

:func:`parse_type` turns ``select all that apply symptoms``, ``select_one yes_no
or_other``, ``phone number`` or ``get start time`` into the project's type, choice list
and appearance, or into the reason the type is refused. docs/scripts.md, "Types", lists
the spellings; pyxform's ``aliases.py`` and ``question_type_dictionary.py`` are the source.
"""

from __future__ import annotations

from dataclasses import dataclass

from content.i18n import _
from tracing_app.scripts.definition import (
    ACKNOWLEDGE,
    CALCULATE,
    DATE,
    DATETIME,
    DECIMAL,
    END,
    GROUP,
    GROUP_TYPES,
    IDENTIFIER_TYPES,
    INTEGER,
    METADATA_TYPES,
    NOTE,
    REPEAT,
    SELECT_MULTIPLE,
    SELECT_ONE,
    START,
    TEXT,
    TIME,
    TODAY,
    TYPES,
)

BEGINS = {
    "begin group": GROUP,
    "begin_group": GROUP,
    "begin repeat": REPEAT,
    "begin_repeat": REPEAT,
}
ENDS = {"end group": GROUP, "end_group": GROUP, "end repeat": REPEAT, "end_repeat": REPEAT}

#: pyxform's other names of the types we have (lower case, single spaces).
ALIASES = {
    "string": TEXT,
    "q string": TEXT,
    "add text prompt": TEXT,
    "int": INTEGER,
    "q int": INTEGER,
    "add integer prompt": INTEGER,
    "q decimal": DECIMAL,
    "add decimal prompt": DECIMAL,
    "q date": DATE,
    "add date prompt": DATE,
    "q time": TIME,
    "add time prompt": TIME,
    "q date time": DATETIME,
    "add date time prompt": DATETIME,
    "add datetime prompt": DATETIME,
    "q note": NOTE,
    "add note prompt": NOTE,
    "q calculate": CALCULATE,
    "trigger": ACKNOWLEDGE,
    "q acknowledge": ACKNOWLEDGE,
    "add acknowledge prompt": ACKNOWLEDGE,
    "get start time": START,
    "start time": START,
    "get end time": END,
    "end time": END,
    "get today": TODAY,
    "imei": "deviceid",
    "device id": "deviceid",
    "get device id": "deviceid",
    "subscriber id": "subscriberid",
    "get subscriber id": "subscriberid",
    "sim id": "simserial",
    "get sim id": "simserial",
    "get phone number": "phonenumber",
}

#: pyxform's ``phone number``: a text of digits. Ours checks a real phone number.
PHONE_NUMBER_ALIASES = frozenset({"phone number", "phone_number"})

#: The spellings of the two selects, longest first so ``select one from`` wins over ``select one``.
SELECT_ALIASES = dict(
    sorted(
        {
            "select_one": SELECT_ONE,
            "select one": SELECT_ONE,
            "select1": SELECT_ONE,
            "select one from": SELECT_ONE,
            "select one using": SELECT_ONE,
            "add select one prompt using": SELECT_ONE,
            "select_multiple": SELECT_MULTIPLE,
            "select multiple": SELECT_MULTIPLE,
            "select all that apply": SELECT_MULTIPLE,
            "select all that apply from": SELECT_MULTIPLE,
            "select multiple from": SELECT_MULTIPLE,
            "select multiple using": SELECT_MULTIPLE,
            "add select multiple prompt using": SELECT_MULTIPLE,
        }.items(),
        key=lambda item: -len(item[0]),
    )
)

OR_OTHER = "or_other"

#: Types that need a device a call does not have: a camera, a microphone, GPS, files.
DEVICE_TYPES = frozenset(
    {
        "geopoint",
        "geotrace",
        "geoshape",
        "gps",
        "location",
        "q geopoint",
        "q geotrace",
        "q geoshape",
        "q location",
        "image",
        "photo",
        "q picture",
        "q image",
        "add image prompt",
        "add photo prompt",
        "audio",
        "q audio",
        "add audio prompt",
        "video",
        "q video",
        "add video prompt",
        "file",
        "add file prompt",
        "barcode",
        "q barcode",
        "add barcode prompt",
    }
)
#: Selects whose choices live in a file next to the form (``pulldata`` territory).
EXTERNAL_SELECTS = (
    "select_one_from_file",
    "select_multiple_from_file",
    "select one from file",
    "select multiple from file",
    "select_one_external",
    "select one external",
)


@dataclass(frozen=True)
class RowType:
    """What a type cell says: the project's type, its choice list, appearance and or_other."""

    type: str
    list_name: str = ""
    appearance: str = ""
    or_other: bool = False


def parse_type(text: str) -> RowType | str:
    """Return the type of a survey row, or the (translated) reason it is refused.

    :param text: the type cell, with its spaces collapsed; not an ``end`` row.
    """
    lowered = text.lower()
    if lowered in BEGINS:
        return RowType(BEGINS[lowered])
    if lowered.startswith(EXTERNAL_SELECTS) or lowered in ("xml-external", "csv-external"):
        return _(
            "Type %(type)s reads choices or data from a file outside the form;"
            " put the choices in the choices sheet.",
            type=text,
        )
    for alias, select_type in SELECT_ALIASES.items():
        if lowered.startswith(alias + " ") or lowered == alias:
            return _select(select_type, text[len(alias) :].split(), alias)
    if lowered in DEVICE_TYPES:
        return _(
            "Type %(type)s asks for a photo, a sound, a location, a barcode or a file,"
            " which a call cannot give.",
            type=text,
        )
    if lowered in PHONE_NUMBER_ALIASES:
        lowered = "phone"  # our identifier shorthand: text with the phone appearance
    lowered = ALIASES.get(lowered, lowered)
    if lowered in (TYPES - GROUP_TYPES) | METADATA_TYPES:
        return RowType(lowered)
    if lowered in IDENTIFIER_TYPES:
        base_type, appearance = IDENTIFIER_TYPES[lowered]
        return RowType(base_type, appearance=appearance)
    return _("Type %(type)s is not supported.", type=text)


def _select(select_type: str, words: list[str], alias: str) -> RowType | str:
    or_other = len(words) == 2 and words[1].lower() == OR_OTHER
    if len(words) == 1 or or_other:
        return RowType(select_type, words[0], or_other=or_other)
    return _(
        "Write %(type)s followed by the name of its choice list, as in %(type)s yes_no.",
        type=alias,
    )
