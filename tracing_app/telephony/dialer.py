"""Click-to-dial: the number on the call page is a ``tel:`` link or the site's dialer URL.

``TELEPHONY_DIALER_URL`` is a template with ``{number}`` (E.164, URL-encoded), ``{order}``
(the call order's id) and ``{call_id}`` (the id the platform gives the outbound call, to
send back in call events), e.g. a softphone's ``sip:{number}@pbx.example`` or a PBX's
call-originate page ``https://pbx.example/originate?to={number}&ref={call_id}``.
"""

from __future__ import annotations

from urllib.parse import quote

import phonenumbers
from flask import current_app

#: The id of an outbound call made for an order (its events carry it back).
OUTBOUND_CALL_ID = "order-{order}-{attempt}"


def e164(number: str, region: str | None = None) -> str:
    """Return the number as E.164 when it parses, else as given without spaces."""
    region = region or current_app.config.get("TELEPHONY_DEFAULT_REGION", "BE")
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return "".join(number.split())
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def outbound_call_id(order_id: int, attempt: int) -> str:
    """Return the call id of the next outbound call for an order (attempt: calls made so far)."""
    return OUTBOUND_CALL_ID.format(order=order_id, attempt=attempt + 1)


def dial_url(number: str, *, order_id: int, attempt: int = 0) -> str:
    """Return the link that dials ``number`` for a call order."""
    normal = e164(number)
    template = current_app.config.get("TELEPHONY_DIALER_URL")
    if not template:
        return f"tel:{normal}"
    return template.format(
        number=quote(normal, safe="+"),
        order=order_id,
        call_id=quote(outbound_call_id(order_id, attempt)),
    )


def opens_page() -> bool:
    """Tell whether the dialer link opens a web page (a PBX's API) rather than a softphone."""
    template = current_app.config.get("TELEPHONY_DIALER_URL") or ""
    return template.startswith(("http://", "https://"))
