"""Forms shared by the quiz pages."""

from __future__ import annotations

from flask_wtf import FlaskForm


class CsrfForm(FlaskForm):
    """A button that changes something: start an attempt, submit it."""
