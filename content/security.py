"""HTTP hardening: security headers and safe redirect targets."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import Response, current_app, request

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def add_security_headers(response: Response) -> Response:
    """Set the security headers on every response (after_request handler)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    hsts = strict_transport_security()
    if hsts and request.is_secure:
        # Over plain HTTP the header is ignored by browsers (RFC 6797 8.1) and would only
        # mislead; behind a trusted proxy ProxyFix has already applied X-Forwarded-Proto.
        response.headers.setdefault("Strict-Transport-Security", hsts)
    if response.mimetype == "text/html":
        # Pages can show personal data: never keep them in shared caches or history.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def strict_transport_security() -> str | None:
    """Return the ``Strict-Transport-Security`` value of the settings, or None when off."""
    max_age = int(current_app.config.get("HSTS_SECONDS") or 0)
    if max_age <= 0:
        return None
    value = f"max-age={max_age}"
    if current_app.config.get("HSTS_INCLUDE_SUBDOMAINS"):
        value += "; includeSubDomains"
    return value


def safe_next_url(target: str | None) -> str | None:
    r"""Return ``target`` when it is a path on this site, else None.

    Browsers read ``/\\evil``, ``//evil`` and ``https:evil`` as other hosts, and strip
    tabs and newlines, so only a single leading slash followed by a path is accepted.
    """
    if not target or len(target) > 2048:
        return None
    # Check the decoded form too: a proxy or a later redirect may decode it once more.
    for candidate in (target, unquote(target)):
        if not candidate.startswith("/") or candidate.startswith("//"):
            return None
        if "\\" in candidate or any(ord(ch) < 32 for ch in candidate):
            return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
