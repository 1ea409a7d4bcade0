"""Exchange: administrators manage API clients; the API authenticates tokens itself."""

from content.auth.roles import PUBLIC
from tests.permission_rows import ANONYMOUS, EVERYONE_SIGNED_IN

ROWS = {
    "exchange.list_clients": ("exchange.manage", {"admin"}),
    "exchange.revoke_client": ("exchange.manage", {"admin"}),
    "exchange.show_dictionary": ("exchange.read_dictionary", {"admin", "supervisor", "editor"}),
    # Machine clients have no session: the API answers 401/403 by token and scope itself.
    "api.openapi_document": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "api.data_dictionary": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "api.import_call_orders": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "api.export_feed": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "api.fhir_questionnaire": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
}
