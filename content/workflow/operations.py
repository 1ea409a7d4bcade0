"""The publication workflow: private → pending review → published, with reject and retract.

Modelled on Plone's simple publication workflow. The state is that of the item's latest
revision; publishing makes the latest revision the live one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from content import signals
from content.extensions import db
from content.i18n import _, _l
from content.items.models import PENDING, PRIVATE, PUBLISHED, ContentItem
from content.items.operations import ContentError
from content.workflow.models import WorkflowEvent


@dataclass(frozen=True)
class Transition:
    """A workflow step: from which states, to which state, and who may take it."""

    name: str
    label: Any
    sources: frozenset[str]
    target: str
    permission: str


TRANSITIONS = {
    t.name: t
    for t in [
        Transition(
            "submit", _l("Submit for review"), frozenset({PRIVATE}), PENDING, "content.edit"
        ),
        Transition(
            "publish", _l("Publish"), frozenset({PRIVATE, PENDING}), PUBLISHED, "content.review"
        ),
        Transition(
            "reject", _l("Send back to the author"), frozenset({PENDING}), PRIVATE, "content.review"
        ),
        Transition("retract", _l("Take offline"), frozenset(), PRIVATE, "content.review"),
    ]
}

STATE_LABELS = {
    PRIVATE: _l("Draft"),
    PENDING: _l("Pending review"),
    PUBLISHED: _l("Published"),
}


def _applies(transition: Transition, item: ContentItem) -> bool:
    if transition.name == "retract":
        return item.is_live  # retract takes the live revision offline, whatever the draft's state
    return item.state in transition.sources


def available_transitions(item: ContentItem, user) -> list[Transition]:
    """Return the transitions this user may take on the item now."""
    if item.is_root:
        return []
    return [t for t in TRANSITIONS.values() if _applies(t, item) and user.can(t.permission)]


def transition(item: ContentItem, name: str, *, actor, comment: str = "") -> WorkflowEvent:
    """Take a transition, record it with actor, time and comment, and announce it.

    :raise ContentError: unknown transition, not possible from the current state, or
        not allowed for the actor.
    """
    step = TRANSITIONS.get(name)
    if step is None or item.is_root or not _applies(step, item):
        raise ContentError(_("This step is not possible in the item's current state."))
    if not actor.can(step.permission):
        raise ContentError(_("You may not take this step."))
    from_state = item.state
    item.state = step.target
    if step.name == "publish":
        item.live_revision_number = item.latest_revision_number
    elif step.name == "retract":
        item.live_revision_number = None
    event = WorkflowEvent(
        item_id=item.id,
        transition=step.name,
        from_state=from_state,
        to_state=step.target,
        revision_number=item.latest_revision_number,
        actor_id=actor.id,
        comment=comment.strip(),
    )
    db.session.add(event)
    db.session.flush()
    signals.workflow_state_changed.send(
        current_app._get_current_object(),
        item=item,
        transition=step.name,
        from_state=from_state,
        to_state=step.target,
        actor=actor,
    )
    return event


def history(item: ContentItem) -> list[WorkflowEvent]:
    """Return the item's workflow events, newest first."""
    return list(
        db.session.scalars(
            select(WorkflowEvent)
            .where(WorkflowEvent.item_id == item.id)
            .order_by(WorkflowEvent.created_dt.desc(), WorkflowEvent.id.desc())
        )
    )
