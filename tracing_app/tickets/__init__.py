"""Tickets (case files) of the call centre.

- :mod:`.reference`: ticket references that are easy to read over the phone (and the
  ``reference`` blind-index kind);
- :mod:`.models`, :mod:`.operations` (create or link, decrypt with an audit entry, edit
  with a version check), :mod:`.access`, :mod:`.summaries`, :mod:`.lookup` (inbound
  callbacks), :mod:`.escalations`, and the screens (:mod:`.views`, blueprint ``tickets``).

Encryption, keys, blind indexes and rotation belong to :mod:`tracing_app.protection`;
:mod:`.operations` and :mod:`.escalations` declare the tickets' encrypted columns to it.
See docs/personal-data.md and docs/tickets.md.
"""
