"""The audit log proves itself: a keyed chain, checkpoints outside the database, rekeying."""

from __future__ import annotations

import base64
import json
import os
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import select, text

from content.extensions import db
from tracing_app.audit import checkpoints, operations
from tracing_app.audit.lanes import genesis
from tracing_app.audit.models import AuditEntry
from tracing_app.protection.audit_key import (
    ENV_VAR,
    AuditKey,
    current_audit_key,
    load_audit_key,
)
from tracing_app.protection.keys import KeyRingError

pytestmark = pytest.mark.db


@pytest.fixture
def record_entries(dummy_user):
    """Return a callable that records ``count`` ticket views, one commit each.

    It returns the entries' ids and hashes as committed (rows may be deleted afterwards).
    """

    def factory(count: int = 3) -> list[SimpleNamespace]:
        made = []
        for n in range(count):
            entry = operations.record(
                "ticket.view", actor=dummy_user, subject_type="ticket", subject_id=f"T-{n}"
            )
            made.append(SimpleNamespace(id=entry.id, entry_hash=entry.entry_hash))
            db.session.commit()
        return made

    return factory


def _lines() -> list[dict]:
    path = checkpoints.checkpoint_path()
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


def _tamper(sql: str, **params) -> None:
    """Run SQL with the maintenance mode on, as an attacker with write access could."""
    with db.engine.begin() as conn, operations.maintenance(conn):
        conn.execute(text(sql), params)


def _rewrite_chain(from_id: int, hasher, **changes) -> None:
    """Change the entry ``from_id`` and recompute every hash from it on with ``hasher``.

    What an attacker with write access to the database does to hide a change (each entry
    linked to the one before it in its lane).
    """
    table = AuditEntry.__table__
    with db.engine.begin() as conn, operations.maintenance(conn):
        heads = dict(
            conn.execute(
                select(table.c.lane, table.c.entry_hash)
                .where(table.c.id < from_id)
                .order_by(table.c.id)
            ).all()
        )
        rows = conn.execute(select(table).where(table.c.id >= from_id).order_by(table.c.id)).all()
        for row in rows:
            previous = heads.get(row.lane) or genesis(row.lane)
            values = {**row._asdict(), "previous_hash": previous}
            if row.id == from_id:
                values.update(changes)
            new_hash = hasher(SimpleNamespace(**values))
            conn.execute(
                table.update().where(table.c.id == row.id),
                {**{k: values[k] for k in changes if row.id == from_id}, "entry_hash": new_hash,
                 "previous_hash": previous},
            )  # fmt: skip
            heads[row.lane] = new_hash


def test_untouched_log_verifies_with_its_checkpoint(runner, record_entries):
    made = record_entries(3)
    result = runner.invoke(args=["audit", "checkpoint"])
    assert result.exit_code == 0, result.output
    assert "3 entries" in result.output
    assert made[-1].entry_hash in result.output

    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "3 entries checked" in result.output
    assert "No checkpoint yet" not in result.output
    assert operations.verify_chain() == operations.VerificationResult(
        True, None, 3, made[-1].entry_hash
    )


def test_deleting_the_newest_entries_is_detected(runner, record_entries):
    made = record_entries(5)
    checkpoints.write_checkpoint()
    _tamper("DELETE FROM audit_log WHERE id > :id", id=made[2].id)

    result = operations.verify_chain()
    assert not result.ok
    assert result.problem == operations.TRUNCATED
    assert (result.last_id, result.checked) == (made[2].id, 3)
    assert (result.checkpoint.entries, result.checkpoint.head_id) == (5, made[4].id)
    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert f"TRUNCATED: entries after entry {made[2].id} are missing" in cli.output
    assert f"5 entries up to entry {made[4].id}" in cli.output

    # A checkpoint taken afterwards counts what is left, and does not absolve the log.
    assert checkpoints.write_checkpoint().entries == 3
    assert operations.verify_chain().problem == operations.TRUNCATED


def test_deleting_the_newest_entries_and_appending_again_is_detected(
    runner, record_entries, dummy_user
):
    made = record_entries(2)
    checkpoints.write_checkpoint()
    third = record_entries(1)[0]
    checkpoints.write_checkpoint()
    _tamper("DELETE FROM audit_log WHERE id = :id", id=third.id)
    # The app appends on top of the shortened log: the count is right again, the head is not.
    replacement = record_entries(1)[0]

    result = operations.verify_chain()
    assert (result.ok, result.problem) == (False, operations.DIVERGED)
    assert result.first_bad_id == replacement.id
    assert result.last_id == made[1].id
    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert f"REWRITTEN from entry {replacement.id} on" in cli.output


def test_a_row_rewritten_with_a_recomputed_plain_sha256_chain_is_detected(runner, record_entries):
    made = record_entries(4)
    # Today's published algorithm: SHA-256 of the canonical entry, which anyone can compute.
    _rewrite_chain(made[1].id, lambda row: operations.compute_hash(row, None), subject_id="T-99")
    assert db.session.scalar(select(AuditEntry.subject_id).where(AuditEntry.id == made[1].id)) == (
        "T-99"
    )

    assert operations.verify_chain() == operations.VerificationResult(False, made[1].id, 2)
    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert f"BROKEN at entry {made[1].id}" in cli.output


def test_rewriting_the_chain_needs_the_audit_key(record_entries):
    made = record_entries(3)
    guessed = AuditKey.from_master(os.urandom(32))  # any key but the site's
    _rewrite_chain(
        made[0].id, lambda row: operations.compute_hash(row, guessed), reason="routine check"
    )
    assert operations.verify_chain() == operations.VerificationResult(False, made[0].id, 1)

    # Only the site's key makes links and hashes that hold (it never sits in the database);
    # even then the checkpoint written after the first commit shows the rewrite.
    _rewrite_chain(made[0].id, lambda row: operations.compute_hash(row, current_audit_key()))
    result = operations.verify_chain()
    assert (result.ok, result.problem, result.first_bad_id) == (
        False,
        operations.DIVERGED,
        made[0].id,
    )
    assert result.checkpoint.entries == 1


def test_a_checkpoint_is_written_after_an_audited_commit_at_most_every_few_minutes(
    app, record_entries, monkeypatch
):
    assert _lines() == []
    record_entries(2)
    lines = _lines()
    assert [line["entries"] for line in lines] == [1]  # the first commit; the second was too soon
    assert lines[0]["mac"]

    # Six minutes later (for this process and for the file), the next commit writes one.
    path = checkpoints.checkpoint_path()
    old = time.time() - 6 * 60
    os.utime(path, (old, old))
    app.extensions[checkpoints.EXTENSION]["next"] = old
    made = record_entries(1)
    assert [line["entries"] for line in _lines()] == [1, 3]
    assert _lines()[-1]["head_hash"] == made[0].entry_hash

    monkeypatch.setitem(app.config, "AUDIT_CHECKPOINT_MINUTES", 0)  # off: jobs and CLI only
    os.utime(path, (old, old))
    app.extensions[checkpoints.EXTENSION]["next"] = old
    record_entries(1)
    assert len(_lines()) == 2
    assert operations.verify_chain().ok


def test_a_rolled_back_entry_writes_no_checkpoint(dummy_user):
    operations.record("ticket.view", actor=dummy_user, subject_type="ticket", subject_id="T-1")
    db.session.rollback()
    db.session.commit()
    assert _lines() == []


def test_an_altered_or_forged_checkpoint_fails_verification(runner, record_entries):
    record_entries(3)
    path = checkpoints.checkpoint_path()
    checkpoints.write_checkpoint()
    lines = path.read_text().splitlines()
    forged = json.loads(lines[-1])
    forged["entries"] = 2  # as if the log had been shorter: hides nothing without the key
    path.write_text("\n".join([*lines[:-1], json.dumps(forged)]) + "\n")

    result = operations.verify_chain()
    assert (result.ok, result.problem, result.error.line) == (
        False,
        operations.BAD_CHECKPOINT,
        len(lines),
    )
    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert f"line {len(lines)}: altered" in cli.output


def _make_legacy(made: list[SimpleNamespace]) -> None:
    """Turn the log into one written before the audit key: plain SHA-256 hashes, no checkpoint."""
    _rewrite_chain(made[0].id, lambda row: operations.compute_hash(row, None))
    checkpoints.checkpoint_path().unlink(missing_ok=True)
    checkpoints.forget_checkpoint_time()


def test_rekey_puts_a_log_from_before_the_audit_key_under_it(runner, record_entries):
    made = record_entries(3)
    _make_legacy(made)
    checkpoints.write_checkpoint()  # taken before the upgrade's rekey: of the plain hashes
    result = operations.verify_chain()
    assert (result.ok, result.problem, result.first_bad_id) == (
        False,
        operations.UNKEYED,
        made[0].id,
    )
    assert "audit rekey" in runner.invoke(args=["audit", "verify"]).output
    later = record_entries(1)[0]  # appended by the upgraded app, keyed, before the rekey

    result = runner.invoke(args=["audit", "rekey"])
    assert result.exit_code == 0, result.output
    assert "4 entries" in result.output
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "5 entries checked" in verified.output  # and the rekey itself is recorded
    assert [line["kind"] for line in _lines()] == ["", checkpoints.REKEY]
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-1] == "audit.rekey"
    assert db.session.get(AuditEntry, later.id).subject_id == "T-0"


def test_rekey_refuses_a_broken_log_and_changes_nothing(runner, record_entries):
    made = record_entries(3)
    _make_legacy(made)
    _tamper("UPDATE audit_log SET subject_id = 'T-99' WHERE id = :id", id=made[1].id)
    before = db.session.execute(select(AuditEntry.id, AuditEntry.entry_hash)).all()

    result = runner.invoke(args=["audit", "rekey"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {made[1].id}" in result.output
    assert "Nothing was rewritten" in result.output
    db.session.expire_all()
    assert db.session.execute(select(AuditEntry.id, AuditEntry.entry_hash)).all() == before


def test_rekey_refuses_plain_entries_after_keyed_ones(runner, record_entries):
    made = record_entries(3)
    # An attacker without the key rewrites the newest entry with the plain algorithm.
    _rewrite_chain(made[2].id, lambda row: operations.compute_hash(row, None), reason="x")
    result = runner.invoke(args=["audit", "rekey"])
    assert result.exit_code == 1
    assert f"BROKEN at entry {made[2].id}" in result.output


def test_the_audit_key_comes_from_the_environment_or_a_private_file(tmp_path):
    with pytest.raises(KeyRingError, match="tracing-app init"):
        load_audit_key(tmp_path, environ={})
    key = os.urandom(32)
    from_env = load_audit_key(tmp_path, environ={ENV_VAR: base64.b64encode(key).decode()})
    assert from_env.key_id == AuditKey.from_master(key).key_id
    assert "chain" not in repr(from_env).replace("chain=", "")  # never the key material
    path = tmp_path / "audit.key"
    path.write_text(base64.b64encode(key).decode())
    path.chmod(0o644)
    with pytest.raises(KeyRingError, match="chmod 600"):
        load_audit_key(tmp_path, environ={})
    path.chmod(0o600)
    assert load_audit_key(tmp_path, environ={}).key_id == from_env.key_id


def test_init_writes_the_audit_key_once(app, runner, tmp_path, monkeypatch):
    monkeypatch.setattr(app, "instance_path", str(tmp_path))
    monkeypatch.delenv(ENV_VAR, raising=False)
    result = runner.invoke(args=["init"])
    assert result.exit_code == 0, result.output
    path = tmp_path / "audit.key"
    assert "audit.key" in result.output
    assert path.stat().st_mode & 0o777 == 0o600
    first = path.read_bytes()
    again = runner.invoke(args=["init"])
    assert "audit.key" not in again.output
    assert path.read_bytes() == first


def test_the_audit_screen_says_when_the_newest_entries_were_deleted(client, auth, record_entries):
    made = record_entries(3)
    checkpoints.write_checkpoint()
    _tamper("DELETE FROM audit_log WHERE id = :id", id=made[2].id)
    auth.login_as("supervisor")
    page = client.get("/nl/tickets/audit?verify=1").get_data(as_text=True)
    assert f"Auditlogboek INGEKORT: de regels na regel {made[1].id} ontbreken" in page
    assert 'role="alert"' in page


def test_the_audit_key_never_enters_the_config():
    from content.config import environment_settings

    assert (
        environment_settings({"TRACING_AUDIT_KEY": base64.b64encode(os.urandom(32)).decode()}) == {}
    )
