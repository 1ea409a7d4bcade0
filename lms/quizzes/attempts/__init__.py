"""Attempts: start, answer, submit, grade on the server, review; the overdue-attempts command."""
