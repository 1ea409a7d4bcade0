"""Results of a quiz: attempts, pass rate, score distribution and per-question statistics."""
