"""Scripts, their versions, and the forms agents fill with them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from content.auth.models import User, utcnow
from content.extensions import db

DRAFT = "draft"
PUBLISHED = "published"
RETIRED = "retired"
VERSION_STATES = (DRAFT, PUBLISHED, RETIRED)

IN_PROGRESS = "in_progress"
COMPLETED = "completed"


class Script(db.Model):
    """A call script, identified by the XLSForm ``form_id``; its content lives in versions."""

    __tablename__ = "scripts"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[str] = mapped_column(String(100), unique=True)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[ScriptVersion]] = relationship(
        back_populates="script", order_by="ScriptVersion.number", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Script {self.form_id}>"


class ScriptVersion(db.Model):
    """One uploaded definition: draft, then published (immutable), then retired."""

    __tablename__ = "script_versions"
    __table_args__ = (
        UniqueConstraint("script_id", "number", name="uq_script_versions_script_number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[int] = mapped_column(ForeignKey("scripts.id", ondelete="CASCADE"), index=True)
    #: Sequence number within the script (1, 2, 3…); ``version_label`` is the author's.
    number: Mapped[int]
    version_label: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default=DRAFT)
    #: The definition in the project's CSV form (xlsform.dump_csv): stored, compared, loaded.
    definition_csv: Mapped[str] = mapped_column(Text)
    source_filename: Mapped[str] = mapped_column(String(255))
    source_file: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    published_dt: Mapped[datetime | None]
    retired_dt: Mapped[datetime | None]

    script: Mapped[Script] = relationship(back_populates="versions")
    created_by: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<ScriptVersion {self.script_id}#{self.number} {self.state}>"


class FormResponse(db.Model):
    """A form filled (or being filled) by an agent with one exact script version.

    ``answers_json`` is saved continuously while the agent works, so nothing typed is
    lost; ``revision`` detects a save from another tab on top of this one.
    """

    __tablename__ = "form_responses"
    __table_args__ = (Index("ix_form_responses_agent_state", "agent_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    script_version_id: Mapped[int] = mapped_column(ForeignKey("script_versions.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    language: Mapped[str] = mapped_column(String(8))
    answers_json: Mapped[str] = mapped_column(Text, default="{}")
    state: Mapped[str] = mapped_column(String(20), default=IN_PROGRESS)
    revision: Mapped[int] = mapped_column(default=0)
    created_dt: Mapped[datetime] = mapped_column(default=utcnow)
    updated_dt: Mapped[datetime] = mapped_column(default=utcnow)
    completed_dt: Mapped[datetime | None]

    # Every UPDATE of the row is conditional on the revision it was read at: a save from
    # another tab that lands in between fails (StaleDataError) instead of being overwritten.
    # The rules raise the revision themselves (scripts.operations.save_answers).
    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}

    script_version: Mapped[ScriptVersion] = relationship()
    agent: Mapped[User | None] = relationship()

    def __repr__(self) -> str:
        return f"<FormResponse {self.id} v{self.script_version_id} {self.state}>"
