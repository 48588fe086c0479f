"""Assignments: work a manager sets for a person or a team, with a due date."""
