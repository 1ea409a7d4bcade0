"""Helpers shared by the forms of every feature."""

from __future__ import annotations

from flask_wtf import FlaskForm


def attach_error(form: FlaskForm, error: Exception) -> None:
    """Show a rule's message beside its field (``error.field``), else above the form."""
    name = getattr(error, "field", None)
    field = getattr(form, name, None) if name else None
    (field.errors if field is not None else form.form_errors).append(str(error))
