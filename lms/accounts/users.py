"""Rules about accounts: creating them, passwords, signing in."""
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from ..clock import utcnow
from ..extensions import db
from .models import ROLES, User

MIN_PASSWORD_LENGTH = 10
# Passwords that meet the length but are among the first any attacker tries.
COMMON_PASSWORDS = {
    "password123", "1234567890", "qwertyuiop", "password1!", "iloveyou123",
    "letmein123", "welcome123", "123456789a", "abcdefghij", "passw0rd123",
    "qwerty1234", "1q2w3e4r5t", "administrator", "0987654321", "1111111111",
}
# Compared against when the email is unknown, so both cases take as long.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    pass


def normalise_email(email):
    """Compare emails the way people expect: trimmed and lower case."""
    return (email or "").strip().lower()


def password_problem(password, email=""):
    """Say what makes a password too weak, or return None if it is fine."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return _("Use at least %(count)s characters.", count=MIN_PASSWORD_LENGTH)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        return _("This password is too easy to guess; try a short phrase of unrelated words.")
    local_part = normalise_email(email).split("@")[0]
    if local_part and len(local_part) >= 4 and local_part in lowered:
        return _("Don't build the password from your email address.")
    return None


def find_user(email):
    """The user with this email (in any case), or None."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def create_user(email, name, password, role="learner"):
    """Add a user; raise AccountError if the email is taken or the input is bad."""
    email = normalise_email(email)
    if role not in ROLES:
        raise AccountError(_("Unknown role '%(role)s'; use one of: %(roles)s.", role=role,
                              roles=", ".join(ROLES)))
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise AccountError(_("Enter a valid email address."))
    if find_user(email) is not None:
        raise AccountError(_("An account with this email already exists."))
    problem = password_problem(password, email)
    if problem:
        raise AccountError(problem)
    user = User(email=email, name=name.strip() or email.split("@")[0], role=role,
                created_at=utcnow())
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email, password):
    """Return the active user with this email and password, or None.

    Unknown emails still pay for a hash check, so response times do not tell
    an attacker which addresses have accounts.
    """
    user = find_user(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user

