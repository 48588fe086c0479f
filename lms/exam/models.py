"""Exam attempts, each with the paper drawn for it."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, one_open_per


class ExamAttempt(db.Model):
    __table_args__ = (
        Index("ix_exam_attempt_user_id_level_number", "user_id", "level_number"),
        one_open_per("uq_exam_attempt_open", "user_id", "level_number",
                     open_when="submitted_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    level_number: Mapped[int] = mapped_column(ForeignKey("level.number"))
    started_at: Mapped[datetime]
    deadline_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    ended_by: Mapped[str | None] = mapped_column(String(16))  # "learner" or "deadline"
    paper: Mapped[list] = mapped_column(JSON)
    answers: Mapped[list | None] = mapped_column(JSON)  # last saved, then as graded
    saved_at: Mapped[datetime | None]
    pass_mark: Mapped[int]
    question_count: Mapped[int]
    correct_count: Mapped[int | None]
    score: Mapped[int | None]
    passed: Mapped[bool | None]
    breakdown: Mapped[list | None] = mapped_column(JSON)  # per module: title, correct, total

    @property
    def is_finished(self):
        return self.submitted_at is not None
