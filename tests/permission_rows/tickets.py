"""Tickets: agents look up and open tickets, specialists answer escalations, supervisors audit.

Opening a ticket also needs the access rule (lookup, assignment, escalation or
supervision): an unknown reference ("999999") answers 404 to everyone allowed.
"""

ROWS = {
    "tickets.view_ticket": ("tickets.view", {"agent", "supervisor", "specialist", "admin"}),
    "tickets.edit_ticket": ("calls.work", {"agent", "supervisor"}),
    "tickets.escalate_ticket": ("calls.work", {"agent", "supervisor"}),
    "tickets.assign_ticket": ("calls.supervise", {"supervisor", "admin"}),
    "tickets.ticket_script": ("scripts.fill", {"agent"}),
    "tickets.lookup_tickets": ("tickets.lookup", {"agent", "supervisor"}),
    "tickets.my_escalations": ("calls.work", {"agent", "supervisor"}),
    "tickets.list_escalations": ("tickets.escalations", {"specialist"}),
    "tickets.take_escalation": ("tickets.escalations", {"specialist"}),
    "tickets.answer_escalation": ("tickets.escalations", {"specialist"}),
    "tickets.read_audit_log": ("tickets.audit", {"supervisor", "admin"}),
}
