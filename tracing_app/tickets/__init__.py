"""Tickets (case files) of the call centre and the protection of their personal data.

Foundations (no database state):

- :mod:`.keys`, :mod:`.keyfile` and :mod:`.keyring`: the key ring, from the instance folder
  or the environment, never from the database;
- :mod:`.crypto`: authenticated encryption of one field, bound to its row and column,
  and re-encryption under the current key;
- :mod:`.blind_index`: keyed HMACs of normalized values, for exact-match lookup;
- :mod:`.reference`: ticket references that are easy to read over the phone.

Tickets themselves: :mod:`.models`, :mod:`.operations` (create or link, decrypt with an
audit entry, edit with a version check, access rule), :mod:`.lookup` (inbound callbacks),
:mod:`.escalations`, :mod:`.rotation` and :mod:`.cli` (``tracing-app keys``), and the
screens (:mod:`.views`, blueprint ``tickets``).

See docs/personal-data.md and docs/tickets.md.
"""
