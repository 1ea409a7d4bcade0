"""Incremental export of collected data: tickets, call attempts and filled forms.

Records come from the change feed (:mod:`tracing_app.exchange.changes`) in pages, each
built from the record's state when the page is read. What leaves the site is decided
by configuration and defaults to the minimum:

- ``EXCHANGE_TICKET_FIELDS``: personal fields of tickets to send, each ``"clear"`` or
  ``"pseudonym"`` (a keyed hash, stable per person); fields not listed are left out.
  Default: the national number as a pseudonym, nothing else.
- ``EXCHANGE_ANSWER_FIELDS``: the same per script field name, for answers. Fields not
  listed follow their kind: identifiers (national number) as a pseudonym, other
  identifiers (phone, e-mail, postcode, birth date) and free text left out, everything
  else (choices, numbers, dates, computed values) in clear.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from flask import current_app
from sqlalchemy import bindparam, inspect, select
from sqlalchemy.orm import selectinload

from content.extensions import db
from tracing_app import identifiers
from tracing_app.exchange import changes
from tracing_app.exchange.pseudonyms import pseudonym, pseudonym_key
from tracing_app.protection.crypto import context_for, decrypt
from tracing_app.protection.data_keys import row_key_rings
from tracing_app.protection.keyring import current_key_ring
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.definition import TEXT
from tracing_app.scripts.models import FormResponse, ScriptVersion
from tracing_app.tickets.models import Ticket

CLEAR = "clear"
PSEUDONYM = "pseudonym"
OMIT = "omit"
POLICIES = (CLEAR, PSEUDONYM, OMIT)

#: Feed names in URLs and the CLI -> change kinds
FEEDS = {"tickets": changes.TICKET, "attempts": changes.ATTEMPT, "forms": changes.FORM}
FORMATS = ("jsonl", "csv", "json", "fhir")
MAX_PAGE = 5000

#: The kind of a ticket record whose personal data was purged (docs/retention.md).
TOMBSTONE = "tombstone"
TICKET_COLUMNS = ["reference", "status", "language", "created_dt", "updated_dt"]
ATTEMPT_COLUMNS = [
    "id", "ticket", "campaign", "outcome", "started_dt", "ended_dt", "callback_dt",
]  # fmt: skip
FORM_COLUMNS = [
    "id", "ticket", "form_id", "version", "version_number", "language", "state",
    "updated_dt", "completed_dt",
]  # fmt: skip


class ExportConfigError(ValueError):
    """A field policy in the settings is not clear, pseudonym or omit."""


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _policies(setting: str) -> dict[str, str]:
    policies = dict(current_app.config.get(setting) or {})
    wrong = sorted(name for name, policy in policies.items() if policy not in POLICIES)
    if wrong:
        raise ExportConfigError(f"{setting}: unknown policy for {', '.join(wrong)}")
    return policies


def _apply(policy: str, kind: str, value, key: bytes | None = None):
    if policy == CLEAR:
        return value
    if policy == PSEUDONYM:
        return pseudonym(kind, value, key)
    return None


# Tickets -----------------------------------------------------------------------------


def _ids_in(column, ids: list[int]):
    """Return ``column IN ids`` with the integers written into the statement.

    A page holds thousands of ids, and binding each as a parameter costs more than the
    query itself; they are integers from the feed, never user input.
    """
    return column.in_(bindparam("ids", ids, expanding=True, literal_execute=True))


def ticket_records(ids: list[int]) -> list[dict]:
    """Records of these tickets (missing ones, deleted since, are left out)."""
    policies = {name: p for name, p in _policies("EXCHANGE_TICKET_FIELDS").items() if p != OMIT}
    ring = current_key_ring() if policies else None
    key = pseudonym_key() if PSEUDONYM in policies.values() else None
    columns = [
        Ticket.id, Ticket.reference, Ticket.status, Ticket.language, Ticket.created_dt,
        Ticket.updated_dt, Ticket.purged_dt,
        *(getattr(Ticket, f"{name}_enc") for name in sorted(policies)),
    ]  # fmt: skip
    tickets = {
        row.id: row for row in db.session.execute(select(*columns).where(_ids_in(Ticket.id, ids)))
    }
    row_rings = row_key_rings("tickets", list(tickets), ring) if policies else {}
    records = []
    for ticket_id in ids:
        ticket = tickets.get(ticket_id)
        if ticket is None:
            continue
        record = {
            # A purged ticket is sent once more as a tombstone: the institute deletes too.
            "kind": TOMBSTONE if ticket.purged_dt is not None else "ticket",
            "reference": ticket.reference,
            "status": ticket.status,
            "language": ticket.language,
            "created_dt": _iso(ticket.created_dt),
            "updated_dt": _iso(ticket.updated_dt),
        }
        if ticket.purged_dt is not None:
            records.append(record)
            continue
        for name, policy in sorted(policies.items()):
            token = getattr(ticket, f"{name}_enc")
            value = decrypt(
                token,
                context=context_for("tickets", ticket.id, name),
                key_ring=row_rings.get(ticket.id, ring),
            )
            label = name if policy == CLEAR else f"{name}_pseudonym"
            record[label] = _apply(policy, name, value, key)
        records.append(record)
    return records


def ticket_columns() -> list[str]:
    """CSV columns of ticket records under the current settings."""
    policies = _policies("EXCHANGE_TICKET_FIELDS")
    extra = [
        name if policy == CLEAR else f"{name}_pseudonym"
        for name, policy in sorted(policies.items())
        if policy != OMIT
    ]
    return ["kind", *TICKET_COLUMNS, *extra]


# Attempts ----------------------------------------------------------------------------


def attempt_records(ids: list[int]) -> list[dict]:
    """Records of these call attempts: outcomes and times, never the agent's note."""
    from tracing_app.calls.models import CallAttempt, CallOrder

    query = (
        select(CallAttempt, CallOrder.campaign_id, Ticket.reference)
        .join(CallOrder, CallAttempt.order_id == CallOrder.id)
        .outerjoin(Ticket, CallOrder.ticket_id == Ticket.id)
        .where(_ids_in(CallAttempt.id, ids))
    )
    found = {row[0].id: row for row in db.session.execute(query)}
    names = _campaign_names()
    records = []
    for attempt_id in ids:
        if attempt_id not in found:
            continue
        attempt, campaign_id, reference = found[attempt_id]
        records.append(
            {
                "kind": "attempt",
                "id": attempt.id,
                "ticket": reference,
                "campaign": names.get(campaign_id),
                "outcome": attempt.outcome,
                "started_dt": _iso(attempt.started_dt),
                "ended_dt": _iso(attempt.ended_dt),
                "callback_dt": _iso(attempt.callback_dt),
            }
        )
    return records


def _campaign_names() -> dict[int, str]:
    from tracing_app.calls.models import Campaign

    return dict(db.session.execute(select(Campaign.id, Campaign.name)).all())


# Forms -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _FieldInfo:
    type: str
    identifier: str | None


@lru_cache(maxsize=256)
def _fields_of(version_id: int, definition_csv: str) -> dict[str, _FieldInfo]:
    version = db.session.get(ScriptVersion, version_id)
    definition = scripts.definition(version)
    return {q.name: _FieldInfo(q.type, q.validation) for q in definition.walk()}


def answer_policy(field: _FieldInfo | None, name: str, overrides: dict[str, str]) -> str:
    """Return what to do with one answer: the settings' word, else the default by kind."""
    if name in overrides:
        return overrides[name]
    if field is None:
        return OMIT  # an answer the script does not describe (any more): not ours to send
    if field.identifier == identifiers.NATIONAL_NUMBER:
        return PSEUDONYM
    if field.identifier is not None and field.identifier != identifiers.DATE:
        return OMIT
    if field.type == TEXT:
        return OMIT
    return CLEAR


def form_records(ids: list[int]) -> list[dict]:
    """Records of these filled forms, answers keyed by field name (repeats: ``group.N.name``)."""
    overrides = _policies("EXCHANGE_ANSWER_FIELDS")
    secret = pseudonym_key()
    query = (
        select(FormResponse)
        .where(_ids_in(FormResponse.id, ids))
        .options(selectinload(FormResponse.script_version).selectinload(ScriptVersion.script))
    )
    held = set(db.session.identity_map.keys())
    forms = {form.id: form for form in db.session.scalars(query)}
    tickets = dict(
        db.session.execute(
            select(Ticket.script_response_id, Ticket.reference).where(
                _ids_in(Ticket.script_response_id, ids)
            )
        ).all()
    )
    records = []
    for form_id in ids:
        form = forms.get(form_id)
        if form is None:
            continue
        version = form.script_version
        fields = _fields_of(version.id, version.definition_csv)
        answers = {}
        for key, value in sorted(scripts.answers(form).items()):
            name = key.rsplit(".", 1)[-1]
            policy = answer_policy(fields.get(name), name, overrides)
            if policy == OMIT or value in ("", None):
                continue
            info = fields.get(name)
            kind = (info.identifier if info else None) or name
            label = key if policy == CLEAR else f"{key}_pseudonym"
            answers[label] = _apply(policy, kind, value, secret)
        records.append(
            {
                "kind": "form",
                "id": form.id,
                "ticket": tickets.get(form.id),
                "form_id": version.script.form_id,
                "version": version.version_label,
                "version_number": version.number,
                "language": form.language,
                "state": form.state,
                "updated_dt": _iso(form.updated_dt),
                "completed_dt": _iso(form.completed_dt),
                "answers": answers,
            }
        )
    # Forms loaded only for this page leave the session, so a long export stays flat.
    for form in forms.values():
        if inspect(form).key not in held:
            db.session.expunge(form)
    return records


BUILDERS = {
    changes.TICKET: ticket_records,
    changes.ATTEMPT: attempt_records,
    changes.FORM: form_records,
}


# Pages and formats -------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of a feed: its records and the cursor to ask for the next one."""

    records: list[dict]
    next_cursor: str
    more: bool


def read_page(feed: str, cursor: str | None, limit: int) -> Page:
    """Read one page of a feed after ``cursor``.

    :raise KeyError: unknown feed.
    :raise changes.CursorError: a cursor the site did not give out.
    """
    kind = FEEDS[feed]
    limit = max(1, min(limit, MAX_PAGE))
    rows, after = changes.page(kind, changes.Cursor.decode(cursor), limit)
    records = BUILDERS[kind](changes.subjects(rows))
    return Page(records, after.encode(), more=len(rows) == limit)


def iterate(feed: str, cursor: str | None, *, batch: int = 1000) -> Iterator[tuple[dict, str]]:
    """Yield every record after ``cursor`` with the cursor after it, batch by batch.

    Memory stays flat: one batch of records at a time.
    """
    while True:
        page = read_page(feed, cursor, batch)
        for record in page.records:
            yield record, page.next_cursor
        cursor = page.next_cursor
        if not page.more:
            return


def jsonl_lines(records) -> Iterator[str]:
    """Records as JSON Lines."""
    for record in records:
        yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def csv_columns(feed: str) -> list[str]:
    """CSV columns of a feed; forms come one row per answer (long format)."""
    if feed == "tickets":
        return ticket_columns()
    if feed == "attempts":
        return ["kind", *ATTEMPT_COLUMNS]
    return ["kind", *FORM_COLUMNS, "field", "value"]


def csv_lines(feed: str, records) -> Iterator[str]:
    """Records as CSV with a header row; form answers one per row."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, csv_columns(feed), extrasaction="ignore")

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writeheader()
    yield flush()
    for record in records:
        if feed == "forms":
            for field, value in record["answers"].items() or [("", "")]:
                writer.writerow({**record, "field": field, "value": value})
        else:
            writer.writerow(record)
        yield flush()
