"""The math of the trainers' quiz results: correlation, discrimination, pass rate, histogram."""

from __future__ import annotations

import pytest

from lms.quizzes.results import statistics


def test_correlation_is_pearsons_r():
    assert statistics.correlation([1, 2, 3], [2, 4, 6]) == pytest.approx(1)
    assert statistics.correlation([1, 2, 3], [6, 4, 2]) == pytest.approx(-1)
    assert statistics.correlation([0, 1, 0, 1], [1, 3, 2, 4]) == pytest.approx(0.8944, abs=1e-4)


def test_correlation_is_undefined_for_constant_or_single_values():
    assert statistics.correlation([1], [1]) is None
    assert statistics.correlation([1, 1, 1], [1, 2, 3]) is None
    assert statistics.correlation([0, 1, 1], [5, 5, 5]) is None


def _rows(scores):
    """Attempts with two questions: question 7's and 8's fraction (mark 1 each) + a rest."""
    rows, totals = [], {}
    for attempt_id, (q7, q8, rest) in enumerate(scores, start=1):
        rows += [(attempt_id, 7, q7, q7), (attempt_id, 8, q8, q8)]
        totals[attempt_id] = q7 + q8 + rest
    return rows, totals


def test_a_question_the_strong_learners_get_right_discriminates_well():
    # Question 7 is right exactly for learners who do well on the rest; question 8 is
    # right for the weak ones only (a wrong key?).
    rows, totals = _rows([(1, 0, 8), (1, 0, 7), (1, 0, 9), (0, 1, 2), (0, 1, 1), (0, 1, 3)])
    by_id = {item.version_id: item for item in statistics.item_statistics(rows, totals)}

    assert by_id[7].responses == 6
    assert by_id[7].share_correct == pytest.approx(0.5)
    assert by_id[7].discrimination > 0.9
    assert not by_id[7].flagged
    assert by_id[8].discrimination < 0
    assert by_id[8].flagged


def test_the_rest_score_leaves_the_question_itself_out():
    # Without the rest score, a question would correlate with itself through the total.
    rows, totals = _rows([(1, 1, 5), (0, 1, 5), (1, 0, 5), (0, 0, 5), (1, 1, 5)])
    by_id = {item.version_id: item for item in statistics.item_statistics(rows, totals)}
    # Rest of question 7 = question 8 + 5: independent of 7 here, so r is small.
    assert abs(by_id[7].discrimination) < 0.2


def test_few_responses_are_not_flagged():
    rows, totals = _rows([(1, 0, 1), (0, 1, 5)])
    items = statistics.item_statistics(rows, totals)
    assert all(not item.flagged for item in items)


def test_pass_rate():
    assert statistics.pass_rate([]) is None
    assert statistics.pass_rate([True, False, True, True]) == 0.75


def test_histogram_bands_and_full_marks():
    assert statistics.histogram([0, 9.99, 10, 55, 100, 100], bins=10) == [
        2,
        1,
        0,
        0,
        0,
        1,
        0,
        0,
        0,
        2,
    ]


def test_histogram_bars_scale_to_the_highest_band():
    bars = statistics.histogram_bars([1, 4, 0, 2], width=400, height=100)
    assert [bar.height for bar in bars] == [25, 100, 0, 50]
    assert [bar.y for bar in bars] == [75, 0, 100, 50]
    assert [bar.label for bar in bars] == ["0–25", "25–50", "50–75", "75–100"]
    assert bars[1].x == 102
