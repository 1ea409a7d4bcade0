"""Things that happened, for other layers to react to (blinker signals).

Each signal is documented in docs/plugins.md; a test fails when one is not.
"""

from blinker import Namespace

_signals = Namespace()

app_ready = _signals.signal("app-ready")
app_ready.__doc__ = "The app is built and every plugin is registered; sender is the app."

user_created = _signals.signal("user-created")
user_created.__doc__ = "A user account was created; kwargs: user, actor (None from the CLI)."

user_roles_changed = _signals.signal("user-roles-changed")
user_roles_changed.__doc__ = "A user's roles changed; kwargs: user, actor, old_roles, new_roles."

user_deactivated = _signals.signal("user-deactivated")
user_deactivated.__doc__ = "A user was deactivated and their sessions ended; kwargs: user, actor."

password_changed = _signals.signal("password-changed")
password_changed.__doc__ = (
    "A password was set or reset and other sessions ended; kwargs: user, actor."
)

login_failed = _signals.signal("login-failed")
login_failed.__doc__ = (
    "A login failed; kwargs: reason ('credentials', 'throttled'). No personal data."
)

second_factor_enrolled = _signals.signal("second-factor-enrolled")
second_factor_enrolled.__doc__ = (
    "A user added a second factor; kwargs: user, kind ('totp', 'webauthn')."
)

second_factor_used = _signals.signal("second-factor-used")
second_factor_used.__doc__ = (
    "A user completed sign-in with a second factor; kwargs: user, method ('totp', "
    "'webauthn', 'recovery-code')."
)

second_factor_failed = _signals.signal("second-factor-failed")
second_factor_failed.__doc__ = (
    "A second factor was refused; kwargs: user, reason ('code', 'throttled'). No code."
)

second_factor_reset = _signals.signal("second-factor-reset")
second_factor_reset.__doc__ = (
    "An administrator removed a user's second factors and ended their sessions; kwargs: "
    "user, actor."
)

revision_saved = _signals.signal("revision-saved")
revision_saved.__doc__ = (
    "A content item got a new revision (also at creation); kwargs: item, revision, actor."
)

workflow_state_changed = _signals.signal("workflow-state-changed")
workflow_state_changed.__doc__ = (
    "A content item went through a workflow transition; kwargs: item, transition, "
    "from_state, to_state, actor."
)
