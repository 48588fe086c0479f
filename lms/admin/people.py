"""Admins' rules for people: roles, switching accounts off and on, password-reset links."""
import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from ..accounts.models import ROLES, User
from ..accounts.throttle import record_success
from ..accounts.users import password_problem
from ..clock import utcnow
from ..extensions import db
from .audit import audit
from .models import PasswordReset

RESET_HOURS = 48
PAGE = 50


class PeopleError(ValueError):
    pass


def find_people(query="", role="", status="", page=1):
    """People matching a search, by name; returns (people, total)."""
    statement = select(User)
    if query:
        like = f"%{query.strip().lower()}%"
        statement = statement.where(or_(func.lower(User.email).like(like),
                                        func.lower(User.name).like(like)))
    if role in ROLES:
        statement = statement.where(User.role == role)
    if status in ("active", "inactive"):
        statement = statement.where(User.active.is_(status == "active"))
    total = db.session.scalar(select(func.count()).select_from(statement.subquery()))
    people = db.session.scalars(statement.order_by(func.lower(User.name), User.id)
                                .limit(PAGE).offset((max(page, 1) - 1) * PAGE)).all()
    return people, total


def change_role(admin, person, role):
    if role not in ROLES:
        raise PeopleError(_("Choose learner, manager or admin."))
    if person.id == admin.id and role != "admin":
        raise PeopleError(_("You cannot take away your own admin role; ask another admin."))
    if person.role != role:
        audit(admin, "changed role", person.email, {"role": person.role}, {"role": role})
        person.role = role


def set_active(admin, person, active):
    """Switch an account off (it cannot sign in; its records stay) or back on."""
    if person.id == admin.id and not active:
        raise PeopleError(_("You cannot switch off your own account."))
    if person.active != active:
        audit(admin, "reactivated account" if active else "deactivated account", person.email,
              {"active": person.active}, {"active": active})
        person.active = active


def _digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def create_reset(admin, person, now=None):
    """A single-use link to set a new password, valid for 48 hours; returns the token.

    Earlier unused links for the person stop working: only the newest one counts.
    """
    now = now or utcnow()
    db.session.execute(update(PasswordReset).where(
        PasswordReset.user_id == person.id, PasswordReset.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False))
    token = secrets.token_urlsafe(32)
    db.session.add(PasswordReset(user_id=person.id, token_hash=_digest(token), created_at=now,
                                 expires_at=now + timedelta(hours=RESET_HOURS),
                                 created_by_id=admin.id))
    audit(admin, "sent a password reset link", person.email)
    return token


def find_reset(token, now=None):
    """(reset, problem, status): the reset a link names if it can still be used, else why not.

    `status` is the HTTP status for the problem: 404 for a link nobody issued,
    410 for one that was used, replaced or expired (None when the link works).
    """
    if not token or len(token) > 100:
        return None, _("This password link is not valid."), 404
    reset = db.session.scalar(select(PasswordReset).where(
        PasswordReset.token_hash == _digest(token)))
    if reset is None:
        return None, _("This password link is not valid. Ask an admin for a new one."), 404
    if reset.used_at is not None:
        return None, _("This password link has already been used or replaced. Ask an admin "
                       "for a new one."), 410
    if reset.expires_at <= (now or utcnow()):
        return None, _("This password link has expired. Ask an admin for a new one."), 410
    return reset, None, None


def use_reset(reset, password, now=None):
    """Set the new password through the link, once (a guarded UPDATE)."""
    now = now or utcnow()
    person = db.session.get(User, reset.user_id)
    problem = password_problem(password or "", person.email)
    if problem:
        raise PeopleError(problem)
    used = db.session.execute(update(PasswordReset).where(
        PasswordReset.id == reset.id, PasswordReset.used_at.is_(None),
        PasswordReset.expires_at > now).values(used_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if not used:
        raise PeopleError(_("This password link has already been used."))
    person.set_password(password)
    record_success(person.email)  # a locked-out person can sign in with the new password
    return person
