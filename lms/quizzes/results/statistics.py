"""Quiz statistics for trainers: pass rate, share correct, discrimination, score histogram.

Pure functions over plain numbers (no database), so the math is tested on its own.

Discrimination of a question is the Pearson correlation between its score in each
attempt and the *rest score* of the attempt (the attempt's total without this question):
good questions are answered right by those who do well on the rest (close to 1); a
question near 0 tells strong and weak learners apart no better than chance, and a
negative one is answered right more often by the weak ones (often a wrong key or an
ambiguous text). Questions below :data:`LOW_DISCRIMINATION` are flagged once they have
:data:`MIN_RESPONSES` answers.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Below this, a question does not tell strong from weak learners well (a usual cut-off).
LOW_DISCRIMINATION = 0.2
#: Fewer answers than this give no reliable figure: nothing is flagged yet.
MIN_RESPONSES = 5


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Return Pearson's r, or None when undefined (fewer than 2 values, or one is constant)."""
    if len(xs) < 2 or len(set(xs)) < 2 or len(set(ys)) < 2:
        return None
    return statistics.correlation(xs, ys)


@dataclass(frozen=True)
class ItemStatistics:
    """Figures of one question version over the attempts that asked it."""

    version_id: int
    responses: int
    share_correct: float
    discrimination: float | None

    @property
    def flagged(self) -> bool:
        """Return whether trainers should look at this question (low or negative r)."""
        return (
            self.responses >= MIN_RESPONSES
            and self.discrimination is not None
            and self.discrimination < LOW_DISCRIMINATION
        )


def item_statistics(
    rows: Iterable[tuple[int, int, float, float]], totals: dict[int, float]
) -> list[ItemStatistics]:
    """Return the figures per question version, in order of first appearance.

    :param rows: ``(attempt_id, version_id, fraction, marks_awarded)`` per question asked.
    :param totals: each attempt's total score.
    """
    by_version: dict[int, list[tuple[float, float]]] = {}
    for attempt_id, version_id, fraction, awarded in rows:
        rest = totals[attempt_id] - awarded
        by_version.setdefault(version_id, []).append((fraction, rest))
    result = []
    for version_id, pairs in by_version.items():
        fractions = [fraction for fraction, _rest in pairs]
        result.append(
            ItemStatistics(
                version_id=version_id,
                responses=len(pairs),
                share_correct=statistics.fmean(fractions),
                discrimination=correlation(fractions, [rest for _fraction, rest in pairs]),
            )
        )
    return result


def pass_rate(passed: Iterable[bool]) -> float | None:
    """Return the share of True values, or None for none."""
    values = list(passed)
    return sum(values) / len(values) if values else None


def histogram(percents: Iterable[float], bins: int = 10) -> list[int]:
    """Count scores (0–100) per band of equal width; 100 falls in the last band."""
    counts = [0] * bins
    for percent in percents:
        index = min(int(float(percent) * bins // 100), bins - 1)
        counts[max(index, 0)] += 1
    return counts


@dataclass(frozen=True)
class Bar:
    """One bar of an SVG bar chart, in the chart's own coordinates."""

    x: float
    y: float
    width: float
    height: float
    count: int
    label: str


def histogram_bars(counts: Sequence[int], *, width: int = 400, height: int = 160) -> list[Bar]:
    """Lay out the histogram's bars in a ``width`` × ``height`` area (y grows downwards)."""
    if not counts:
        return []
    top = max(counts) or 1
    step = width / len(counts)
    bin_width = 100 // len(counts)
    bars = []
    for index, count in enumerate(counts):
        bar_height = height * count / top
        upper = 100 if index == len(counts) - 1 else (index + 1) * bin_width
        bars.append(
            Bar(
                x=round(index * step + 2, 2),
                y=round(height - bar_height, 2),
                width=round(step - 4, 2),
                height=round(bar_height, 2),
                count=count,
                label=f"{index * bin_width}–{upper}",
            )
        )
    return bars
