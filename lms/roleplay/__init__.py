"""Role-plays: playing a conversation, its debrief, and the learner's reflection."""
