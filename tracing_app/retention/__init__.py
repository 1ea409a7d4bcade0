"""Retention: what expires after a ticket's closure, legal holds, the purge.

See docs/retention.md.
"""
