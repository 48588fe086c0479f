"""Slowing down password guessing: failed sign-ins counted per account and per address.

The counts live in the database, so every app server sees the same ones. The
message is the same whether or not the account exists, so it tells an
attacker nothing about which addresses have accounts.
"""
import hashlib
from datetime import timedelta

from sqlalchemy import delete, func, select

from ..clock import utcnow
from ..extensions import db
from .models import SignInFailure

WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 30


def _key(kind, value):
    return kind + ":" + hashlib.sha256((value or "").strip().lower().encode()).hexdigest()[:40]


def blocked_for(email, address, now=None):
    """Minutes to wait before trying again, or 0 when a sign-in may be tried."""
    now = now or utcnow()
    since = now - WINDOW
    waits = []
    for key, limit in ((_key("account", email), PER_ACCOUNT), (_key("address", address), PER_ADDRESS)):
        count, first = db.session.execute(
            select(func.count(SignInFailure.id), func.min(SignInFailure.at))
            .where(SignInFailure.key == key, SignInFailure.at > since)).one()
        if count >= limit:
            waits.append(max(1, int((first + WINDOW - now).total_seconds() // 60) + 1))
    return max(waits, default=0)


def record_failure(email, address, now=None):
    now = now or utcnow()
    db.session.add_all([SignInFailure(key=_key("account", email), at=now),
                        SignInFailure(key=_key("address", address), at=now)])
    # Old rows are of no use; trimming here keeps the table small without a cron job.
    db.session.execute(delete(SignInFailure).where(SignInFailure.at < now - 2 * WINDOW))


def record_success(email):
    db.session.execute(delete(SignInFailure).where(SignInFailure.key == _key("account", email)))
