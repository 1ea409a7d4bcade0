"""Opening the call script of a ticket's call: the new form and the ticket's link, one statement.

On PostgreSQL the own-call read reserved the form's id (tracing_app.calls.own_call), so
the form's INSERT and the ticket's UPDATE need nothing from each other: one statement,
built once per process, writes both (a data-modifying CTE) instead of two ORM flushes.
The ticket's UPDATE keeps the ORM's optimistic check of its ``version_id_col``: it
matches only the version read and writes the next one; no row matched is the ORM's
StaleDataError. Elsewhere (SQLite, a call without a ticket) the ORM writes them.
"""

from __future__ import annotations

import functools

from sqlalchemy import bindparam, insert, update
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.scripts import operations as scripts
from tracing_app.scripts.models import FormResponse, ScriptVersion
from tracing_app.tickets import operations as tickets
from tracing_app.tickets.models import Ticket

#: The ticket's columns linking a form writes (besides its version).
_LINK_COLUMNS = ("script_response_id", "status", "updated_dt")


def in_one_statement() -> bool:
    """Whether :func:`start_linked_form` applies: PostgreSQL (the read reserved the id)."""
    return db.session.get_bind().dialect.name == "postgresql"


def start_linked_form(
    version: ScriptVersion, ticket: Ticket, *, agent, response_id: int
) -> FormResponse:
    """Start the ticket's script form with the reserved id and link it (PostgreSQL).

    The form is written, not added to the session (the view redirects); the ticket's
    written values are its loaded ones. Audited as :func:`tickets.link_script_response`.

    :raise StaleDataError: if the ticket changed since it was read (as the ORM would).
    """
    response = scripts.new_form(
        version, agent=agent, language=ticket.language, response_id=response_id, now=utcnow()
    )
    link = tickets.script_link_values(ticket, response_id)
    params = {f"form_{key}": getattr(response, key) for key in _FORM_KEYS}
    params.update({f"link_{key}": value for key, value in link.items()})
    params.update(ticket_id=ticket.id, read_version=ticket.version, new_version=ticket.version + 1)
    if db.session.execute(_start_statement(), params).first() is None:
        raise StaleDataError(
            f"UPDATE statement on table 'tickets' expected to update 1 row(s); 0 were matched "
            f"(ticket {ticket.id}, version {ticket.version})."
        )
    for key, value in link.items():
        set_committed_value(ticket, key, value)
    set_committed_value(ticket, "version", params["new_version"])
    tickets.record_script_link(ticket, actor=agent)
    return response


#: The form's columns, each a parameter ``form_<key>`` of the statement.
_FORM_KEYS = [column.key for column in FormResponse.__table__.columns]


@functools.cache
def _start_statement():
    """The form's INSERT (a CTE) and the ticket's versioned UPDATE, built once per process."""
    forms, table = FormResponse.__table__, Ticket.__table__
    new_form = (
        insert(forms)
        .values({key: bindparam(f"form_{key}", type_=forms.c[key].type) for key in _FORM_KEYS})
        .cte("new_form")
    )
    values = {key: bindparam(f"link_{key}", type_=table.c[key].type) for key in _LINK_COLUMNS}
    values["version"] = bindparam("new_version", type_=table.c.version.type)
    return (
        update(table)
        .where(
            table.c.id == bindparam("ticket_id", type_=table.c.id.type),
            table.c.version == bindparam("read_version", type_=table.c.version.type),
        )
        .values(values)
        .add_cte(new_form)
        .returning(table.c.version)
    )
