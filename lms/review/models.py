"""A review of a reflection: a score per rubric skill and written feedback."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Review(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(
        ForeignKey("reflection.id", ondelete="CASCADE"), unique=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # "manager" or "self"
    scores: Mapped[dict] = mapped_column(JSON)  # skill -> 1..4
    feedback: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]

    @property
    def meets_rubric(self):
        """Every skill at 'proficient' (3) or above."""
        return all(score >= 3 for score in self.scores.values())
