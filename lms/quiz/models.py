"""Quiz attempts: every one kept, with the paper it was graded against."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, one_open_per


class QuizAttempt(db.Model):
    """One go at a module's quiz; open (a draft) until it is submitted."""
    __table_args__ = (
        Index("ix_quiz_attempt_user_id_module_id", "user_id", "module_id"),
        one_open_per("uq_quiz_attempt_open", "user_id", "module_id",
                     open_when="submitted_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    started_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]
    paper: Mapped[list] = mapped_column(JSON)
    answers: Mapped[list | None] = mapped_column(JSON)
    pass_mark: Mapped[int]
    question_count: Mapped[int]
    correct_count: Mapped[int | None]
    score: Mapped[int | None]  # percent
    passed: Mapped[bool | None]

    @property
    def is_submitted(self):
        return self.submitted_at is not None

    @property
    def seconds_taken(self):
        if self.submitted_at is None:
            return None
        return int((self.submitted_at - self.started_at).total_seconds())
