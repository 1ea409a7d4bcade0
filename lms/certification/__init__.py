"""Certifications, certificates (PDF, verification page, expiry, revocation) and the gate."""


def require_certificate(code: str):
    """Decorate a view: only holders of a valid certificate of certification ``code`` enter.

    See :func:`lms.certification.gate.require_certificate`.
    """
    from lms.certification.gate import require_certificate as decorator

    return decorator(code)
