"""Quiz settings: draws per category, shuffling, limits, timing, pass mark, review policy."""
