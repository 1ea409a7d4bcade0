"""Personal-data protection: encryption, the data keys, blind indexes, rotation, the audit key.

- :mod:`.keys`, :mod:`.keyfile` and :mod:`.keyring`: the data key ring, from the instance
  folder or the environment, never from the database;
- :mod:`.crypto`: authenticated encryption of one field, bound to its row and column;
- :mod:`.blind_index`: keyed HMACs of normalized values, for exact-match lookup;
- :mod:`.names` and :mod:`.tolerant_index`: name forms and phonetic keys, and the
  truncated blind indexes of names as heard and phone endings (tolerant lookup);
- :mod:`.registry`: the encrypted tables and blind indexes that features declare;
- :mod:`.rotation` and :mod:`.cli` (``tracing-app keys``): key rotation and re-indexing
  over the declarations;
- :mod:`.audit_key`: the key of the audit log's chain and checkpoints.

This package knows nothing of the features that use it. See docs/personal-data.md.
"""
