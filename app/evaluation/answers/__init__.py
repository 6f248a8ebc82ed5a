"""The text question set (tuning and held-out halves) and its scorer, for `presence bench`."""
