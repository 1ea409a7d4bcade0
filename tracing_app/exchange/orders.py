"""Call orders sent through the API: the CSV import's rules, all or nothing, once per batch."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from content.auth.models import utcnow
from content.db import savepoint
from content.extensions import db
from content.i18n import _
from tracing_app.calls import importer
from tracing_app.calls.models import Campaign
from tracing_app.exchange.models import ApiClient, ApiOrderBatch


@dataclass(frozen=True)
class BatchRefused(Exception):
    """The batch cannot be imported; ``errors`` are per item (``item`` 0: the request)."""

    errors: list[dict]


def _result(batch_id: str, campaign: Campaign, summary: importer.Summary) -> dict:
    return {
        "batch_id": batch_id,
        "campaign": campaign.name,
        "orders_queued": summary.orders,
        "tickets_created": summary.tickets_created,
        "tickets_linked": summary.tickets_linked,
        "already_queued": summary.already_queued,
        "possible_duplicates": [
            {"item": row, "ticket": reference, "others": others}
            for row, reference, others in summary.possible_duplicates
        ],
    }


def _request_error(field: str, message: str) -> BatchRefused:
    return BatchRefused([{"item": 0, "field": field, "message": message}])


def read_body(data: bytes) -> object:
    """Return the JSON of a request body (UTF-8, UTF-16 or UTF-32, as RFC 8259 allows).

    :raise BatchRefused: the body is not JSON (also: nested too deeply, numbers too long).
    """
    try:
        return json.loads(data)
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError too
        raise _request_error(
            "", _("Send a JSON object with batch_id, campaign and orders.")
        ) from None


def import_batch(client: ApiClient, payload: object) -> tuple[dict, bool]:
    """Import a batch ``{"batch_id", "campaign", "orders": [...]}``; flushed, not committed.

    :return: (result, replayed): a batch the client sent before gets its first answer again.
    :raise BatchRefused: with every problem; nothing was written.
    """
    if not isinstance(payload, dict):
        raise _request_error("", _("Send a JSON object with batch_id, campaign and orders."))
    batch_id = payload.get("batch_id")
    if (
        not isinstance(batch_id, str)
        or not 1 <= len(batch_id.strip()) <= 100
        or "\x00" in batch_id  # PostgreSQL refuses NUL in text
    ):
        raise _request_error("batch_id", _("Give the batch an identifier of 1 to 100 characters."))
    batch_id = batch_id.strip()
    earlier = _earlier(client, batch_id)
    if earlier is not None:
        return json.loads(earlier.result_json), True
    name = payload.get("campaign")
    campaign = (
        db.session.scalar(select(Campaign).where(Campaign.name == name))
        if isinstance(name, str) and "\x00" not in name
        else None
    )
    if campaign is None:
        raise _request_error("campaign", _("No campaign of that name."))
    orders = payload.get("orders")
    if not isinstance(orders, list):
        raise _request_error("orders", _("orders must be a list of objects."))
    # Claim the batch identifier first: a twin request waits on the unique index until this
    # one commits, then finds the batch and replays its answer instead of importing again.
    batch = ApiOrderBatch(
        client_id=client.id, batch_id=batch_id, campaign_id=campaign.id, result_json="{}"
    )
    try:
        with savepoint():
            db.session.add(batch)
    except IntegrityError:
        earlier = _earlier(client, batch_id)
        if earlier is None:
            raise
        return json.loads(earlier.result_json), True
    data = json.dumps(orders).encode()
    try:
        summary = importer.import_orders(data, "batch.json", campaign, actor=None, now=utcnow())
    except importer.ImportRejected as exc:
        raise BatchRefused(
            [{"item": p.row, "field": p.field, "message": p.message} for p in exc.problems]
        ) from None
    result = _result(batch_id, campaign, summary)
    batch.result_json = json.dumps(result)
    return result, False


def _earlier(client: ApiClient, batch_id: str) -> ApiOrderBatch | None:
    return db.session.scalar(
        select(ApiOrderBatch).where(
            ApiOrderBatch.client_id == client.id, ApiOrderBatch.batch_id == batch_id
        )
    )
