"""The trainers' settings form of a quiz: limits, timing, pass mark, review, draws."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateTimeLocalField, DecimalField, IntegerField, SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, NumberRange, Optional, ValidationError

from content.i18n import _, _l
from lms.quizzes.settings.models import AFTER_CLOSE, HIGHEST, IMMEDIATELY, LAST, NEVER


class SettingsForm(FlaskForm):
    """How a quiz runs; the draws per category are added by :func:`settings_form`."""

    is_exam = BooleanField(_l("This quiz is an exam (it can count for a certification)"))
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_answers = BooleanField(_l("Shuffle the answers of each question"))
    attempt_limit = IntegerField(
        _l("Attempts allowed (empty: unlimited)"), validators=[Optional(), NumberRange(min=1)]
    )
    wait_minutes = IntegerField(
        _l("Minutes to wait between attempts"),
        default=0,
        validators=[InputRequired(), NumberRange(min=0, max=60 * 24 * 365)],
    )
    time_limit_minutes = IntegerField(
        _l("Time limit in minutes (empty: none)"),
        validators=[Optional(), NumberRange(min=1, max=60 * 24)],
    )
    pass_percent = DecimalField(
        _l("Pass mark (%)"), places=2, validators=[InputRequired(), NumberRange(min=0, max=100)]
    )
    grading_method = SelectField(
        _l("Grade across attempts"),
        choices=[
            SelectChoice(HIGHEST, _l("Highest attempt")),
            SelectChoice(LAST, _l("Last attempt")),
        ],
    )
    review_score = BooleanField(_l("Score"))
    review_correctness = BooleanField(_l("Whether each answer is right"))
    review_answers = BooleanField(_l("The right answers"))
    review_feedback = BooleanField(_l("Feedback"))
    review_when = SelectField(
        _l("Learners see this"),
        choices=[
            SelectChoice(IMMEDIATELY, _l("Immediately after submitting")),
            SelectChoice(AFTER_CLOSE, _l("After the quiz closes")),
            SelectChoice(NEVER, _l("Never")),
        ],
    )
    close_dt = DateTimeLocalField(
        _l("The quiz closes at (local time; empty: never)"), validators=[Optional()]
    )

    def validate_review_when(self, field) -> None:
        """A review "after the quiz closes" needs a close date."""
        if field.data == AFTER_CLOSE and not self.close_dt.data:
            raise ValidationError(_("Set a close date to show the review after the quiz closes."))

    def draw_fields(self) -> list:
        """Return the fields of the draws, one per category."""
        return [field for field in self if field.name.startswith("draw_")]

    def draws(self) -> dict[int, int]:
        """Return the number of questions drawn per category id."""
        return {int(f.name.removeprefix("draw_")): f.data or 0 for f in self.draw_fields()}

    def close_dt_utc(self) -> datetime | None:
        """Return the close date (typed in the site's time zone) in UTC."""
        if not self.close_dt.data:
            return None
        zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
        return self.close_dt.data.replace(tzinfo=zone).astimezone(UTC)


def settings_form(categories: list[tuple[Any, int]], settings, **kwargs) -> SettingsForm:
    """Return the settings form with a "questions drawn" field per bank category.

    :param categories: ``(category, depth)`` pairs of the bank.
    :param settings: the quiz's settings, for the initial values.
    """

    class _Form(SettingsForm):
        pass

    counts = {draw.category_id: draw.count for draw in settings.draws}
    for category, _depth in categories:
        setattr(
            _Form,
            f"draw_{category.id}",
            IntegerField(
                category.path,
                default=counts.get(category.id, 0),
                validators=[Optional(), NumberRange(min=0, max=500)],
            ),
        )
    form = _Form(obj=settings, **kwargs)
    if not form.is_submitted() and settings.close_dt is not None:
        zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "UTC"))
        form.close_dt.data = settings.close_dt.astimezone(zone).replace(tzinfo=None)
    return form
