"""The audit log table: one row per view, search or change, linked by a hash chain."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from content.extensions import db
from tracing_app.audit.lanes import GENESIS_HASH  # noqa: F401 - where callers look for it


class AuditEntry(db.Model):
    """One audited action. Rows are never updated or deleted (database triggers refuse it).

    ``previous_hash`` is the hash of the entry before it in the same lane.

    ``reason`` and ``details`` must not hold personal data values (see docs/audit-log.md).
    ``actor_id`` is a convenience link that becomes NULL when the account is deleted; the
    hash covers ``actor_label`` ("user 12"), which keeps the id.
    """

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_subject", "subject_type", "subject_id"),
        # Counts of an action per actor and hour (the audit screen's unusual activity).
        Index("ix_audit_log_action_created", "action", "created_dt"),
        # The head of a lane (each append reads it).
        Index("ix_audit_log_lane_id", "lane", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Which of the interleaved chains the entry links into (see ``lanes.py``); not hashed:
    #: moving an entry to another lane breaks the links of both.
    lane: Mapped[int] = mapped_column(default=0, server_default="0")
    created_dt: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_label: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    #: JSON object of non-personal metadata (e.g. the names of the fields changed).
    details: Mapped[str] = mapped_column(Text, default="{}")
    #: Unique: two entries on the same predecessor (a fork) cannot both be committed.
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)

    def __repr__(self) -> str:
        return f"<AuditEntry {self.id} {self.action} {self.subject_type}:{self.subject_id}>"
