"""Certification: learners see their certificates, anyone verifies one, admins manage."""

from __future__ import annotations

from content.auth.roles import AUTHENTICATED, PUBLIC
from tests.permission_rows import ANONYMOUS, EVERYONE_SIGNED_IN

MANAGE = ("lms.manage_certificates", {"admin"})

ROWS = {
    # Holders see their own certificates; another's certificate id answers 404 in the view.
    "certification.list_certificates": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "certification.download_certificate": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    "certification.retake_exam": (AUTHENTICATED, EVERYONE_SIGNED_IN),
    # The verification page is public: its code is the secret.
    "certification.verify_certificate": (PUBLIC, {ANONYMOUS, *EVERYONE_SIGNED_IN}),
    "certification.manage_certificates": MANAGE,
    "certification.revoke_certificate": MANAGE,
    "certification.grant_exemption": MANAGE,
    "certification.list_events": MANAGE,
    "certification.manage_certifications": MANAGE,
    "certification.new_certification": MANAGE,
    "certification.edit_certification": MANAGE,
}
