"""Routes of the second factor: the sign-in step and the user's own enrolment."""

from pathlib import Path

from flask import Blueprint

from content.auth.second_factor import views

bp = Blueprint("second_factor", __name__, url_prefix="/<lang_code>", template_folder="templates")

bp.add_url_rule("/login/second-factor", "challenge", views.challenge, methods=["GET", "POST"])
bp.add_url_rule(
    "/login/second-factor/key-options", "key_options", views.key_options, methods=["POST"]
)
bp.add_url_rule("/login/second-factor/key", "check_key", views.check_key, methods=["POST"])
bp.add_url_rule("/account/second-factor", "manage", views.manage, methods=["GET", "POST"])
bp.add_url_rule(
    "/account/second-factor/key-options",
    "register_options",
    views.register_options,
    methods=["POST"],
)
bp.add_url_rule("/account/second-factor/key", "register_key", views.register_key, methods=["POST"])
bp.add_url_rule(
    "/account/second-factor/recovery-codes",
    "renew_recovery_codes",
    views.renew_recovery_codes,
    methods=["POST"],
)

# The security-key script; assets carry no language in their URL.
assets = Blueprint(
    "second_factor_assets",
    __name__,
    static_folder=Path(__file__).parent / "static",
    static_url_path="/second-factor-static",
)
