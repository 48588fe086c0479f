"""Level exams: a fresh, balanced, timed paper drawn from the level's quizzes."""
