"""Practice calls: fictitious citizens worked through on the real script screen.

Kept in tables of their own (``practice_*``), so practice never mixes with real tickets,
call orders, exports, dashboards, metrics or the audit log. See docs/practice-calls.md.
"""
