"""Practice scenarios as data: the YAML files of ``scenarios/``, installed into the database.

A scenario names a demo call script, a fictitious citizen, what the citizen says (shown to
the learner, in each language), the call's expected outcome and its key answers with
feedback per language. See docs/practice-calls.md for the format.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from sqlalchemy import select

from content.extensions import db
from tracing_app.calls.models import OUTCOMES
from tracing_app.practice.models import PracticeScenario

SCENARIOS = Path(__file__).parent / "scenarios"
LANGUAGES = ("nl", "fr", "de", "en")


class ScenarioError(ValueError):
    """A scenario file that does not hold what a scenario needs (names the file)."""


def _check(data: dict, name: str) -> dict:
    """Return ``data`` when it is a complete scenario; raise :class:`ScenarioError` if not."""
    for key in ("code", "script", "titles", "citizen", "says", "expected_outcome"):
        if not data.get(key):
            raise ScenarioError(f"{name}: '{key}' is missing")
    if data["expected_outcome"] not in OUTCOMES:
        raise ScenarioError(f"{name}: unknown outcome {data['expected_outcome']!r}")
    texts = [data["titles"], data["says"], data.get("outcome_feedback") or {}]
    texts += [answer.get("feedback") or {} for answer in data.get("key_answers", [])]
    for text in texts:
        missing = [language for language in LANGUAGES if not text.get(language)]
        if missing:
            raise ScenarioError(f"{name}: no text in {', '.join(missing)}")
    for answer in data.get("key_answers", []):
        if not answer.get("name") or "value" not in answer:
            raise ScenarioError(f"{name}: a key answer needs a name and a value")
    return data


def read_scenario_files(folder: Path = SCENARIOS) -> list[dict]:
    """Return the scenarios of ``folder``'s YAML files, in file-name order."""
    return [
        _check(yaml.safe_load(path.read_text(encoding="utf-8")), path.name)
        for path in sorted(folder.glob("*.yaml"))
    ]


def install_scenarios(folder: Path = SCENARIOS) -> list[str]:
    """Install (or update) the scenarios of ``folder``; return lines to print. Flushes."""
    lines = []
    for position, data in enumerate(read_scenario_files(folder)):
        scenario = db.session.scalar(
            select(PracticeScenario).where(PracticeScenario.code == data["code"])
        )
        if scenario is None:
            scenario = PracticeScenario(code=data["code"])
            db.session.add(scenario)
            lines.append(f"practice scenario {data['code']:<24} installed")
        scenario.script_form_id = data["script"]
        scenario.definition_json = json.dumps(data, ensure_ascii=False, sort_keys=True)
        scenario.position = position
    db.session.flush()
    return lines


def active_scenarios() -> list[PracticeScenario]:
    """Return the scenarios learners practise, in their order."""
    return list(
        db.session.scalars(
            select(PracticeScenario)
            .where(PracticeScenario.active.is_(True))
            .order_by(PracticeScenario.position, PracticeScenario.id)
        )
    )


def text(texts: dict, language: str):
    """Return a scenario text in ``language`` (else English): a string or a list."""
    return texts.get(language) or texts.get("en") or ""


def title(scenario: PracticeScenario, language: str) -> str:
    """Return the scenario's title in ``language``."""
    return text(scenario.definition["titles"], language)
