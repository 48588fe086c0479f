"""The managers' cockpit: teams, who is behind, weak spots, people, assignments, exports."""
