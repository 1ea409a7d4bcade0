"""The citizen's own copy (GDPR art. 15): a ticket's data and accesses, as PDF and JSON."""
