"""What certification adds to the dashboard: expiry warnings and the administrators' links."""

from __future__ import annotations

from flask import g
from flask_babel import format_date

from content.core.panels import DashboardPanel, PanelLink
from content.i18n import _
from lms.certification import operations


def dashboard_panels(user) -> list[DashboardPanel]:
    """Return the holder's expiry warnings, and the administration panel for managers."""
    panels = []
    warnings = []
    for certificate in operations.current_certificates(user):
        title = certificate.certification.title(g.lang_code)
        if operations.expires_soon(certificate):
            warnings.append(
                _(
                    "Your certificate “%(title)s” expires on %(date)s: "
                    "retake the exam to renew it.",
                    title=title,
                    date=format_date(certificate.expires_dt, "long"),
                )
            )
        elif operations.status(certificate) == operations.EXPIRED:
            warnings.append(
                _(
                    "Your certificate “%(title)s” has expired: retake the exam to renew it.",
                    title=title,
                )
            )
    if warnings:
        panels.append(
            DashboardPanel(
                _("Your certificates"),
                items=warnings,
                links=[PanelLink(_("My certificates"), "certification.list_certificates")],
                order=90,  # before the training panel: it asks for action
            )
        )
    if user.can("lms.manage_certificates"):
        panels.append(
            DashboardPanel(
                _("Certificates"),
                items=[_("Define certifications, revoke certificates and grant exemptions.")],
                links=[
                    PanelLink(_("Certificates"), "certification.manage_certificates"),
                    PanelLink(_("Certifications"), "certification.manage_certifications"),
                ],
                order=120,
            )
        )
    return panels
