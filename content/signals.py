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

revision_saved = _signals.signal("revision-saved")
revision_saved.__doc__ = (
    "A content item got a new revision (also at creation); kwargs: item, revision, actor."
)

workflow_state_changed = _signals.signal("workflow-state-changed")
workflow_state_changed.__doc__ = (
    "A content item went through a workflow transition; kwargs: item, transition, "
    "from_state, to_state, actor."
)
