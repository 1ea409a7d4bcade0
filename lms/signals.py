"""Things that happened in the LMS, for the other LMS parts and plugins to react to.

Each signal is documented in docs/plugins.md ("LMS signals"); a test fails when one is not.
Receivers run inside the sender's transaction (sent after flush): they may add rows, the
caller commits.
"""

from blinker import Namespace

_signals = Namespace()

module_completed = _signals.signal("module-completed")
module_completed.__doc__ = (
    "A learner completed a training module (all lessons done, quizzes passed); sender is "
    "the app; kwargs: user, module_group (the module's translation group)."
)

attempt_graded = _signals.signal("attempt-graded")
attempt_graded.__doc__ = (
    "A quiz attempt was submitted and graded; sender is the app; kwargs: attempt "
    "(an lms_attempts row)."
)

certificate_issued = _signals.signal("certificate-issued")
certificate_issued.__doc__ = (
    "A certificate was issued to a learner; sender is the app; kwargs: certificate."
)
