"""Documents of tickets: agents, supervisors and specialists issue; anyone verifies."""

from content.auth.roles import PUBLIC
from tests.permission_rows import ANONYMOUS, EVERYONE_SIGNED_IN

ISSUERS = {"agent", "supervisor", "specialist"}

ROWS = {
    # The view also asks tickets.may_open (lookup or assignment) of the ticket.
    "documents.list_documents": ("documents.issue", ISSUERS),
    "documents.issue_document": ("documents.issue", ISSUERS),
    "documents.view_document": ("documents.issue", ISSUERS),
    "documents.print_document": ("documents.issue", ISSUERS),
    "documents.revoke_document": ("documents.issue", ISSUERS),
    # Whoever holds a document (employer, test centre) checks it without an account.
    "documents.find_document": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "documents.verify_document": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
}
