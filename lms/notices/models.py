"""A message for one person, shown until they dismiss it."""
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db


class Notice(db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # Saying the same thing twice is avoided by key, e.g. "renew:<certificate>:<expiry>".
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    text: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime]
    dismissed_at: Mapped[datetime | None]
