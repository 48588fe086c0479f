"""Telling people things, once."""
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..clock import utcnow
from ..extensions import db
from .models import Notice


def notify(user_id, text, link=None, key=None, now=None):
    """Leave a notice for a person; with a key, a notice already left is not repeated."""
    if key is not None and db.session.scalar(select(Notice.id).where(Notice.key == key)):
        return None
    notice = Notice(user_id=user_id, text=text, link=link, key=key, created_at=now or utcnow())
    try:
        with db.session.begin_nested():
            db.session.add(notice)
    except IntegrityError:
        return None
    return notice


def open_notices(user_id):
    """A person's notices not yet dismissed, newest first."""
    return db.session.scalars(select(Notice).where(
        Notice.user_id == user_id, Notice.dismissed_at.is_(None))
        .order_by(Notice.created_at.desc(), Notice.id.desc())).all()


def dismiss_about(user_id, key_prefix, now=None):
    """Dismiss a person's open notices whose key starts with `key_prefix` (now out of date)."""
    for notice in db.session.scalars(select(Notice).where(
            Notice.user_id == user_id, Notice.dismissed_at.is_(None),
            Notice.key.startswith(key_prefix, autoescape=True))):
        notice.dismissed_at = now or utcnow()


def dismiss(user_id, notice_id, now=None):
    """Dismiss one of the person's own notices; others' are left alone."""
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != user_id:
        return False
    notice.dismissed_at = notice.dismissed_at or now or utcnow()
    return True
