"""Demo campaigns for ``tracing-app init --demo``: cases and contacts, with a few calls."""

from __future__ import annotations

from datetime import time

from sqlalchemy import select

from content.auth.models import utcnow
from content.extensions import db
from tracing_app.calls import importer
from tracing_app.calls.models import Campaign
from tracing_app.protection.keys import KeyRingError
from tracing_app.scripts.models import Script

#: (name, script form_id, priority, receives contacts)
CAMPAIGNS = [
    ("Cases", "outbound_case", 5, False),
    ("Contacts", "outbound_contact", 3, True),
]
#: Fictitious people.
DEMO_ORDERS = b"""external_id,first_name,last_name,birth_date,phone,language,priority
DEMO-1,Griet,Demeester,1985-07-30,0470 99 00 01,nl,5
DEMO-2,Jean,Demoulin,1972-03-14,0470 99 00 02,fr,3
DEMO-3,Lotte,Demaeght,1999-11-02,0470 99 00 03,nl,0
"""


def install_demo_campaigns() -> list[str]:
    """Create the demo campaigns that are missing; queue the demo calls once (idempotent)."""
    lines = []
    for name, form_id, priority, receives in CAMPAIGNS:
        if db.session.scalar(select(Campaign).where(Campaign.name == name)) is not None:
            continue
        script = db.session.scalar(select(Script).where(Script.form_id == form_id))
        campaign = Campaign(
            name=name,
            priority=priority,
            script_id=script.id if script else None,
            receives_contacts=receives,
            calling_start=time(8, 0),
            calling_end=time(21, 0),
        )
        db.session.add(campaign)
        db.session.flush()
        lines.append(f"campaign {name:<22} created")
        if name == "Cases":
            try:
                summary = importer.import_orders(
                    DEMO_ORDERS, "demo.csv", campaign, actor=None, now=utcnow()
                )
            except KeyRingError:
                lines.append("campaign Cases: no data keys yet, no demo calls (keys init)")
            else:
                lines.append(f"campaign Cases: {summary.orders} demo calls queued")
    return lines
