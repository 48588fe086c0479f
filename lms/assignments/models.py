"""An assignment (a module, a level or the full path, for a person or a team) and its history."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

SCOPES = ("module", "level", "path")


class Assignment(db.Model):
    """Set through a team: for the whole team (user_id empty) or for one of its learners.

    A whole-team assignment covers whoever is in the team, including people who
    join later. Only the team's managers (and admins) see or change it, and it
    shows in that team's cockpit only.
    Completion is not stored: it is read from the learners' progress, so finishing
    the work completes the assignment on its own.
    """
    __table_args__ = (
        CheckConstraint("scope IN ('module', 'level', 'path')", name="known_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id", ondelete="CASCADE"), index=True)
    # The one learner it is for; empty: everyone in the team.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"),
                                                index=True)
    scope: Mapped[str] = mapped_column(String(16))
    module_id: Mapped[int | None] = mapped_column(ForeignKey("module.id"))
    level_number: Mapped[int | None]
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]


class AssignmentEvent(db.Model):
    """One line of an assignment's history: set, due date moved, note changed, cancelled."""
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(
        ForeignKey("assignment.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(Text, default="")
