"""Certificates and the keys that sign their credentials."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db

FINAL = 0  # the level number of the final certification


class Certificate(db.Model):
    """One per learner and level (0: the final certification), enforced by the database."""
    __table_args__ = (UniqueConstraint("user_id", "level_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)  # long and random
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    level_number: Mapped[int]
    holder_name: Mapped[str] = mapped_column(String(120))  # the name as it was
    title: Mapped[str] = mapped_column(String(300))
    issued_at: Mapped[datetime]
    renewed_at: Mapped[datetime | None]
    expires_at: Mapped[datetime | None]
    curriculum: Mapped[dict] = mapped_column(JSON)  # module key -> version number certified
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(Text)
    credential: Mapped[str] = mapped_column(Text)  # the signed VC-JWT

    @property
    def is_final(self):
        return self.level_number == FINAL

    def status(self, now):
        """'revoked', 'expired' or 'valid'."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "valid"


class SigningKey(db.Model):
    """A public key that signed credentials; kept after rotation so they still verify."""
    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_jwk: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime]
