"""``tracing-app audit rekey``: put an existing log under the audit key, once, after upgrading.

Entries written before the audit key carry plain SHA-256 hashes (format ``audit-v1``),
which anyone with write access can recompute. Rekeying checks the whole chain first (a
plain part, then the keyed entries appended since the upgrade, and the checkpoints) and
refuses to bless a broken one; then, in one transaction holding every lane, it
rewrites every entry's links (within its lane) and hash under the audit key and appends a ``rekey``
checkpoint, after which older checkpoints (of the old hashes) are no longer compared.
"""

from __future__ import annotations

from types import SimpleNamespace

from sqlalchemy import bindparam, select, update

from content.extensions import db
from tracing_app.audit import checkpoints
from tracing_app.audit.lanes import genesis
from tracing_app.audit.models import AuditEntry
from tracing_app.audit.operations import (
    VerificationResult,
    compute_hash,
    maintenance,
    take_append_lock,
    walk_chain,
)
from tracing_app.protection.audit_key import current_audit_key


class RekeyError(Exception):
    """The log does not verify as it is: nothing was rewritten."""

    def __init__(self, result: VerificationResult):
        super().__init__(f"the audit log does not verify (entry {result.first_bad_id})")
        self.result = result


def rekey(batch_size: int = 1000) -> int:
    """Rewrite the chain under the audit key; return how many entries changed hash.

    :raise RekeyError: the chain or a checkpoint does not agree with the log.
    :raise CheckpointError: a line of the checkpoint file is altered.
    """
    key = current_audit_key()
    anchors = checkpoints.read_checkpoints()
    keyed_seen = False

    def old_or_keyed(row, _position: int) -> bool:
        # Plain entries can only come before the keyed ones: a plain entry after a keyed
        # one was written by someone without the key.
        nonlocal keyed_seen
        if row.entry_hash == compute_hash(row, key):
            keyed_seen = True
            return True
        return not keyed_seen and row.entry_hash == compute_hash(row, None)

    db.session.commit()  # our own connection writes: the session must hold no lock
    table = AuditEntry.__table__
    columns = [column for column in table.columns if column.name != "actor_id"]
    changed = 0
    with db.engine.begin() as conn, maintenance(conn):
        take_append_lock(conn)
        result = walk_chain(old_or_keyed, anchors, batch_size=batch_size, connection=conn)
        if not result.ok:
            raise RekeyError(result)
        heads: dict[int, str] = {}  # lane -> new hash of its latest entry
        last_id = 0
        while True:
            rows = conn.execute(
                select(*columns).where(table.c.id > last_id).order_by(table.c.id).limit(batch_size)
            ).all()
            if not rows:
                break
            params = []
            for row in rows:
                previous = heads.get(row.lane) or genesis(row.lane)
                new_hash = compute_hash(
                    SimpleNamespace(**{**row._asdict(), "previous_hash": previous}), key
                )
                if (row.previous_hash, row.entry_hash) != (previous, new_hash):
                    params.append(
                        {"row_id": row.id, "new_previous": previous, "new_hash": new_hash}
                    )
                heads[row.lane] = new_hash
            if params:
                conn.execute(
                    update(table)
                    .where(table.c.id == bindparam("row_id"))
                    .values(
                        previous_hash=bindparam("new_previous"), entry_hash=bindparam("new_hash")
                    ),
                    params,
                )
            changed += len(params)
            last_id = rows[-1].id
    checkpoints.write_checkpoint(kind=checkpoints.REKEY)
    return changed
