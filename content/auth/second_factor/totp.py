"""Time-based one-time passwords (RFC 6238) with pyotp, and their QR code with segno."""

from __future__ import annotations

import time

import pyotp
import segno

#: Codes of the step before and after the current one are accepted (clock drift).
DRIFT_STEPS = 1


def new_secret() -> str:
    """Return a fresh base32 secret (160 bits, as RFC 4226 recommends)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, *, account: str, issuer: str) -> str:
    """Return the ``otpauth://`` URI an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)


def qr_svg(uri: str) -> str:
    """Return the QR code of a URI as an inline SVG element (no external request)."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#000", light="#fff")


def matching_step(secret: str, code: str, *, after_step: int | None, now: float | None = None):
    """Return the time step a code belongs to, or None when it matches none.

    Steps up to ``after_step`` are refused: a code is accepted once (no replay), and an
    older code is refused after a newer one was used.
    """
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    now = time.time() if now is None else now
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if after_step is not None and step <= after_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None
