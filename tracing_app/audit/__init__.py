"""Append-only audit log with a hash chain: who saw or changed what, when, and why."""
