"""Runs through a role-play, and the reflection written after one."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db, one_open_per


class RoleplayRun(db.Model):
    """One play-through, kept whole: every run and its path stay on record."""
    __table_args__ = (
        Index("ix_roleplay_run_user_id_module_id", "user_id", "module_id"),
        one_open_per("uq_roleplay_run_open", "user_id", "module_id",
                     open_when="finished_at IS NULL AND abandoned_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    module_version_id: Mapped[int] = mapped_column(ForeignKey("module_version.id"))
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    abandoned_at: Mapped[datetime | None]  # restarted before an ending
    scene: Mapped[str] = mapped_column(String(200))  # where the conversation stands
    step: Mapped[int] = mapped_column(default=0)  # choices made so far
    path: Mapped[list] = mapped_column(JSON)  # [[scene id, choice index], ...]
    scores: Mapped[dict | None] = mapped_column(JSON)  # per rubric skill, at the ending
    percent: Mapped[int | None]
    passed: Mapped[bool | None]

    @property
    def is_open(self):
        return self.finished_at is None and self.abandoned_at is None


class Reflection(db.Model):
    """What the learner would do next, written after a run; reviewed against the rubric."""
    __table_args__ = (UniqueConstraint("user_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    run_id: Mapped[int] = mapped_column(ForeignKey("roleplay_run.id"))
    body: Mapped[str] = mapped_column(Text, default="")
    saved_at: Mapped[datetime]
    submitted_at: Mapped[datetime | None]

    @property
    def is_submitted(self):
        return self.submitted_at is not None
