"""Things that happened to call-script forms, for the other workspace parts to react to.

Documented in docs/plugins.md ("Workspace signals"). Receivers run inside the sender's
transaction (sent after the change, before the commit): they may add rows, the caller
commits.
"""

from blinker import Namespace

_signals = Namespace()

form_completed = _signals.signal("form-completed")
form_completed.__doc__ = (
    "An agent completed a call-script form (no error left); sender is the app; kwargs: "
    "response (a form_responses row), state (its evaluated FormState)."
)

answers_saved = _signals.signal("answers-saved")
answers_saved.__doc__ = (
    "An agent's answers to a call-script form were saved (each autosave too); sender is the "
    "app; kwargs: response (a form_responses row), state (its evaluated FormState)."
)
