"""Module quizzes: taking them, grading them, and the attempt history."""
