"""Certifications, certificates (PDF, verification page, expiry, revocation) and the gate."""
