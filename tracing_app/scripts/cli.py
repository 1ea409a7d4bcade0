"""``tracing-app scripts check|eval``: test a script without the web interface."""

from __future__ import annotations

import datetime
import json
import sys

import click
from flask.cli import AppGroup

from content.i18n import _
from tracing_app.scripts import checks, xlsform
from tracing_app.scripts.engine import evaluate_form

scripts_group = AppGroup("scripts", help="Check and try call scripts (XLSForm).")


@scripts_group.command("check")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
def check_command(path: str) -> None:
    """Validate a script; print each problem (and note) with sheet, row and column."""
    problems = xlsform.check_file(path)
    for problem in problems:
        click.echo(checks.format_problem(problem))
    errors = [problem for problem in problems if not problem.is_note]
    if errors:
        raise click.ClickException(
            _("%(num)d problem(s); the script cannot be used.", num=len(errors))
        )
    click.echo(_("No problems found."))


@scripts_group.command("eval")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--answers", "answers_path", type=click.File("r"), required=True, help="JSON: name → answer."
)
@click.option("--language", default=None, help="Language of the call (default: the script's).")
@click.option("--today", default=None, help="The date to evaluate on, YYYY-MM-DD (default: today).")
def eval_command(path: str, answers_path, language: str | None, today: str | None) -> None:
    """Print, as JSON, what is visible, the computed values and the errors for the answers."""
    try:
        definition = xlsform.load(path)
    except xlsform.XLSFormError as exc:
        for problem in exc.problems:
            click.echo(checks.format_problem(problem), err=True)
        raise click.ClickException(
            _("The script has problems; run `tracing-app scripts check`.")
        ) from exc
    try:
        answers = json.load(answers_path)
    except ValueError as exc:
        raise click.ClickException(_("The answers file is not valid JSON.")) from exc
    if not isinstance(answers, dict):
        raise click.ClickException(_("The answers file must hold one JSON object."))
    state = evaluate_form(
        definition,
        {str(key): str(value) for key, value in answers.items()},
        language=language or definition.settings.default_language,
        today=datetime.date.fromisoformat(today) if today else datetime.date.today(),
    )
    calculated = {slot.key for slot in state.slots if slot.question.type == "calculate"}
    sections = {s.name for s in definition.sections()}
    result = {
        "sections": {key: visible for key, visible in state.visible.items() if key in sections},
        "visible": sorted(key for key, visible in state.visible.items() if visible),
        "hidden": sorted(key for key, visible in state.visible.items() if not visible),
        "calculated": {key: state.values[key] for key in sorted(calculated)},
        "notes": state.notes,
        "errors": state.errors,
        "complete": state.complete,
    }
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    click.echo()
