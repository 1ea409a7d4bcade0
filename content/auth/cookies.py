"""The signed session cookie, what a cookie decoded to kept per process.

Flask checks the cookie's signature and decodes it at every request (itsdangerous, base64,
tagged JSON: about 250 Python calls). A signed-in browser sends the very same cookie for
as long as its session does not change (``SESSION_REFRESH_EACH_REQUEST`` is off), so the
process keeps what a cookie decoded to, by the cookie's exact text and the secret key: a
cookie that differs in any character is checked in full, as before. The cookie's age is
checked at every use, as Flask does, so a cookie past ``PERMANENT_SESSION_LIFETIME`` opens
an empty session whether it was kept or not. What a session holds is still decided by its
row (``content.auth.sessions``): this only saves decoding the cookie again.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

#: Values a kept session may hold. A session holding anything else (the flashed messages'
#: list, which ``flash`` changes in place) is decoded every time, never shared.
_IMMUTABLE = (str, int, float, bool, type(None))


class KeptCookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, each cookie decoded once per process."""

    def __init__(self, size: int) -> None:
        """Keep at most ``size`` decoded cookies (0: decode every cookie)."""
        self.size = size
        self._kept: OrderedDict[tuple[str | bytes, str], tuple[dict, int]] = OrderedDict()
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Return the session of the request's cookie (empty: none, forged or too old)."""
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not self.size or not app.secret_key:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        key = (app.secret_key, value)
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
        if found is not None:
            data, signed_at = found
            # itsdangerous's check: whole seconds, neither older than max_age nor future.
            age = int(time.time()) - signed_at
            return self.session_class(data if 0 <= age <= max_age else None)
        serializer = self.get_signing_serializer(app)
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(type(item) in _IMMUTABLE for item in data.values()):
            with self._lock:
                self._kept[key] = (dict(data), int(signed.timestamp()))
                while len(self._kept) > self.size:
                    self._kept.popitem(last=False)
        return self.session_class(data)
