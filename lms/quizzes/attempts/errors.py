"""What the rules of attempts refuse (messages a learner can read as they are)."""

from __future__ import annotations


class QuizError(Exception):
    """A rule refuses what the learner asked; the message can be shown as is."""


class AttemptClosed(QuizError):
    """The attempt takes no more answers (submitted, or its deadline has passed)."""
