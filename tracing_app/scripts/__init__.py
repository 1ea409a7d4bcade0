"""Call scripts and forms as one XLSForm-compatible definition (see docs/scripts.md)."""
