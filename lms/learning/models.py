"""What each learner has done in each module."""
from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class ModuleProgress(db.Model):
    """A learner's record in one module; never deleted by a re-import."""
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    started_at: Mapped[datetime]
    last_visited_at: Mapped[datetime]
    lesson_read_at: Mapped[datetime | None]
    quiz_passed_at: Mapped[datetime | None]
    quiz_best_score: Mapped[int | None]  # percent, the best submitted attempt
    roleplay_passed_at: Mapped[datetime | None]  # first run at or above the pass score
    reflection_submitted_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    @property
    def is_complete(self):
        return self.completed_at is not None
