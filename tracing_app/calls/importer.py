"""Import call orders from CSV or JSON: validate everything first, then all or nothing.

Each record names a person to call (columns/keys in :data:`COLUMNS`; ``phone`` is
required). Every record is checked with the project's identifier rules before anything
is written; one problem anywhere imports nothing, and the problems are reported by row,
field and reason (translated; never the value itself, which may be personal data).

Each valid record then creates or links a ticket (``create_or_link_ticket``) and, unless
that ticket already has an open order in the campaign, queues a call order. Records of
the same person within the file end on one ticket and one order: the later record is
reported as linked to the earlier row, never created twice.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from content.extensions import db
from content.i18n import _
from content.limits import LimitExceeded, UnreadableText, check_size, decode_text
from tracing_app import identifiers
from tracing_app.calls.models import CLAIMED, QUEUED, CallOrder, Campaign
from tracing_app.calls.operations import enqueue
from tracing_app.tickets.operations import PersonData, create_or_link_ticket

COLUMNS = (
    "external_id",
    "first_name",
    "last_name",
    "national_number",
    "birth_date",
    "phone",
    "email",
    "language",
    "priority",
    "due",
)
PRIORITY_RANGE = (-100, 100)
#: Written into the audit log as the source of the tickets created or linked.
SOURCE = "calls.import"


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported: its row (0: the file itself), field, message."""

    row: int
    field: str
    message: str


class ImportRejected(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s); nothing imported")
        self.problems = problems


@dataclass
class Record:
    """A validated record, ready to import."""

    row: int
    external_id: str | None
    person: PersonData
    priority: int
    due_dt: dt.datetime | None


@dataclass
class Summary:
    """What an import did. Rows are the file's row numbers; tickets are references."""

    orders: int = 0
    tickets_created: int = 0
    tickets_linked: int = 0
    #: Rows that are the same person as an earlier row or an open order: no second order.
    already_queued: list[int] = field(default_factory=list)
    #: (row, ticket reference, [references of likely duplicates]) to show for merging.
    possible_duplicates: list[tuple[int, str, list[str]]] = field(default_factory=list)


def read_records(data: bytes, filename: str) -> list[tuple[int, dict]]:
    """Parse a CSV (header row) or JSON file (a list of objects) into (row, mapping) pairs.

    Text is decoded by :func:`content.limits.decode_text` (a byte-order mark decides, else
    UTF-8, else Windows-1252); CSV lines may end in CRLF, LF or a bare CR (old Mac and
    Excel exports). CSV rows are numbered as lines of the file (the header is line 1);
    JSON records from 1.

    :raise ImportRejected: unreadable file, unknown columns, or too many rows or bytes.
    """
    max_bytes = current_app.config["IMPORT_MAX_BYTES"]
    max_rows = current_app.config["IMPORT_MAX_ROWS"]
    try:
        check_size(data, max_bytes)
        text = decode_text(data)
    except (LimitExceeded, UnreadableText) as exc:
        raise ImportRejected([Problem(0, "", exc.message)]) from None
    is_json = filename.lower().endswith(".json")
    records = _json_records(text, max_rows) if is_json else _csv_records(text, max_rows)
    if not records:
        raise ImportRejected([Problem(0, "", _("The file has no call orders."))])
    return records


def _too_many_rows(max_rows: int) -> ImportRejected:
    return ImportRejected([Problem(0, "", LimitExceeded("rows", max_rows).message)])


def _json_records(text: str, max_rows: int) -> list[tuple[int, dict]]:
    try:
        payload = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportRejected(
            [Problem(0, "", _("The file is not valid JSON (line %(line)d).", line=exc.lineno))]
        ) from None
    except (ValueError, RecursionError):  # numbers of thousands of digits, deep nesting
        raise ImportRejected([Problem(0, "", _("The file is not valid JSON."))]) from None
    if isinstance(payload, dict):
        payload = payload.get("orders")
    if not isinstance(payload, list):
        raise ImportRejected(
            [Problem(0, "", _('JSON must be a list of objects, or {"orders": [...]}.'))]
        )
    if len(payload) > max_rows:
        raise _too_many_rows(max_rows)
    problems, records = [], []
    for number, item in enumerate(payload, start=1):
        if not isinstance(item, dict):
            problems.append(Problem(number, "", _("This record is not an object.")))
            continue
        unknown = sorted(set(item) - set(COLUMNS))
        problems += [Problem(number, key[:100], _("Unknown field.")) for key in unknown]
        values = {}
        for key in set(item) & set(COLUMNS):
            value = item[key]
            if isinstance(value, dict | list):
                problems.append(Problem(number, key, _("Give a text or a number.")))
            elif isinstance(value, str) and "\x00" in value:  # PostgreSQL refuses NUL
                problems.append(Problem(number, key, _("This value contains a NUL character.")))
            else:
                values[key] = "" if value is None else str(value)
        records.append((number, values))
    if problems:
        raise ImportRejected(problems)
    return records


def _csv_records(text: str, max_rows: int) -> list[tuple[int, dict]]:
    # Universal newlines: CRLF, LF and a bare CR all end a line (also inside quotes).
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    first_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader, [])]
        unknown = [name for name in header if name not in COLUMNS]
        if not any(header) or unknown:
            problems = [Problem(1, name[:100], _("Unknown column.")) for name in unknown]
            raise ImportRejected(problems or [Problem(1, "", _("The file has no header row."))])
        records = []
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank line
            if len(records) >= max_rows:
                raise _too_many_rows(max_rows)
            if len(cells) > len(header):
                raise ImportRejected(
                    [Problem(reader.line_num, "", _("This row has more cells than the header."))]
                )
            records.append((reader.line_num, dict(zip(header, cells, strict=False))))
    except csv.Error:
        raise ImportRejected(
            [Problem(reader.line_num, "", _("This line cannot be read as CSV."))]
        ) from None
    return records


def validate(
    records: list[tuple[int, dict]], campaign: Campaign, *, today: dt.date
) -> tuple[list[Record], list[Problem]]:
    """Check every record; return the valid ones and every problem found."""
    problems: list[Problem] = []
    valid: list[Record] = []
    seen_external: dict[str, int] = {}
    existing = set(
        db.session.scalars(
            select(CallOrder.external_id).where(
                CallOrder.campaign_id == campaign.id, CallOrder.external_id.is_not(None)
            )
        )
    )
    languages = current_app.config["LANGUAGES"]
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    for row, item in records:
        found: list[Problem] = []

        def check(kind: str, name: str, row=row, item=item, found=found) -> str | None:
            """Return the normalized value, or None when empty or refused (then noted)."""
            value, message = identifiers.validate(kind, item.get(name, ""), today=today)
            if message:
                found.append(Problem(row, name, message))
                return None
            return value or None

        external_id = item.get("external_id", "").strip() or None
        if external_id is not None:
            if len(external_id) > 100:
                found.append(Problem(row, "external_id", _("At most 100 characters.")))
            elif external_id in existing:
                found.append(
                    Problem(
                        row, "external_id", _("This order was already imported in the campaign.")
                    )
                )
            elif external_id in seen_external:
                found.append(
                    Problem(
                        row,
                        "external_id",
                        _("Same identifier as row %(row)d.", row=seen_external[external_id]),
                    )
                )
            else:
                seen_external[external_id] = row
        first_name = item.get("first_name", "").strip() or None
        last_name = item.get("last_name", "").strip() or None
        for name, value in (("first_name", first_name), ("last_name", last_name)):
            if value and len(value) > 200:
                found.append(Problem(row, name, _("At most 200 characters.")))
        if not first_name and not last_name:
            found.append(Problem(row, "last_name", _("Give a first or last name.")))
        national_number = check(identifiers.NATIONAL_NUMBER, "national_number")
        birth_text = check(identifiers.BIRTH_DATE, "birth_date")
        birth_date = dt.date.fromisoformat(birth_text) if birth_text else None
        if (
            national_number
            and birth_date
            and not identifiers.birth_date_matches(national_number, birth_date)
        ):
            found.append(
                Problem(
                    row, "birth_date", _("The date of birth does not match the national number.")
                )
            )
        phone = check(identifiers.PHONE, "phone")
        if not phone and not any(p.field == "phone" for p in found):
            found.append(Problem(row, "phone", _("A phone number is required.")))
        email = check(identifiers.EMAIL, "email")
        language = item.get("language", "").strip().lower() or "nl"
        if language not in languages:
            found.append(
                Problem(row, "language", _("Use one of: %(list)s.", list=", ".join(languages)))
            )
        priority = _priority(item.get("priority", ""), row, found)
        due_dt = _due(item.get("due", ""), zone, row, found)
        problems += found
        if not found:
            valid.append(
                Record(
                    row=row,
                    external_id=external_id,
                    person=PersonData(
                        first_name=first_name,
                        last_name=last_name,
                        national_number=national_number,
                        birth_date=birth_date,
                        phone=phone,
                        email=email,
                        language=language,
                    ),
                    priority=priority,
                    due_dt=due_dt,
                )
            )
    return valid, problems


def _priority(text: str, row: int, found: list[Problem]) -> int:
    text = text.strip()
    if not text:
        return 0
    try:
        value = int(text)
    except ValueError:
        value = None
    low, high = PRIORITY_RANGE
    if value is None or not low <= value <= high:
        found.append(
            Problem(
                row, "priority", _("A whole number from %(low)d to %(high)d.", low=low, high=high)
            )
        )
        return 0
    return value


def _due(text: str, zone: ZoneInfo, row: int, found: list[Problem]) -> dt.datetime | None:
    """Parse ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` (Belgian time unless an offset is given)."""
    text = text.strip()
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        found.append(
            Problem(row, "due", _("Enter a date and time as YYYY-MM-DD or YYYY-MM-DDTHH:MM."))
        )
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:  # the first or last days of the calendar
        found.append(Problem(row, "due", _("This date is out of range.")))
        return None


def import_orders(
    data: bytes, filename: str, campaign: Campaign, *, actor, now: dt.datetime
) -> Summary:
    """Validate the whole file, then create or link tickets and queue orders; flushed.

    :raise ImportRejected: with every problem, by row; nothing was written.
    """
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    records = read_records(data, filename)
    valid, problems = validate(records, campaign, today=now.astimezone(zone).date())
    if problems:
        raise ImportRejected(problems)
    summary = Summary()
    open_orders = _open_orders_by_ticket(campaign)
    for record in valid:
        ticket, created, duplicates = create_or_link_ticket(
            record.person, actor=actor, source=SOURCE
        )
        if created:
            summary.tickets_created += 1
        else:
            summary.tickets_linked += 1
        if duplicates:
            summary.possible_duplicates.append(
                (record.row, ticket.reference, [other.reference for other in duplicates])
            )
        if ticket.id in open_orders:
            summary.already_queued.append(record.row)
            continue
        order = enqueue(
            campaign,
            due_dt=record.due_dt or now,
            priority=record.priority,
            external_id=record.external_id,
        )
        order.ticket_id = ticket.id
        open_orders.add(ticket.id)
        summary.orders += 1
    db.session.flush()
    return summary


def _open_orders_by_ticket(campaign: Campaign) -> set[int]:
    return set(
        db.session.scalars(
            select(CallOrder.ticket_id).where(
                CallOrder.campaign_id == campaign.id,
                CallOrder.state.in_((QUEUED, CLAIMED)),
                CallOrder.ticket_id.is_not(None),
            )
        )
    )
