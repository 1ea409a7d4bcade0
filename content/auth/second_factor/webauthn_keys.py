"""WebAuthn security keys and passkeys with py_webauthn.

The challenge of a ceremony is kept in the signed session cookie and taken out when the
answer comes back, so each challenge is answered once. The relying party is the host the
browser talks to (``WEBAUTHN_RP_ID`` overrides it behind a proxy that rewrites the host).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import webauthn
from flask import current_app, request, session
from webauthn.helpers.exceptions import InvalidAuthenticationResponse, InvalidRegistrationResponse
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from content.auth.models import User
from content.auth.second_factor.models import SecondFactor

_CHALLENGE_KEY = "webauthn_challenge"


class CeremonyError(ValueError):
    """The browser's answer does not prove the key (wrong, replayed or expired challenge)."""


def _relying_party() -> tuple[str, str]:
    origin = request.host_url.rstrip("/")
    rp_id = current_app.config.get("WEBAUTHN_RP_ID") or urlsplit(origin).hostname
    return rp_id, origin


def _take_challenge(purpose: str) -> bytes:
    stored = session.pop(_CHALLENGE_KEY, None)
    if not stored or stored.get("purpose") != purpose:
        raise CeremonyError("no challenge")
    return bytes.fromhex(stored["challenge"])


def _keep_challenge(purpose: str, challenge: bytes) -> None:
    session[_CHALLENGE_KEY] = {"purpose": purpose, "challenge": challenge.hex()}


def registration_options(user: User, existing: list[SecondFactor]) -> str:
    """Return the JSON options that ask the browser to create a credential for the user."""
    rp_id, _origin = _relying_party()
    options = webauthn.generate_registration_options(
        rp_id=rp_id,
        rp_name=current_app.config["SITE_NAME"],
        user_name=user.email,
        user_id=str(user.id).encode(),
        user_display_name=user.display_name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.DISCOURAGED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[
            PublicKeyCredentialDescriptor(id=factor.credential_id) for factor in existing
        ],
    )
    _keep_challenge("register", options.challenge)
    return webauthn.options_to_json(options)


def verify_registration(answer: str) -> tuple[bytes, bytes, int]:
    """Check the browser's new credential; return its id, public key and sign count."""
    rp_id, origin = _relying_party()
    try:
        verified = webauthn.verify_registration_response(
            credential=json.loads(answer),
            expected_challenge=_take_challenge("register"),
            expected_rp_id=rp_id,
            expected_origin=origin,
        )
    except (InvalidRegistrationResponse, ValueError, KeyError, TypeError) as exc:
        raise CeremonyError(str(exc)) from exc
    return verified.credential_id, verified.credential_public_key, verified.sign_count


def authentication_options(keys: list[SecondFactor]) -> str:
    """Return the JSON options that ask the browser to sign with one of the user's keys."""
    rp_id, _origin = _relying_party()
    options = webauthn.generate_authentication_options(
        rp_id=rp_id,
        allow_credentials=[PublicKeyCredentialDescriptor(id=key.credential_id) for key in keys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _keep_challenge("authenticate", options.challenge)
    return webauthn.options_to_json(options)


def verify_authentication(answer: str, keys: list[SecondFactor]) -> SecondFactor:
    """Check the browser's signature; return the key it came from (sign count updated)."""
    rp_id, origin = _relying_party()
    challenge = _take_challenge("authenticate")
    try:
        credential = json.loads(answer)
        raw_id = webauthn.base64url_to_bytes(credential["rawId"])
        key = next((key for key in keys if key.credential_id == raw_id), None)
        if key is None:
            raise CeremonyError("unknown key")
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=rp_id,
            expected_origin=origin,
            credential_public_key=key.public_key,
            credential_current_sign_count=key.sign_count,
        )
    except (InvalidAuthenticationResponse, ValueError, KeyError, TypeError) as exc:
        raise CeremonyError(str(exc)) from exc
    key.sign_count = verified.new_sign_count
    return key
