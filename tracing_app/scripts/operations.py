"""Rules for scripts: uploading versions, publishing, retiring, and filling forms."""

from __future__ import annotations

import datetime
import functools
import json

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import object_session
from sqlalchemy.orm.attributes import set_committed_value

from content.auth.models import utcnow
from content.extensions import db
from content.i18n import _
from content.revisions.operations import DiffLine, diff_text
from tracing_app.protection.crypto import context_for, decrypt, encrypt
from tracing_app.protection.keyring import current_key_ring
from tracing_app.protection.registry import EncryptedTable, register_encrypted_table
from tracing_app.scripts import signals, xlsform
from tracing_app.scripts.definition import END, START, USERNAME, ScriptDefinition
from tracing_app.scripts.engine import FormState, evaluate_form, initial_answers
from tracing_app.scripts.models import (
    COMPLETED,
    DRAFT,
    IN_PROGRESS,
    PUBLISHED,
    RETIRED,
    FormResponse,
    Script,
    ScriptVersion,
)

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ScriptError(ValueError):
    """A rule for scripts was broken; the message is translated and safe to show."""


class StaleAnswers(Exception):
    """The answers were saved from another tab or window since this one loaded them."""


def today() -> datetime.date:
    """Return today's date in the site's time zone (Belgium)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.datetime.now(zone).date()


@functools.lru_cache(maxsize=64)
def _definition(version_id: int, source: str) -> ScriptDefinition:
    return xlsform.load(source.encode("utf-8"), "definition.csv")


def definition(version: ScriptVersion) -> ScriptDefinition:
    """Return a version's definition; versions never change, so it is parsed once per process."""
    return _definition(version.id, version.definition_csv)


def upload_version(
    data: bytes, filename: str, *, actor, notes: list[xlsform.Problem] | None = None
) -> ScriptVersion:
    """Add a draft version from an XLSForm file.

    :param notes: receives the notes on how the file was read (a version made up, …).
    :raise ScriptError: when the file is empty or too large.
    :raise xlsform.XLSFormError: with every problem of the form (sheet, row, column).
    """
    if not data:
        raise ScriptError(_("The file is empty."))
    if len(data) > MAX_UPLOAD_BYTES:
        raise ScriptError(_("The file is too large."))
    parsed, problems = xlsform.read(data, filename)
    if parsed is None or any(not problem.is_note for problem in problems):
        raise xlsform.XLSFormError([problem for problem in problems if not problem.is_note])
    if notes is not None:
        notes += problems
    script = db.session.scalar(select(Script).where(Script.form_id == parsed.settings.form_id))
    if script is None:
        script = Script(form_id=parsed.settings.form_id)
        db.session.add(script)
        db.session.flush()
    number = (
        db.session.scalar(
            select(func.max(ScriptVersion.number)).where(ScriptVersion.script_id == script.id)
        )
        or 0
    ) + 1
    version = ScriptVersion(
        script=script,
        number=number,
        version_label=parsed.settings.version,
        definition_csv=xlsform.dump_csv(parsed).decode("utf-8-sig"),
        source_filename=filename[:255],
        source_file=data,
        created_by_id=actor.id if actor else None,
    )
    db.session.add(version)
    db.session.flush()
    return version


def publish(version: ScriptVersion) -> None:
    """Publish a draft: new calls use it; the version published before is retired.

    Forms already started keep the version they were started with.
    """
    if version.state != DRAFT:
        raise ScriptError(_("Only a draft can be published."))
    for other in version.script.versions:
        if other.state == PUBLISHED:
            other.state = RETIRED
            other.retired_dt = utcnow()
    version.state = PUBLISHED
    version.published_dt = utcnow()


def retire(version: ScriptVersion) -> None:
    """Stop offering a version for new calls."""
    if version.state == RETIRED:
        raise ScriptError(_("This version is already retired."))
    version.state = RETIRED
    version.retired_dt = utcnow()


def current_version(script: Script) -> ScriptVersion | None:
    """Return the published version of a script, or None."""
    return next((v for v in reversed(script.versions) if v.state == PUBLISHED), None)


def list_scripts() -> list[Script]:
    """Return every script, by form id."""
    return list(db.session.scalars(select(Script).order_by(Script.form_id)))


def compare_versions(old: ScriptVersion, new: ScriptVersion) -> list[DiffLine]:
    """Compare two versions line by line, in the CSV form authors also read."""
    return diff_text(old.definition_csv, new.definition_csv)


def start_form(
    version: ScriptVersion, *, agent, language: str, response_id: int | None = None
) -> FormResponse:
    """Start filling a published version, with its default answers; flushed.

    :param response_id: an id reserved for the form (e.g. a sequence value), so that its
        encrypted answers are inserted with the row: one statement instead of two.
    """
    if version.state != PUBLISHED:
        raise ScriptError(_("This script version is not published."))
    response = FormResponse(
        id=response_id,
        script_version=version,
        agent_id=agent.id,
        language=language,
    )
    db.session.add(response)
    if response_id is None:
        db.session.flush()  # the id binds the encrypted answers to this row
    store_answers(response, initial_answers(definition(version), today=today()))
    db.session.flush()
    return response


def new_form(
    version: ScriptVersion, *, agent, language: str, response_id: int, now: datetime.datetime
) -> FormResponse:
    """A new form of a published version with its default answers, not added to the session.

    For callers that insert the row themselves (with an id they reserved): every column
    holds its value, as :func:`start_form` would insert it.
    """
    if version.state != PUBLISHED:
        raise ScriptError(_("This script version is not published."))
    response = FormResponse(
        id=response_id,
        script_version_id=version.id,
        agent_id=agent.id,
        language=language,
        state=IN_PROGRESS,
        revision=0,
        created_dt=now,
        updated_dt=now,
        completed_dt=None,
    )
    store_answers(response, initial_answers(definition(version), today=today()))
    return response


#: Answers hold personal data: they are stored as one AES-GCM token bound to
#: ``form_responses:<id>:answers_json`` (see docs/personal-data.md), like a ticket's fields.
ANSWERS_TABLE = "form_responses"
ANSWERS_COLUMN = "answers_json"

# Key rotation re-encrypts the answers, and encrypts those of forms saved in plain JSON.
register_encrypted_table(
    EncryptedTable(FormResponse.__table__, {ANSWERS_COLUMN: ANSWERS_COLUMN}, plain_legacy=True)
)


def answers_context(response_id: int) -> str:
    """The encryption context of a form's answers."""
    return context_for(ANSWERS_TABLE, response_id, ANSWERS_COLUMN)


def store_answers(response: FormResponse, values: dict[str, str]) -> None:
    """Store a form's answers encrypted (the row must have its id: flush first)."""
    response.answers_json = _encrypted_answers(response.id, values)


def _encrypted_answers(response_id: int, values: dict[str, str]) -> str:
    return encrypt(
        json.dumps(values, sort_keys=True),
        context=answers_context(response_id),
        key_ring=current_key_ring(),
    )


def answers(response: FormResponse) -> dict[str, str]:
    """Return the saved answers of a form (decrypted; plain JSON of older forms as is)."""
    stored = response.answers_json
    if stored.startswith("v1:"):
        stored = decrypt(stored, context=answers_context(response.id), key_ring=current_key_ring())
    return json.loads(stored)


def state(response: FormResponse, answered: dict[str, str] | None = None) -> FormState:
    """Evaluate a form (its saved answers, or the given ones) in the call's language."""
    return evaluate_form(
        definition(response.script_version),
        answers(response) if answered is None else answered,
        language=response.language,
        today=today(),
        metadata=metadata(response),
    )


def metadata(response: FormResponse) -> dict[str, str]:
    """Return what a script's ODK metadata fields hold: start and end of the call, the agent."""
    end = response.completed_dt or utcnow()
    return {
        START: response.created_dt.isoformat(timespec="seconds"),
        END: end.isoformat(timespec="seconds"),
        USERNAME: response.agent.display_name if response.agent else "",
    }


def clean_answers(submitted: dict[str, str], submitted_state: FormState) -> dict[str, str]:
    """Keep only answers for the form's own fields (and repeat counts), as strings."""
    known = {slot.key for slot in submitted_state.slots}
    return {key: str(value)[:10_000] for key, value in submitted.items() if key in known}


def save_answers(
    response: FormResponse, submitted: dict[str, str], *, base_revision: int
) -> FormState:
    """Save answers (a draft: nothing is checked yet) and return the new state.

    :raise StaleAnswers: when the form was saved elsewhere after ``base_revision`` (or
        after this request read it); roll the session back.
    :raise ScriptError: when the form is already completed.
    """
    if response.state == COMPLETED:
        raise ScriptError(_("This form is completed and can no longer change."))
    if base_revision != response.revision:
        raise StaleAnswers
    submitted_state = state(response, submitted)
    cleaned = clean_answers(submitted, submitted_state)
    _write_answers(response, cleaned)
    # Evaluated once when nothing was dropped or cut (the usual save): the same answers.
    saved = submitted_state if cleaned == submitted else state(response, cleaned)
    # E.g. the citizen's identity answers update their ticket at once (tracing_app.calls.identity).
    signals.answers_saved.send(current_app._get_current_object(), response=response, state=saved)
    return saved


def _write_answers(response: FormResponse, values: dict[str, str]) -> None:
    """Write the answers with the next revision: one Core UPDATE, no unit of work.

    The UPDATE holds "WHERE revision = read": a save that landed since this request read
    the form (another tab, at the same moment) makes it match no row (as the mapper's
    ``version_id_col`` check would). The loaded row takes the written values as its own,
    so nothing is left for a flush; a language switched before goes in the same UPDATE.
    """
    table = FormResponse.__table__
    written = {
        "answers_json": _encrypted_answers(response.id, values),
        "revision": response.revision + 1,
        "updated_dt": utcnow(),
        "language": response.language,
    }
    result = object_session(response).execute(
        update(table)
        .where(table.c.id == response.id, table.c.revision == response.revision)
        .values(written)
    )
    if result.rowcount != 1:
        raise StaleAnswers
    for name, value in written.items():
        set_committed_value(response, name, value)


def set_language(response: FormResponse, language: str) -> None:
    """Switch the citizen's language during the call."""
    if language not in current_app.config["LANGUAGES"]:
        raise ScriptError(_("This language is not offered."))
    response.language = language


def complete(response: FormResponse) -> FormState:
    """Close the form when it has no error left; return its state either way."""
    current = state(response)
    if current.complete and response.state == IN_PROGRESS:
        saved = answers(response)
        saved.update(current.normalized)  # identifiers in their one stored form
        store_answers(response, saved)
        response.state = COMPLETED
        response.completed_dt = utcnow()
        # E.g. the contacts named by a case become call orders (tracing_app.calls.contacts).
        signals.form_completed.send(
            current_app._get_current_object(), response=response, state=current
        )
    return current


def open_forms(agent) -> list[FormResponse]:
    """Return the forms this agent started and did not complete, newest first."""
    return list(
        db.session.scalars(
            select(FormResponse)
            .where(FormResponse.agent_id == agent.id, FormResponse.state == IN_PROGRESS)
            .order_by(FormResponse.updated_dt.desc())
        )
    )
