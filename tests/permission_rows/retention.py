"""Legal holds and the citizen's own copy: supervisors only."""

SUPERVISORS = {"supervisor"}

ROWS = {
    # The views also open the ticket (tickets.may_open: supervisors open every ticket).
    "retention.legal_hold": ("tickets.legal_hold", SUPERVISORS),
    "retention.release_hold": ("tickets.legal_hold", SUPERVISORS),
    "subject_access.subject_access": ("tickets.subject_access", SUPERVISORS),
}
