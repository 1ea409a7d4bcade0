"""A second factor for signing in: TOTP codes, WebAuthn security keys, recovery codes."""
