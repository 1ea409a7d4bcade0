"""Telephony: agents take inbound calls; the telephony reports call events by token."""

from content.auth.roles import PUBLIC
from tests.permission_rows import ANONYMOUS, EVERYONE_SIGNED_IN

ROWS = {
    "telephony.screen_pop": ("calls.work", {"agent", "supervisor"}),
    # A machine client: the API answers 401/403 by token and scope itself.
    "api.report_call_event": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
}
