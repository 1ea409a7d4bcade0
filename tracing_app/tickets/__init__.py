"""Tickets (case files) of the call centre and the protection of their personal data.

The foundations here hold no database state:

- :mod:`.keys` and :mod:`.keyfile`: the key ring, from the instance folder or the
  environment, never from the database;
- :mod:`.crypto`: authenticated encryption of one field, bound to its row and column,
  and re-encryption under the current key;
- :mod:`.blind_index`: keyed HMACs of normalized values, for exact-match lookup;
- :mod:`.reference`: ticket references that are easy to read over the phone.

See docs/personal-data.md.
"""
