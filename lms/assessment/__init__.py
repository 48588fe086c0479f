"""What quizzes and exams share: papers, grading, and when the next attempt may start."""
