"""People who use the academy."""
from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db

ROLES = ("learner", "manager", "admin")  # stored and compared; shown through ROLE_TEXT
ROLE_TEXT = {"learner": _l("learner"), "manager": _l("manager"), "admin": _l("admin")}


class User(UserMixin, db.Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="learner")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    # The language the person chose for the academy ("en", "ja"); None: follow the browser.
    locale: Mapped[str | None] = mapped_column(String(8))

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self):
        return self.active

    @property
    def is_staff(self):
        """Managers and admins, who may open any level to read its content."""
        return self.role in ("manager", "admin")


class SignInFailure(db.Model):
    """One failed sign-in, counted against an account or an address (both hashed)."""
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(60), index=True)
    at: Mapped[datetime] = mapped_column(index=True)
