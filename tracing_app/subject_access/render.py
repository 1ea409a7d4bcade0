"""The export as a PDF in the citizen's language (content/pdf.py draws the page)."""

from __future__ import annotations

from flask_babel import force_locale

from content.i18n import _
from content.pdf import build_pdf
from tracing_app.calls.forms import OUTCOME_LABELS
from tracing_app.documents.operations import KIND_LABELS


def _labels() -> dict[str, str]:
    """Labels of the personal fields (the ticket page's own, so already translated)."""
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "national_number": _("National register number"),
        "birth_date": _("Birth date"),
        "phone": _("Phone number"),
        "email": _("E-mail address"),
        "address": _("Address"),
        "notes": _("Notes"),
    }


def _section(title: str) -> tuple[str, str]:
    return (title.upper(), "")


def pdf(data: dict) -> bytes:
    """Draw the export in the ticket's language."""
    language = data["ticket"]["language"]
    with force_locale(language):
        fields = [(_("Ticket"), data["ticket"]["reference"]), _section(_("Personal data"))]
        labels = _labels()
        fields += [(labels[name], value or "–") for name, value in data["personal_data"].items()]
        fields.append(_section(_("Script answers")))
        fields += [(answer["label"], answer["value"]) for answer in data["script_answers"]]
        fields.append(_section(_("Call attempts")))
        for attempt in data["call_attempts"]:
            outcome = OUTCOME_LABELS.get(attempt["outcome"], attempt["outcome"])
            note = f" – {attempt['note']}" if attempt["note"] else ""
            fields.append((attempt["started_dt"][:16].replace("T", " "), f"{outcome}{note}"))
        fields.append(_section(_("Escalations")))
        for escalation in data["escalations"]:
            text = escalation["question"] or ""
            if escalation["answer"]:
                text += f"\n{escalation['answer']}"
            fields.append((escalation["created_dt"][:16].replace("T", " "), text))
        fields.append(_section(_("Documents issued")))
        for document in data["documents"]:
            fields.append(
                (
                    document["issued_dt"][:10],
                    str(KIND_LABELS.get(document["kind"], document["kind"])),
                )
            )
        fields.append(_section(_("Accesses to your file")))
        for access in data["accesses"]:
            why = f" ({access['why']})" if access["why"] else ""
            fields.append(
                (access["when"][:16].replace("T", " "), f"{access['who']}: {access['action']}{why}")
            )
        return build_pdf(
            title=_("Your personal data"),
            fields=fields,
            paragraph=_(
                "This is a copy of the personal data the contact-tracing centre holds about "
                "you (GDPR article 15), with every access to your file: when, by which staff "
                "account and why."
            ),
            language=language,
        )
