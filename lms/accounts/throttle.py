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
PER_ACCOUNT_FROM_ADDRESS = 5  # one account guessed from one address
PER_ACCOUNT = 50  # one account guessed from anywhere: a high bar, so others cannot lock it
PER_ADDRESS = 30  # many accounts guessed from one address


def _hash(value, length=40):
    return hashlib.sha256((value or "").strip().lower().encode()).hexdigest()[:length]


def _key(kind, value):
    return f"{kind}:{_hash(value)}"


def _pair(email, address):
    """One account from one address; the account's part comes first, so a reset can clear
    every address's count for it."""
    return f"pair:{_hash(email, 24)}:{_hash(address, 12)}"


def blocked_for(email, address, now=None):
    """Minutes to wait before trying again, or 0 when a sign-in may be tried."""
    now = now or utcnow()
    since = now - WINDOW
    waits = []
    for key, limit in ((_pair(email, address), PER_ACCOUNT_FROM_ADDRESS),
                       (_key("account", email), PER_ACCOUNT),
                       (_key("address", address), PER_ADDRESS)):
        count, first = db.session.execute(
            select(func.count(SignInFailure.id), func.min(SignInFailure.at))
            .where(SignInFailure.key == key, SignInFailure.at > since)).one()
        if count >= limit:
            waits.append(max(1, int((first + WINDOW - now).total_seconds() // 60) + 1))
    return max(waits, default=0)


def record_failure(email, address, now=None):
    """Count an attempt as failed. Called before the password is checked (and undone by
    record_success), so requests racing on several servers are all counted."""
    now = now or utcnow()
    db.session.add_all([SignInFailure(key=_pair(email, address), at=now),
                        SignInFailure(key=_key("account", email), at=now),
                        SignInFailure(key=_key("address", address), at=now)])
    # Old rows are of no use; trimming here keeps the table small without a cron job.
    db.session.execute(delete(SignInFailure).where(SignInFailure.at < now - 2 * WINDOW))


def record_success(email, address=None):
    """A right password (or a new one set by a reset link) clears the account's count."""
    db.session.execute(delete(SignInFailure).where(
        (SignInFailure.key == _key("account", email))
        | SignInFailure.key.startswith(f"pair:{_hash(email, 24)}:")))
    if address is not None:  # the attempt counted in advance for this address
        newest = db.session.scalar(select(SignInFailure.id).where(
            SignInFailure.key == _key("address", address)).order_by(SignInFailure.id.desc()))
        if newest is not None:
            db.session.execute(delete(SignInFailure).where(SignInFailure.id == newest))
