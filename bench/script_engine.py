"""Re-evaluating a 300-question script after one answer changes, against parsing it.

The agent's screen asks the server for the whole form's state after every change, so
this is the cost of one keystroke pause. Target: p95 under 20 ms per update.

Writes bench/results/script_engine.json. Run: .venv/bin/python bench/script_engine.py
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import statistics
import time
from pathlib import Path

from content.extensions import db
from tracing_app import create_app
from tracing_app.scripts import xlsform
from tracing_app.scripts.engine import evaluate_form

SECTIONS = 20
PER_SECTION = 15  # 20 x 15 = 300 questions
UPDATES = 300
RESULTS = Path(__file__).parent / "results" / "script_engine.json"
TODAY = datetime.date(2020, 4, 1)


def build_form() -> bytes:
    """Return a 300-question script in the project's CSV form, with realistic logic."""
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(["survey"])
    out.writerow(
        [
            "",
            "type",
            "name",
            "label::nl",
            "label::fr",
            "required",
            "relevant",
            "constraint",
            "calculation",
        ]
    )
    for s in range(SECTIONS):
        relevant = f"${{q{s - 1}_0}} = 'yes'" if s else ""
        out.writerow(
            ["", "begin group", f"s{s}", f"Sectie {s}", f"Section {s}", "", relevant, "", ""]
        )
        for q in range(PER_SECTION):
            name = f"q{s}_{q}"
            if q == 0:
                out.writerow(["", "select_one yes_no", name, "Ja?", "Oui ?", "yes", "", "", ""])
            elif q % 5 == 1:
                out.writerow(
                    [
                        "",
                        "integer",
                        name,
                        "Aantal",
                        "Nombre",
                        "",
                        f"${{q{s}_0}} = 'yes'",
                        ". >= 0 and . < 100",
                        "",
                    ]
                )
            elif q % 5 == 2:
                out.writerow(
                    [
                        "",
                        "calculate",
                        name,
                        "",
                        "",
                        "",
                        "",
                        "",
                        f"if(${{q{s}_1}} > 10, 'veel', 'weinig')",
                    ]
                )
            elif q % 5 == 3:
                out.writerow(
                    [
                        "",
                        "note",
                        name,
                        f"U zei ${{q{s}_1}} (${{q{s}_2}}).",
                        f"Vous avez dit ${{q{s}_1}}.",
                        "",
                        "",
                        "",
                        "",
                    ]
                )
            else:
                out.writerow(
                    [
                        "",
                        "text",
                        name,
                        "Tekst",
                        "Texte",
                        f"${{q{s}_0}} = 'yes'",
                        "",
                        "string-length(.) < 200",
                        "",
                    ]
                )
        out.writerow(["", "end group"])
    out.writerow(["choices"])
    out.writerow(["", "list_name", "name", "label::nl", "label::fr"])
    out.writerow(["", "yes_no", "yes", "Ja", "Oui"])
    out.writerow(["", "yes_no", "no", "Nee", "Non"])
    out.writerow(["settings"])
    out.writerow(["", "form_id", "version", "default_language"])
    out.writerow(["", "bench", "1", "nl"])
    return buffer.getvalue().encode()


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    source = build_form()
    with app.test_request_context("/nl/"):
        parse_times = []
        for _ in range(20):
            start = time.perf_counter()
            definition = xlsform.load(source, "bench.csv")
            parse_times.append(time.perf_counter() - start)
        questions = sum(1 for q in definition.walk() if not q.is_group)
        answers = {f"q{s}_0": "yes" for s in range(SECTIONS)}
        answers |= {f"q{s}_1": "5" for s in range(SECTIONS)}
        update_times = []
        for n in range(UPDATES):
            answers[f"q{n % SECTIONS}_1"] = str(n % 20)  # one answer changes
            start = time.perf_counter()
            state = evaluate_form(definition, answers, language="fr", today=TODAY)
            update_times.append(time.perf_counter() - start)
        assert state.visible[f"s{SECTIONS - 1}"]
    with app.app_context():
        db.engine.dispose()
    parse_median = statistics.median(parse_times)
    figures = {
        "questions": questions,
        "updates": UPDATES,
        "parse_ms_median": round(parse_median * 1000, 2),
        "update_ms_median": round(statistics.median(update_times) * 1000, 2),
        "update_ms_p95": round(percentile(update_times, 0.95) * 1000, 2),
        "ratio_update_p95_to_parse": round(percentile(update_times, 0.95) / parse_median, 2),
        "target_p95_ms": 20,
    }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(figures, indent=2) + "\n")
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
