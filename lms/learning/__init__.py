"""Learning: the dashboard, levels, lessons and each learner's progress."""
