"""Reviewing role-play reflections against the rubric, by a manager or by oneself."""
